import type { Figure, RectShape } from './Figure';
import { finiteVector, type NumericVector } from './finiteValues';

/** Options of `activationTrace`. */
export interface ActivationTraceOptions {
  title: string;
  /** Hop between frames in seconds (0.02 for wav2vec2/HuBERT's 320-sample stride at 16 kHz). */
  frameSeconds: number;
  /** A time span to shade, in seconds (a word, the top-activating segment). */
  highlight?: { start: number; end: number };
  yTitle?: string;
  /** Legend name of the trace (default 'activation'). */
  name?: string;
  width?: number;
  height?: number;
}

/**
 * One feature's activation over time (`[frames]`), frame i drawn at its start time i * frameSeconds, with
 * an optional shaded span (seed 003's activation traces).
 */
export function activationTrace(values: NumericVector, opts: ActivationTraceOptions): Figure {
  const y = finiteVector(values, 'values');
  if (y.length === 0) throw new Error('activationTrace: values is empty');
  if (!(Number.isFinite(opts.frameSeconds) && opts.frameSeconds > 0)) throw new Error(`activationTrace: frameSeconds must be positive, got ${opts.frameSeconds}`);
  const x = y.map((_, i) => i * opts.frameSeconds);
  const shapes: RectShape[] = [];
  if (opts.highlight !== undefined) {
    const { start, end } = opts.highlight;
    if (!(Number.isFinite(start) && Number.isFinite(end) && start >= 0 && start < end)) {
      throw new Error(`activationTrace: highlight needs 0 <= start < end, got start ${start}, end ${end}`);
    }
    shapes.push({ type: 'rect', xref: 'x', yref: 'paper', x0: start, x1: end, y0: 0, y1: 1, fillcolor: '#ffa15a', opacity: 0.25, line: { width: 0 }, layer: 'below' });
  }
  return {
    data: [{ type: 'scatter', mode: 'lines', name: opts.name ?? 'activation', x, y, line: { color: '#636efa', width: 1.5 } }],
    layout: {
      title: { text: opts.title },
      xaxis: { title: { text: 'time (s)' } },
      yaxis: { title: { text: opts.yTitle ?? 'activation' } },
      shapes,
      width: opts.width ?? 760,
      height: opts.height ?? 320,
    },
  };
}
