/**
 * Projection-weighted CCA (Morcos, Raghu & Bengio 2018) as ankitapasad/layerwise-analysis computes it
 * (`CCA.get_cca_score` in training mode, `codes/tools/cca_core.py`): the canonical directions of each view
 * are projected on the data, each direction's correlation is recomputed from the projections, and the
 * correlations are averaged with weights = how much of the view's (uncentred) activations each
 * orthonormalised direction accounts for. The score of the view with fewer kept dimensions is returned
 * (Y's on a tie), or the mean of both with `meanScore`. See `ccaCore` for the sign convention and for
 * canonical correlations that are zero up to rounding (their directions get correlation 0 here; in the
 * original they get whatever correlation LAPACK's arbitrary partner vector happens to have).
 */
import { asFloat64, type Matrix, type MatrixLike } from '../matrix';
import { choleskyUpper } from './cholesky';
import { crossProduct, matmul } from './engine';
import { ccaPair, checkEpsilon, orientDirections, prepareView, selectColumns, type CcaResult, type CcaView } from './ccaCore';
import { checkPair, type PairwiseMetric, type Undefined } from './pairwiseMetric';
import { atF64, atI32 } from '../util/at';

/** Options of `pwcca`. */
export interface PwccaOptions {
  /** Pruning threshold and ridge on the rescaled covariances (default 1e-6). */
  epsilon?: number;
  /** Average the X-side and Y-side scores instead of taking the smaller view's (default false). */
  meanScore?: boolean;
}

/** The PWCCA score (or null with the reason it is undefined) with the canonical correlations. */
export interface PwccaResult extends CcaResult {
  /** Correlations of the projected directions (the values PWCCA weights). */
  readonly correlations: Float64Array;
}

type Prepared = CcaView | Undefined;

/** Inverse of an upper-triangular [k, k] matrix. */
function upperInverse(R: Float64Array, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  for (let j = k - 1; j >= 0; j--) {
    inv[j * k + j] = 1 / atF64(R, j * k + j);
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let t = i + 1; t <= j; t++) s += atF64(R, i * k + t) * atF64(inv, t * k + j);
      inv[i * k + j] = -s / atF64(R, i * k + i);
    }
  }
  return inv;
}

/**
 * Q of the thin Householder QR of D [n, k] (LAPACK's dgeqrf + dorgqr, which np.linalg.qr calls), in float64:
 * defined for rank-deficient D too, where the columns beyond the rank are whatever the reflections give, as
 * in the original. Column signs may differ from LAPACK's; the PWCCA weights use |Q^T acts| and do not see them.
 */
export function householderQ(D: Matrix<Float64Array>): Matrix<Float64Array> {
  const n = D.rows;
  const k = D.cols;
  const A = Float64Array.from(D.data);
  const vs: Float64Array[] = [];
  const betas: number[] = [];
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < n; i++) norm += atF64(A, i * k + j) ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(n - j);
    const a0 = atF64(A, j * k + j);
    if (norm === 0) {
      vs.push(v);
      betas.push(0);
      continue;
    }
    const alpha = a0 >= 0 ? -norm : norm;
    v[0] = a0 - alpha;
    for (let i = j + 1; i < n; i++) v[i - j] = atF64(A, i * k + j);
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += atF64(v, i) ** 2;
    const beta = vv > 0 ? 2 / vv : 0;
    for (let c = j; c < k; c++) {
      let dot = 0;
      for (let i = j; i < n; i++) dot += atF64(v, i - j) * atF64(A, i * k + c);
      const f = beta * dot;
      for (let i = j; i < n; i++) A[i * k + c] = atF64(A, i * k + c) - f * atF64(v, i - j);
    }
    vs.push(v);
    betas.push(beta);
  }
  // Q = H_0 H_1 ... H_{k-1} applied to the first k columns of the identity, last reflection first.
  const Q = new Float64Array(n * k);
  for (let c = 0; c < k; c++) Q[c * k + c] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j] ?? new Float64Array(0);
    const beta = betas[j] ?? 0;
    if (beta === 0) continue;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let i = j; i < n; i++) dot += atF64(v, i - j) * atF64(Q, i * k + c);
      const f = beta * dot;
      for (let i = j; i < n; i++) Q[i * k + c] = atF64(Q, i * k + c) - f * atF64(v, i - j);
    }
  }
  return { rows: n, cols: k, data: Q };
}

/**
 * Orthonormal basis Q of the columns of D [n, k]: CholeskyQR2 (two Cholesky-QR passes through the engine,
 * accurate for condition numbers up to about 1e8), or Householder QR when D is too ill-conditioned or
 * rank-deficient for it (a dev part that lacks some labels makes one-hot projections rank-deficient).
 */
async function orthonormalize(D: Matrix<Float64Array>): Promise<Matrix<Float64Array>> {
  let Q = D;
  for (let pass = 0; pass < 2; pass++) {
    const k = Q.cols;
    const R = choleskyUpper((await crossProduct(Q, Q, { precision: 'float64' })).data, k);
    if (R === null) return householderQ(D);
    Q = asFloat64(await matmul(Q, { rows: k, cols: k, data: upperInverse(R, k) }, { precision: 'float64' }));
  }
  return Q;
}

/** Cosine of each pair of projected directions (columns of px, py [n, nd]); 0 where one is zero. */
export function directionCorrelations(px: Matrix<Float64Array>, py: Matrix<Float64Array>): Float64Array {
  const nd = px.cols;
  const corr = new Float64Array(nd);
  for (let i = 0; i < nd; i++) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let t = 0; t < px.rows; t++) {
      const x = atF64(px.data, t * nd + i);
      const y = atF64(py.data, t * nd + i);
      xy += x * y;
      xx += x * x;
      yy += y * y;
    }
    corr[i] = xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
  }
  return corr;
}

/** The data a PWCCA weighting reads: the evaluated data, its column means and the kept dimensions. */
export type WeightedView = Pick<CcaView, 'means' | 'raw' | 'kept'>;

/** `compute_weighted_sum`: weights from |Q^T acts|, Q the orthonormalised (directions + means). */
export async function weightedSum(view: WeightedView, proj: Matrix<Float64Array>, coefs: Float64Array): Promise<number | null> {
  const nd = proj.cols;
  const n = proj.rows;
  const firstKept = view.kept.subarray(0, nd);
  const D = new Float64Array(n * nd);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < nd; i++) D[t * nd + i] = atF64(proj.data, t * nd + i) + atF64(view.means, atI32(firstKept, i));
  }
  if (n < nd) return null;
  const Q = await orthonormalize({ rows: n, cols: nd, data: D });
  const acts = selectColumns(view.raw, firstKept);
  const Z = (await crossProduct(Q, acts, { precision: 'float64' })).data; // [nd, nd] = Q^T acts
  const w = new Float64Array(nd);
  let total = 0;
  for (let i = 0; i < nd; i++) {
    let s = 0;
    for (let j = 0; j < nd; j++) s += Math.abs(atF64(Z, i * nd + j));
    w[i] = s;
    total += s;
  }
  let score = 0;
  for (let i = 0; i < nd; i++) score += (atF64(w, i) / total) * atF64(coefs, i);
  return score;
}

async function pwccaOf(a: Prepared, b: Prepared, meanScore: boolean): Promise<PwccaResult> {
  const none = (reason: string): PwccaResult => ({ value: null, reason, coefficients: new Float64Array(0), correlations: new Float64Array(0) });
  if ('reason' in a) return none(a.reason);
  if ('reason' in b) return none(b.reason);
  const { s, u, v } = await ccaPair(a, b);
  // Canonical directions Sxx^-1/2 u_i, signs fixed, and the centred data projected on them -> [n, nd].
  const wx = asFloat64(await matmul(a.invSqrt, u, { precision: 'float64' }));
  const wy = asFloat64(await matmul(b.invSqrt, v, { precision: 'float64' }));
  orientDirections(wx, wy);
  const px = asFloat64(await matmul(a.centered, wx, { precision: 'float64' }));
  const py = asFloat64(await matmul(b.centered, wy, { precision: 'float64' }));
  const corr = directionCorrelations(px, py);
  const kx = a.kept.length;
  const ky = b.kept.length;
  const useX = meanScore || kx < ky;
  const useY = meanScore || kx >= ky;
  const sx = useX ? await weightedSum(a, px, corr) : 0;
  const sy = useY ? await weightedSum(b, py, corr) : 0;
  if (sx === null || sy === null) return none('fewer rows than canonical directions, so the QR weights are undefined');
  const value = meanScore ? (sx + sy) / 2 : kx < ky ? sx : sy;
  return { value, coefficients: s, correlations: corr };
}

/** The metric behind `pwcca`, for `layerMatrix`. PWCCA is not symmetric: the smaller view's weights count. */
export function pwccaMetric(opts: PwccaOptions = {}): PairwiseMetric<Prepared> {
  const epsilon = checkEpsilon(opts.epsilon ?? 1e-6, 'pwcca');
  const meanScore = opts.meanScore ?? false;
  return {
    name: 'pwcca',
    symmetric: meanScore,
    prepare: (X, name) => prepareView(X, name, epsilon),
    async compare(a, b) {
      const r = await pwccaOf(a, b, meanScore);
      return r.value === null ? { value: null, reason: r.reason ?? 'undefined' } : r.value;
    },
  };
}

/** PWCCA between `X` [n, dx] and `Y` [n, dy] (rows = the same samples). */
export async function pwcca(X: MatrixLike, Y: MatrixLike, opts: PwccaOptions = {}): Promise<PwccaResult> {
  const [x, y] = checkPair(X, Y, 'pwcca');
  const m = pwccaMetric(opts);
  return pwccaOf(await m.prepare(x, 'X'), await m.prepare(y, 'Y'), opts.meanScore ?? false);
}
