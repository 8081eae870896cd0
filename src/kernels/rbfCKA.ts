/**
 * CKA with a Gaussian (RBF) kernel, as in Kornblith et al. (2019) and their reference notebook
 * (google-research/representation_similarity `gram_rbf` + `cka`):
 *
 *   K_ij = exp(-|x_i - x_j|^2 / (2 sigma^2)),  sigma^2 = threshold^2 * median(all n^2 squared distances)
 *
 * i.e. sigma = threshold x the median Euclidean distance, where the median runs over the full n x n matrix
 * of squared distances, diagonal zeros included, exactly as `np.median(sq_distances)` does. `debiased`
 * U-centres the kernels (unbiased HSIC, n >= 4). The kernel matrix of examples is materialised (as its
 * upper triangle), so n is limited to 20,000.
 */
import type { MatrixLike } from '../matrix';
import { resolvePrecision, type Precision } from './engine';
import { centerGram, centeredInner, rbfKernel, type CenteredGram } from './centeredGram';
import { checkPair, comparePair, definedValue, type PairwiseMetric } from './pairwiseMetric';

/** Options of `rbfCKA` (kernel width as a multiple of the median distance, debiasing, precision). */
export interface RbfCKAOptions {
  /** Bandwidth as a fraction of the median distance (default 1). */
  threshold?: number;
  /** Unbiased HSIC with U-centred kernels (default false). */
  debiased?: boolean;
  /** Working precision of the Gram products (default: float32 when the input is float32, else float64). */
  precision?: Precision;
}

/** The metric behind `rbfCKA`, for `layerMatrix`. */
export function rbfCKAMetric(opts: RbfCKAOptions = {}): PairwiseMetric<CenteredGram & { readonly name: string }> {
  const threshold = opts.threshold ?? 1;
  const debiased = opts.debiased ?? false;
  if (!(typeof threshold === 'number' && threshold > 0 && Number.isFinite(threshold))) {
    throw new Error(`rbfCKA: threshold must be a positive number, got ${threshold}`);
  }
  return {
    name: debiased ? 'rbfCKA (debiased)' : 'rbfCKA',
    symmetric: true,
    async prepare(X, name) {
      if (debiased && X.rows < 4) throw new Error(`rbfCKA: ${name} has ${X.rows} rows; the debiased estimator needs at least 4`);
      const K = await rbfKernel(X, threshold, resolvePrecision(opts.precision, X), `rbfCKA: ${name}`);
      return { ...centerGram(K, debiased), name };
    },
    async compare(a, b) {
      if (a.n !== b.n) throw new Error(`rbfCKA: ${a.name} has ${a.n} rows but ${b.name} has ${b.n}`);
      if (!(a.selfInner > 0 && b.selfInner > 0)) {
        const which = a.selfInner > 0 ? b.name : a.name;
        return { value: null, reason: `the HSIC of ${which} with itself is not positive, so CKA is undefined` };
      }
      return centeredInner(a, b) / Math.sqrt(a.selfInner * b.selfInner);
    },
  };
}

/** RBF-kernel CKA between `X` [n, dx] and `Y` [n, dy] (rows = the same samples, n <= 20,000). */
export async function rbfCKA(X: MatrixLike, Y: MatrixLike, opts: RbfCKAOptions = {}): Promise<number> {
  const [x, y] = checkPair(X, Y, 'rbfCKA');
  return definedValue(await comparePair(rbfCKAMetric(opts), x, y), 'rbfCKA');
}
