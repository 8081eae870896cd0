/**
 * SVCCA (Raghu et al. 2017) as in the google/svcca tutorial: centre each view, keep its top singular
 * directions (`keep` of them, or the fewest explaining `varianceThreshold` of the variance), project the
 * data on them (`s[:k] * V[:k]`, the principal-component scores), run `cca_core` on the two reduced views
 * and report the mean canonical correlation.
 */
import type { Matrix, MatrixLike } from '../matrix';
import { centerColumns, gram, matmul, rowProducts, symmetricEigen } from './engine';
import { ccaPair, checkEpsilon, prepareView, type CcaResult, type CcaView } from './ccaCore';
import { checkPair, type PairwiseMetric, type Undefined } from './pairwiseMetric';
import { atF64 } from '../util/at';

/** Options of `svcca` (dimensions or variance kept by the SVD step, CCA epsilon). */
export interface SvccaOptions {
  /** Singular directions kept per view; when absent, `varianceThreshold` decides. */
  keep?: number;
  /** Keep the fewest directions whose squared singular values reach this share of the total (default 0.99). */
  varianceThreshold?: number;
  /** Pruning threshold and ridge of the CCA step on the reduced views (default 0, as in the tutorial). */
  epsilon?: number;
}

/** The SVCCA score (or null with the reason it is undefined) with the dimensions each side kept. */
export interface SvccaResult extends CcaResult {
  /** Directions kept in X and in Y. */
  readonly kept: readonly [number, number];
}

interface Reduced {
  readonly name: string;
  readonly kept: number;
  readonly view: CcaView | Undefined;
}

/** Principal-component scores of `X` [n, d] on its top directions -> [n, k]. */
async function reduce(X: Matrix, name: string, opts: SvccaOptions, epsilon: number): Promise<Reduced> {
  const n = X.rows;
  const C = centerColumns(X, 'float64') as Matrix<Float64Array>;
  // Squared singular values and directions from the smaller Gram matrix.
  const featureSide = X.cols <= n;
  const G = featureSide ? (await gram(C, { precision: 'float64' })).data : (await rowProducts(C, C, { precision: 'float64' })).data;
  const m = featureSide ? X.cols : n;
  const { values, vectors } = symmetricEigen(G, m);
  let total = 0;
  for (let i = 0; i < m; i++) total += Math.max(0, atF64(values, i));
  if (!(total > 0)) return { name, kept: 0, view: { value: null, reason: `${name} is constant (no variance)` } };
  let k: number;
  if (opts.keep !== undefined) {
    if (!Number.isInteger(opts.keep) || opts.keep < 1) throw new Error(`svcca: keep must be a positive integer, got ${opts.keep}`);
    k = Math.min(opts.keep, m);
  } else {
    const t = opts.varianceThreshold ?? 0.99;
    if (!(t > 0 && t <= 1)) throw new Error(`svcca: varianceThreshold must be in (0, 1], got ${t}`);
    k = m;
    let acc = 0;
    for (let i = 0; i < m; i++) {
      acc += Math.max(0, atF64(values, i));
      if (acc / total >= t) {
        k = i + 1;
        break;
      }
    }
  }
  let scores: Matrix;
  if (featureSide) {
    const V = new Float64Array(X.cols * k); // [d, k], columns = directions
    for (let i = 0; i < k; i++) for (let r = 0; r < X.cols; r++) V[r * k + i] = atF64(vectors, i * X.cols + r);
    scores = await matmul(C, { rows: X.cols, cols: k, data: V }, { precision: 'float64' });
  } else {
    const U = new Float64Array(n * k); // u_i * s_i
    for (let i = 0; i < k; i++) {
      const si = Math.sqrt(Math.max(0, atF64(values, i)));
      for (let r = 0; r < n; r++) U[r * k + i] = atF64(vectors, i * n + r) * si;
    }
    scores = { rows: n, cols: k, data: U };
  }
  return { name, kept: k, view: await prepareView(scores, `${name} (top ${k} directions)`, epsilon) };
}

async function svccaOf(a: Reduced, b: Reduced): Promise<SvccaResult> {
  const kept = [a.kept, b.kept] as const;
  if ('reason' in a.view) return { value: null, reason: a.view.reason, coefficients: new Float64Array(0), kept };
  if ('reason' in b.view) return { value: null, reason: b.view.reason, coefficients: new Float64Array(0), kept };
  const { s } = await ccaPair(a.view, b.view);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += atF64(s, i);
  return { value: sum / s.length, coefficients: s, kept };
}

/** The metric behind `svcca`, for `layerMatrix`. */
export function svccaMetric(opts: SvccaOptions = {}): PairwiseMetric<Reduced> {
  const epsilon = checkEpsilon(opts.epsilon ?? 0, 'svcca');
  return {
    name: 'svcca',
    symmetric: true,
    prepare: (X, name) => reduce(X, name, opts, epsilon),
    async compare(a, b) {
      const r = await svccaOf(a, b);
      return r.value === null ? { value: null, reason: r.reason ?? 'undefined' } : r.value;
    },
  };
}

/** SVCCA between `X` [n, dx] and `Y` [n, dy] (rows = the same samples). */
export async function svcca(X: MatrixLike, Y: MatrixLike, opts: SvccaOptions = {}): Promise<SvccaResult> {
  const [x, y] = checkPair(X, Y, 'svcca');
  const m = svccaMetric(opts);
  return svccaOf(await m.prepare(x, 'X'), await m.prepare(y, 'Y'));
}
