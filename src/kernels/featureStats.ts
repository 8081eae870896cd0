/**
 * Per-layer summary statistics of seed 001 (HuBERT layer-wise README): the mean and standard deviation of
 * every feature (for "mean/std across layers with error bars") and the distribution of per-feature
 * variances (for the variance histograms), plus the overall mean and std of all values of the layer.
 */
import { toMatrix, type MatrixLike } from '../matrix';
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

/** Per-feature and overall statistics of `X` `[samples, features]`, accumulated in float64. */
export function featureStats(X: MatrixLike, opts: FeatureStatsOptions = {}): FeatureStatsResult {
  const m = toMatrix(X, 'X');
  const ddof = opts.ddof ?? 0;
  if (ddof !== 0 && ddof !== 1) throw new Error(`featureStats: ddof must be 0 or 1, got ${String(ddof)}`);
  const { rows: n, cols: d, data } = m;
  if (n - ddof < 1) throw new Error(`X: needs at least ${ddof + 1} rows for ddof = ${ddof}, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] += atFloat(data, o + j);
  }
  let total = 0;
  for (let j = 0; j < d; j++) {
    total += atF64(mean, j);
    mean[j] /= n;
  }
  const overallMean = total / (n * d);
  // Two-pass (centred) sums: a one-pass sum of squares loses digits for features with large offsets.
  const ss = new Float64Array(d);
  let ssAll = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = atFloat(data, o + j);
      const a = v - atF64(mean, j);
      ss[j] += a * a;
      const b = v - overallMean;
      ssAll += b * b;
    }
  }
  const variance = new Float64Array(d);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    variance[j] = atF64(ss, j) / (n - ddof);
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
