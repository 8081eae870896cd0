/**
 * A similarity metric over every pair of layers: L x L within one model (`layerMatrix`) or A x B between
 * two models (`crossLayerMatrix`). Each layer is prepared once (centred copy and norms for CKA, kernel
 * matrices for RBF CKA, neighbour lists for the kNN metrics, whitening for CCA) and the prepared layers are
 * compared pairwise, so the per-layer work is done L times, not L^2 times. Symmetric metrics compute the
 * upper triangle and mirror it.
 */
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import type { PairwiseMetric } from './pairwiseMetric';
import { linearCKAMetric, type LinearCKAOptions } from './linearCKA';
import { rbfCKAMetric, type RbfCKAOptions } from './rbfCKA';
import { mutualKNNMetric } from './mutualKNN';
import { cycleKNNMetric } from './cycleKNN';
import { lcsKNNMetric } from './lcsKNN';
import { editDistanceKNNMetric } from './editDistanceKNN';
import { cknnaMetric, type CknnaOptions } from './cknna';
import { cosineSimilarityMetric } from './cosineSimilarity';
import { meanCCAMetric, type MeanCCAOptions } from './meanCCA';
import { svccaMetric, type SvccaOptions } from './svcca';
import { pwccaMetric, type PwccaOptions } from './pwcca';
import type { KnnOptions } from './knnLists';
import { at } from '../util/at';

/** Metric names `layerMatrix` accepts, each with the options of the kernel of the same name. */
export interface LayerMetricOptions {
  linearCKA: LinearCKAOptions;
  rbfCKA: RbfCKAOptions;
  mutualKNN: KnnOptions;
  cycleKNN: KnnOptions;
  lcsKNN: KnnOptions;
  editDistanceKNN: KnnOptions;
  cknna: CknnaOptions;
  // cosineSimilarity has no options of its own; an empty object type keeps `names` usable in the intersection.
  cosineSimilarity: Record<never, never>;
  meanCCA: MeanCCAOptions;
  svcca: SvccaOptions;
  pwcca: PwccaOptions;
}
/** The metric names `layerMatrix` and `crossLayerMatrix` accept (`'linearCKA'`, `'mutualKNN'`, ...). */
export type LayerMetric = keyof LayerMetricOptions;

/** Options of `layerMatrix` / `crossLayerMatrix`: the metric's own options and layer names. */
export interface LayerMatrixOptions {
  /** Labels of the layers (default `layer 0`, `layer 1`, ...), used in errors and returned as `names`. */
  names?: readonly string[];
  /** Called after every computed entry with (done, total), e.g. for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/** A layer x layer matrix of one metric, with the layer names along both axes. */
export interface LayerMatrixResult {
  readonly metric: LayerMetric;
  /** values[i][j] = metric(layer i, layer j); NaN where the metric is undefined (see `undefinedEntries`). */
  readonly values: number[][];
  /** Row labels (and column labels for `layerMatrix`). */
  readonly names: string[];
  /** Column labels. */
  readonly columnNames: string[];
  /** Entries the metric leaves undefined (e.g. CCA with more features than samples), and why. */
  readonly undefinedEntries: { readonly row: number; readonly column: number; readonly reason: string }[];
}

// The prepared type of each metric is opaque to layerMatrix: erase it behind `unknown`.
type AnyMetric = PairwiseMetric<unknown>;
function erase<P>(m: PairwiseMetric<P>): AnyMetric {
  return {
    name: m.name,
    symmetric: m.symmetric,
    ...(m.checksFinite === true ? { checksFinite: true } : {}),
    prepare: (X, name) => m.prepare(X, name),
    compare: (a, b, names) => m.compare(a as P, b as P, names),
  };
}

const makers: { [K in LayerMetric]: (o: LayerMetricOptions[K]) => AnyMetric } = {
  linearCKA: (o) => erase(linearCKAMetric(o)),
  rbfCKA: (o) => erase(rbfCKAMetric(o)),
  mutualKNN: (o) => erase(mutualKNNMetric(o)),
  cycleKNN: (o) => erase(cycleKNNMetric(o)),
  lcsKNN: (o) => erase(lcsKNNMetric(o)),
  editDistanceKNN: (o) => erase(editDistanceKNNMetric(o)),
  cknna: (o) => erase(cknnaMetric(o)),
  cosineSimilarity: () => erase(cosineSimilarityMetric()),
  meanCCA: (o) => erase(meanCCAMetric(o)),
  svcca: (o) => erase(svccaMetric(o)),
  pwcca: (o) => erase(pwccaMetric(o)),
};

function metricFor<M extends LayerMetric>(metric: M, opts: LayerMetricOptions[M]): AnyMetric {
  if (!Object.prototype.hasOwnProperty.call(makers, metric)) {
    throw new Error(`layerMatrix: unknown metric '${String(metric)}'; use one of ${Object.keys(makers).join(', ')}`);
  }
  const make = makers[metric] as (o: LayerMetricOptions[M]) => AnyMetric;
  return make(opts);
}

function layerNames(n: number, names: readonly string[] | undefined, prefix: string): string[] {
  if (names === undefined) return Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
  if (names.length !== n) throw new Error(`layerMatrix: ${names.length} names for ${n} layers`);
  return [...names];
}

function checkLayers(layers: readonly MatrixLike[], names: readonly string[], metric: AnyMetric): Matrix[] {
  if (!Array.isArray(layers) || layers.length === 0) throw new Error('layerMatrix: expected a non-empty array of layers');
  // a metric that checks finiteness in its own first pass spares a full scan of every layer here
  const finite = metric.checksFinite !== true;
  const ms = layers.map((l, i) => toMatrix(l, at(names, i), { minRows: 2, finite }));
  const n = at(ms, 0).rows;
  ms.forEach((m, i) => {
    if (m.rows !== n) throw new Error(`layerMatrix: ${names[i]} has ${m.rows} rows but ${names[0]} has ${n}; every layer must hold the same samples`);
  });
  return ms;
}

async function fill(
  metric: AnyMetric,
  rowsPrep: unknown[],
  colsPrep: unknown[],
  rowNames: string[],
  colNames: string[],
  symmetric: boolean,
  onProgress: LayerMatrixOptions['onProgress'],
): Promise<Pick<LayerMatrixResult, 'values' | 'undefinedEntries'>> {
  const R = rowsPrep.length;
  const C = colsPrep.length;
  const values = Array.from({ length: R }, () => new Array<number>(C).fill(Number.NaN));
  const undefinedEntries: { row: number; column: number; reason: string }[] = [];
  const total = symmetric ? (R * (R + 1)) / 2 : R * C;
  let done = 0;
  for (let i = 0; i < R; i++) {
    for (let j = symmetric ? i : 0; j < C; j++) {
      const v = await metric.compare(rowsPrep[i], colsPrep[j], [at(rowNames, i), at(colNames, j)]);
      const value = typeof v === 'number' ? v : Number.NaN;
      at(values, i)[j] = value;
      if (typeof v !== 'number') undefinedEntries.push({ row: i, column: j, reason: v.reason });
      if (symmetric && j !== i) {
        at(values, j)[i] = value;
        if (typeof v !== 'number') undefinedEntries.push({ row: j, column: i, reason: v.reason });
      }
      onProgress?.(++done, total);
    }
  }
  return { values, undefinedEntries };
}

/**
 * `metric` between every pair of `layers` (each [n, d_l], rows = the same n samples in every layer) ->
 * L x L. The seed's heatmaps: `layerMatrix(hidden, 'linearCKA')`, `layerMatrix(hidden, 'mutualKNN',
 * {k: 5, normalize: false})`, `layerMatrix(hidden, 'cosineSimilarity')`.
 */
export async function layerMatrix<M extends LayerMetric>(
  layers: readonly MatrixLike[],
  metric: M,
  opts: LayerMetricOptions[M] & LayerMatrixOptions = {} as LayerMetricOptions[M] & LayerMatrixOptions,
): Promise<LayerMatrixResult> {
  const names = layerNames(layers.length, opts.names, 'layer');
  const m = metricFor(metric, opts);
  const ms = checkLayers(layers, names, m);
  const prepared: unknown[] = [];
  for (let i = 0; i < ms.length; i++) prepared.push(await m.prepare(at(ms, i), at(names, i)));
  const r = await fill(m, prepared, prepared, names, names, m.symmetric, opts.onProgress);
  return { metric, names, columnNames: names, ...r };
}

/**
 * `metric` between every layer of model A (rows) and every layer of model B (columns) -> A x B, e.g.
 * linear CKA between the layers of a text and a speech model on the same words. All layers of both must
 * hold the same samples in the same order.
 */
export async function crossLayerMatrix<M extends LayerMetric>(
  layersA: readonly MatrixLike[],
  layersB: readonly MatrixLike[],
  metric: M,
  opts: LayerMetricOptions[M] & { names?: readonly string[]; columnNames?: readonly string[]; onProgress?: LayerMatrixOptions['onProgress'] } = {} as LayerMetricOptions[M],
): Promise<LayerMatrixResult> {
  const rowNames = layerNames(layersA.length, opts.names, 'A layer');
  const colNames = layerNames(layersB.length, opts.columnNames, 'B layer');
  const m = metricFor(metric, opts);
  const a = checkLayers(layersA, rowNames, m);
  const b = checkLayers(layersB, colNames, m);
  if (at(a, 0).rows !== at(b, 0).rows) {
    throw new Error(`crossLayerMatrix: model A layers have ${at(a, 0).rows} rows but model B layers have ${at(b, 0).rows}`);
  }
  const pa: unknown[] = [];
  for (let i = 0; i < a.length; i++) pa.push(await m.prepare(at(a, i), at(rowNames, i)));
  const pb: unknown[] = [];
  for (let i = 0; i < b.length; i++) pb.push(await m.prepare(at(b, i), at(colNames, i)));
  const r = await fill(m, pa, pb, rowNames, colNames, false, opts.onProgress);
  return { metric, names: rowNames, columnNames: colNames, ...r };
}
