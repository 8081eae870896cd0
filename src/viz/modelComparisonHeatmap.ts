import type { Figure } from './Figure';
import type { HeatmapPanel } from './heatmapGrid';
import { layerHeatmap, type LayerHeatmapOptions } from './layerHeatmap';

/** What `modelComparisonHeatmap` draws: an A x B layer comparison (`compareWordLayers` returns one). */
export interface ModelComparisonLike {
  readonly metric: string;
  readonly modelA: string;
  readonly modelB: string;
  /** `[layers of A][layers of B]`. */
  readonly values: readonly (readonly number[])[];
  /** Layer names of A (rows) and B (columns): `hidden.3` is drawn as 3. */
  readonly names: readonly string[];
  readonly columnNames: readonly string[];
  /** Word occurrences compared. */
  readonly rows: number;
  /** What the title must say about the models ('bert-tiny-random: random weights'). */
  readonly caveats: readonly string[];
}

/** Options of `modelComparisonHeatmap`: a title, and any `layerHeatmap` option but the axes. */
export type ModelComparisonHeatmapOptions = Partial<Omit<LayerHeatmapOptions, 'names' | 'xNames' | 'yNames' | 'xTitle' | 'yTitle'>>;

const layerLabel = (name: string): string => /^hidden\.(\d+)$/.exec(name)?.[1] ?? name;

/** The axes of a comparison: model names as titles, layer numbers along them. */
function comparisonAxes(c: ModelComparisonLike): Pick<HeatmapPanel, 'xNames' | 'yNames' | 'xTitle' | 'yTitle'> {
  return { yNames: c.names.map(layerLabel), xNames: c.columnNames.map(layerLabel), yTitle: `${c.modelA} layer`, xTitle: `${c.modelB} layer` };
}

/** One comparison as a `heatmapGrid` panel (several metrics of one model pair side by side), axes as `modelComparisonHeatmap`'s. */
export function modelComparisonPanel(c: ModelComparisonLike, title: string): HeatmapPanel {
  return { title, values: c.values, ...comparisonAxes(c) };
}

/**
 * Model A's layers (rows, top to bottom) against model B's (columns), named by model on the axes and by layer
 * number along them; the title gives the metric, the number of words and the caveats (random weights,
 * synthetic speech), so the figure says what it stands on.
 */
export function modelComparisonHeatmap(c: ModelComparisonLike, opts: ModelComparisonHeatmapOptions = {}): Figure {
  // The caveats go on a second, smaller line: a heatmap is narrower than the sentence.
  const caveat = c.caveats.length > 0 ? `<br><sup>${c.caveats.join('; ')}</sup>` : '';
  return layerHeatmap(c.values, {
    colorbarTitle: c.metric,
    ...opts,
    title: opts.title ?? `${c.metric}: ${c.modelA} x ${c.modelB}, ${c.rows} words${caveat}`,
    ...comparisonAxes(c),
  });
}
