/**
 * Several models at once: `compareWordLayers` for every pair, all on the occurrences that every model has (so
 * that the scores stand on the same words), and a summary row per pair: the best-matching layer pair and its
 * score, for `table()`.
 */
import type { LayerMetric } from '../kernels/layerMatrix';
import { at } from '../util/at';
import { compareWordLayers, type CompareWordLayersOptions, type WordLayerComparison } from './compareWordLayers';
import { commonWordRows } from './WordRows';
import type { WordEmbeddings } from './WordEmbeddings';

/** One pair's best-matching layers. */
export interface ModelPairSummary {
  readonly modelA: string;
  readonly modelB: string;
  readonly layerA: string;
  readonly layerB: string;
  readonly value: number;
  readonly words: number;
}

/** Every pair's comparison and the summary. */
export interface WordModelComparison {
  readonly metric: LayerMetric;
  readonly comparisons: readonly WordLayerComparison[];
  readonly summary: readonly ModelPairSummary[];
}

/** Compare every pair of `sets` (i < j) with `metric` on the words all of them share. */
export async function compareWordModels<M extends LayerMetric>(
  sets: readonly WordEmbeddings[],
  metric: M,
  opts: CompareWordLayersOptions<M> = {} as CompareWordLayersOptions<M>,
): Promise<WordModelComparison> {
  if (sets.length < 2) throw new Error(`compareWordModels: needs at least two models, got ${sets.length}`);
  const rows = opts.rows ?? commonWordRows(sets, opts.occurrences === undefined ? {} : { occurrences: opts.occurrences });
  const comparisons: WordLayerComparison[] = [];
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) comparisons.push(await compareWordLayers(at(sets, i), at(sets, j), metric, { ...opts, rows }));
  }
  const summary = comparisons.map((c) => ({ modelA: c.modelA, modelB: c.modelB, layerA: c.best.layerA, layerB: c.best.layerB, value: c.best.value, words: c.rows }));
  return { metric, comparisons, summary };
}
