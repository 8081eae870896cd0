/**
 * A layer metric between every layer of one model and every layer of another over the same word occurrences:
 * seed 002's experiment (`linearCKA`, feature space, not debiased) or any other `layerMatrix` metric
 * (debiased CKA, `mutualKNN` and `cknna` as in the Platonic Representation Hypothesis, CCA). The rows are the
 * occurrences both models have (or `rows`, e.g. those common to every model of a study), so the result says
 * on how many words it stands.
 */
import { crossLayerMatrix, type LayerMatrixResult, type LayerMetric, type LayerMetricOptions } from '../kernels/layerMatrix';
import { at } from '../util/at';
import { commonWordRows, wordMatrix, type OccurrenceRule, type WordRows } from './WordRows';
import type { WordEmbeddings } from './WordEmbeddings';

/** Options of `compareWordLayers`: the metric's own options, and which rows and layers. */
export type CompareWordLayersOptions<M extends LayerMetric> = LayerMetricOptions[M] & {
  /** The rows to compare on (default `commonWordRows([a, b], {occurrences})`). */
  readonly rows?: WordRows;
  /** With no `rows`: 'first' (default, seed 002) or 'all' occurrences. */
  readonly occurrences?: OccurrenceRule;
  /** Layers of each model (default all of its layers). */
  readonly layersA?: readonly string[];
  readonly layersB?: readonly string[];
  readonly onProgress?: (done: number, total: number) => void;
};

/** An A x B layer comparison of two models on the same words. */
export interface WordLayerComparison extends LayerMatrixResult {
  readonly modelA: string;
  readonly modelB: string;
  /** Word occurrences compared (the rows of every matrix). */
  readonly rows: number;
  /** The highest finite entry: the best-matching layer pair. */
  readonly best: { readonly layerA: string; readonly layerB: string; readonly value: number };
  /** What figures must say about the models ('<name>: random weights'). */
  readonly caveats: readonly string[];
}

/** `metric` between every layer of `a` (rows) and every layer of `b` (columns) on their shared words. */
export async function compareWordLayers<M extends LayerMetric>(
  a: WordEmbeddings,
  b: WordEmbeddings,
  metric: M,
  opts: CompareWordLayersOptions<M> = {} as CompareWordLayersOptions<M>,
): Promise<WordLayerComparison> {
  const rows = opts.rows ?? commonWordRows([a, b], opts.occurrences === undefined ? {} : { occurrences: opts.occurrences });
  const layersA = opts.layersA ?? a.layerNames;
  const layersB = opts.layersB ?? b.layerNames;
  const matsA = layersA.map((l) => wordMatrix(a, rows, l));
  const matsB = a === b && layersA.join() === layersB.join() ? matsA : layersB.map((l) => wordMatrix(b, rows, l));
  const result = await crossLayerMatrix(matsA, matsB, metric, { ...opts, names: layersA, columnNames: layersB });
  let best = { layerA: at(layersA, 0), layerB: at(layersB, 0), value: -Infinity };
  result.values.forEach((row, i) =>
    row.forEach((v, j) => {
      if (Number.isFinite(v) && v > best.value) best = { layerA: at(layersA, i), layerB: at(layersB, j), value: v };
    }),
  );
  const caveats = (a === b ? [a] : [a, b]).filter((s) => s.caveat !== undefined).map((s) => `${s.name}: ${s.caveat ?? ''}`);
  return { ...result, modelA: a.name, modelB: b.name, rows: rows.rows.length, best, caveats };
}
