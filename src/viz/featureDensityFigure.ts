import type { Annotation, BarTrace, Figure } from './Figure';
import { atNum } from '../util/at';

/** A binned feature density: what `featureDensityHistogram` (sae) returns, or any histogram of that shape. */
export interface FeatureDensityBins {
  /** `bins + 1` increasing edges in log10(activation frequency). */
  readonly edges: ArrayLike<number>;
  /** Latents per bin, `[bins]`. */
  readonly counts: ArrayLike<number>;
  /** Latents that never fired: frequency 0 has no place on a log axis, so they are counted apart. */
  readonly dead: number;
}

/** Options of `featureDensityFigure`. */
export interface FeatureDensityFigureOptions {
  title: string;
  /** Frames the frequencies were measured on: the annotation names the count and the lowest measurable density. */
  frames?: number;
  width?: number;
  height?: number;
}

/**
 * Feature-density histogram, as Anthropic's and SAELens' SAE reports draw it: how many latents fire on a given
 * share of frames, on a log10 axis. Healthy dictionaries put most latents between 1e-4 and 1e-1; a mass at
 * the far right means latents that fire on almost every frame (dense, rarely interpretable), and dead latents
 * (never fired) are a separate red bar one bin left of the axis' lowest edge, with their count in an
 * annotation.
 */
export function featureDensityFigure(hist: FeatureDensityBins, opts: FeatureDensityFigureOptions): Figure {
  const bins = hist.counts.length;
  if (bins < 1) throw new Error('featureDensityFigure: counts is empty');
  if (hist.edges.length !== bins + 1) throw new Error(`featureDensityFigure: edges has ${hist.edges.length} values, expected counts.length + 1 = ${bins + 1}`);
  const edges = Array.from(hist.edges, (e, i) => {
    if (!Number.isFinite(e)) throw new Error(`featureDensityFigure: edges[${i}] is ${e}; expected a finite number`);
    return e;
  });
  for (let i = 1; i <= bins; i++) {
    if (!(atNum(edges, i) > atNum(edges, i - 1))) throw new Error(`featureDensityFigure: edges must increase, but edges[${i}] = ${edges[i]} follows ${edges[i - 1]}`);
  }
  const counts = Array.from(hist.counts, (c, i) => {
    if (!(Number.isInteger(c) && c >= 0)) throw new Error(`featureDensityFigure: counts[${i}] is ${c}; expected a non-negative integer`);
    return c;
  });
  if (!(Number.isInteger(hist.dead) && hist.dead >= 0)) throw new Error(`featureDensityFigure: dead is ${hist.dead}; expected a non-negative integer`);
  if (opts.frames !== undefined && !(Number.isInteger(opts.frames) && opts.frames >= 1)) {
    throw new Error(`featureDensityFigure: frames must be a positive integer, got ${opts.frames}`);
  }

  const widths = counts.map((_, i) => atNum(edges, i + 1) - atNum(edges, i));
  const centers = counts.map((_, i) => (atNum(edges, i) + atNum(edges, i + 1)) / 2);
  const first = atNum(widths, 0);
  const live = counts.reduce((s, c) => s + c, 0);
  const total = live + hist.dead;
  const liveTrace: BarTrace = {
    type: 'bar',
    name: 'latents',
    x: centers,
    y: counts,
    width: widths,
    marker: { color: '#636efa' },
    customdata: counts.map((_, i) => `${atNum(edges, i).toFixed(2)} to ${atNum(edges, i + 1).toFixed(2)}`),
    hovertemplate: 'log10 density %{customdata}: %{y} latents<extra></extra>',
  };
  const deadTrace: BarTrace = {
    type: 'bar',
    name: 'dead (never fired)',
    x: [atNum(edges, 0) - first],
    y: [hist.dead],
    width: first,
    marker: { color: '#ef553b' },
    hovertemplate: 'dead (never fired): %{y} latents<extra></extra>',
  };
  const pct = total > 0 ? (100 * hist.dead) / total : 0;
  let text = `${hist.dead} of ${total} latents dead (${pct.toFixed(1)}%)`;
  if (opts.frames !== undefined) text += `; ${opts.frames} frames, so the lowest density seen is 1/${opts.frames} (log10 ${Math.log10(1 / opts.frames).toFixed(2)})`;
  const note: Annotation = { text, x: 0, y: 1.02, xref: 'paper', yref: 'paper', xanchor: 'left', yanchor: 'bottom', showarrow: false, font: { size: 12 } };
  return {
    data: [liveTrace, deadTrace],
    layout: {
      title: { text: opts.title },
      xaxis: { title: { text: 'log10 activation frequency (share of frames on which a latent fires)' } },
      yaxis: { title: { text: 'latents' } },
      bargap: 0,
      showlegend: true,
      annotations: [note],
      margin: { t: 90 },
      width: opts.width ?? 760,
      height: opts.height ?? 400,
    },
  };
}
