import { escapeHtml } from './escapeHtml';
import { finiteVector, type NumericVector } from './finiteValues';

export interface ActivationSparklineOptions {
  /** Hop between frames in seconds; frame i is drawn at its start time i * frameSeconds. */
  frameSeconds: number;
  /** A time span to shade, in seconds (the segment a player plays). */
  highlight?: { start: number; end: number };
  /** Drawing size in pixels (default 600 x 60). */
  width?: number;
  height?: number;
  /** Tooltip text of the drawing. */
  title?: string;
}

/** Two decimals: enough for pixels, short enough for pages with many traces. */
function px(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/**
 * A feature's activation over one clip (`[frames]`) as a small inline SVG, for HTML fragments that cannot
 * hold a Plotly figure (feature cards with one trace per example). The x axis spans the clip,
 * `[0, frames * frameSeconds]` s, over the full width; the y axis spans `[min(0, min), max(0, max)]` over the
 * full height (0 at the baseline line). Static, so it renders in saved notebooks and reports without scripts.
 */
export function activationSparkline(values: NumericVector, opts: ActivationSparklineOptions): string {
  const y = finiteVector(values, 'values');
  if (y.length === 0) throw new Error('activationSparkline: values is empty');
  const fs = opts.frameSeconds;
  if (!(Number.isFinite(fs) && fs > 0)) throw new Error(`activationSparkline: frameSeconds must be positive, got ${fs}`);
  const width = opts.width ?? 600;
  const height = opts.height ?? 60;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`activationSparkline: ${name} must be positive, got ${v}`);
  }
  const duration = y.length * fs;
  let lo = 0;
  let hi = 0;
  for (const v of y) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi > lo ? hi - lo : 1;
  const xOf = (t: number): number => (t / duration) * width;
  const yOf = (v: number): number => height - ((v - lo) / span) * height;
  const parts: string[] = [];
  if (opts.title !== undefined) parts.push(`<title>${escapeHtml(opts.title)}</title>`);
  if (opts.highlight !== undefined) {
    const { start, end } = opts.highlight;
    if (!(Number.isFinite(start) && Number.isFinite(end) && start >= 0 && start < end)) {
      throw new Error(`activationSparkline: highlight needs 0 <= start < end, got start ${start}, end ${end}`);
    }
    const x0 = xOf(Math.min(start, duration));
    const x1 = xOf(Math.min(end, duration));
    parts.push(`<rect x="${px(x0)}" y="0" width="${px(x1 - x0)}" height="${px(height)}" fill="#ffa15a" fill-opacity="0.3"/>`);
  }
  parts.push(`<line x1="0" y1="${px(yOf(0))}" x2="${px(width)}" y2="${px(yOf(0))}" stroke="#bbb" stroke-width="1"/>`);
  const points = y.map((v, i) => `${px(xOf(i * fs))},${px(yOf(v))}`).join(' ');
  parts.push(`<polyline points="${points}" fill="none" stroke="#636efa" stroke-width="1.5"/>`);
  return `<svg class="layerwise-sparkline" xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" style="display:block;background:#fafafa">${parts.join('')}</svg>`;
}
