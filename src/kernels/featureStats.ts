/**
 * Per-layer summary statistics of seed 001 (HuBERT layer-wise README): the mean and standard deviation of
 * every feature (for "mean/std across layers with error bars") and the distribution of per-feature
 * variances (for the variance histograms), plus the overall mean and std of all values of the layer.
 */
import { isRowBlocks, toMatrix, type FloatArray, type MatrixLike, type RowBlocks } from '../matrix';
import { atF64, atFloat } from '../util/at';

/** Options of `featureStats`. */
export interface FeatureStatsOptions {
  /**
   * Delta degrees of freedom of the variances (NumPy's `ddof`): 0 (default, `np.var`/`np.std`) divides by
   * n, 1 divides by n - 1 like `torch.var`/pandas.
   */
  ddof?: 0 | 1;
}

/** Per-layer feature statistics of seed 001: the mean of feature means, their spread, the overall std. */
export interface FeatureStatsResult {
  /** Rows (samples or frames) and columns (features). */
  readonly n: number;
  readonly d: number;
  /** Per-feature mean, variance and standard deviation, each `[d]`. */
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  readonly std: Float64Array;
  /** Mean and std of all n * d values taken together (`X.mean()`, `X.std(ddof)`). */
  readonly overallMean: number;
  readonly overallStd: number;
  /** Mean and std over features of the per-feature means (the error bars of the seed's per-layer plot). */
  readonly meanOfMeans: number;
  readonly stdOfMeans: number;
  /** Smallest, median and largest per-feature variance (range of the variance histogram). */
  readonly varianceMin: number;
  readonly varianceMedian: number;
  readonly varianceMax: number;
}

/** Count, means and centred sums of squares of the rows seen so far (per feature and over all values). */
interface Moments {
  n: number;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  allMean: number;
  allM2: number;
}

/** Two-pass (centred) moments of one block, merged into `acc` with Chan et al.'s pairwise update. */
function addBlock(acc: Moments, data: FloatArray, rows: number, d: number, where: string): void {
  if (rows === 0) return;
  const mean = new Float64Array(d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) mean[j] += atFloat(data, i * d + j);
  let total = 0;
  for (let j = 0; j < d; j++) {
    total += atF64(mean, j);
    mean[j] /= rows;
  }
  if (!Number.isFinite(total)) throw new Error(`${where}: holds NaN or infinite values`);
  const allMean = total / (rows * d);
  // Two-pass (centred) sums: a one-pass sum of squares loses digits for features with large offsets.
  const m2 = new Float64Array(d);
  let allM2 = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = atFloat(data, o + j);
      const a = v - atF64(mean, j);
      m2[j] += a * a;
      const b = v - allMean;
      allM2 += b * b;
    }
  }
  const na = acc.n;
  const n = na + rows;
  for (let j = 0; j < d; j++) {
    const delta = atF64(mean, j) - atF64(acc.mean, j);
    acc.m2[j] = na === 0 ? atF64(m2, j) : atF64(acc.m2, j) + atF64(m2, j) + (delta * delta * na * rows) / n;
    acc.mean[j] = na === 0 ? atF64(mean, j) : atF64(acc.mean, j) + (delta * rows) / n;
  }
  const dAll = allMean - acc.allMean;
  acc.allM2 = na === 0 ? allM2 : acc.allM2 + allM2 + (dAll * dAll * na * d * rows * d) / (n * d);
  acc.allMean = na === 0 ? allMean : acc.allMean + (dAll * rows) / n;
  acc.n = n;
}

/**
 * Per-feature and overall statistics of `X` `[samples, features]`, accumulated in float64. Row blocks
 * (`store.rowBlocks(layer)`: layers larger than memory) are combined block by block (Chan et al.'s update of
 * the centred sums), one block in memory at a time.
 */
export function featureStats(X: MatrixLike | RowBlocks, opts: FeatureStatsOptions = {}): FeatureStatsResult {
  const ddof = opts.ddof ?? 0;
  if (ddof !== 0 && ddof !== 1) throw new Error(`featureStats: ddof must be 0 or 1, got ${String(ddof)}`);
  let acc: Moments;
  let d: number;
  if (isRowBlocks(X)) {
    d = X.cols;
    acc = { n: 0, mean: new Float64Array(d), m2: new Float64Array(d), allMean: 0, allM2: 0 };
    for (const b of X.blocks()) {
      if (b.cols !== d) throw new Error(`featureStats: ${X.name} gave a block of ${b.cols} columns, expected ${d}`);
      addBlock(acc, b.data, b.rows, d, `featureStats: ${X.name}, rows ${acc.n}-${acc.n + b.rows - 1}`);
    }
  } else {
    const m = toMatrix(X, 'X');
    d = m.cols;
    acc = { n: 0, mean: new Float64Array(d), m2: new Float64Array(d), allMean: 0, allM2: 0 };
    addBlock(acc, m.data, m.rows, d, 'X');
  }
  const n = acc.n;
  if (n - ddof < 1) throw new Error(`X: needs at least ${ddof + 1} rows for ddof = ${ddof}, got ${n}`);
  const mean = acc.mean;
  const overallMean = acc.allMean;
  const ssAll = acc.allM2;
  const variance = new Float64Array(d);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    variance[j] = atF64(acc.m2, j) / (n - ddof);
    std[j] = Math.sqrt(atF64(variance, j));
  }
  let mm = 0;
  for (let j = 0; j < d; j++) mm += atF64(mean, j);
  mm /= d;
  let sm = 0;
  for (let j = 0; j < d; j++) sm += (atF64(mean, j) - mm) ** 2;
  const sorted = Float64Array.from(variance).sort();
  const mid = Math.floor(d / 2);
  const median = d % 2 === 1 ? atF64(sorted, mid) : (atF64(sorted, mid - 1) + atF64(sorted, mid)) / 2;
  return {
    n,
    d,
    mean,
    variance,
    std,
    overallMean,
    overallStd: Math.sqrt(ssAll / (n * d - ddof)),
    meanOfMeans: mm,
    stdOfMeans: d - ddof >= 1 ? Math.sqrt(sm / (d - ddof)) : 0,
    varianceMin: atF64(sorted, 0),
    varianceMedian: median,
    varianceMax: atF64(sorted, d - 1),
  };
}
