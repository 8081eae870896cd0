/**
 * CCA fitted on one part of the data and scored on another, as layerwise-analysis scores its CCA experiments
 * (`CCA.get_cca_score` in evaluation mode, `codes/tools/cca_core.py`): the canonical directions come from the
 * training rows' covariances (rescaled, pruned, ridged as in `ccaCore`); the evaluated rows are centred on
 * their own means and projected, and the PWCCA weights use those rows (see `pwcca`).
 *
 * Training covariances come from moments (row count, column sums, cross-products), accumulated per part of a
 * split in float64 after shifting every column by a common offset, so a covariance over any union of parts is
 * a sum of moments: cross-validation over 10 parts computes the n x d products once per part, not once per
 * candidate epsilon and dev/test pair as the original does.
 *
 * Each side is whitened by the Cholesky factor of its ridged covariance (S + eps I = L L^T, whitening L^-1: a
 * third of the work of an eigendecomposition, and triangular solves instead of products) rather than the
 * original's symmetric `pinv(S)^1/2`: the canonical correlations and directions do not depend on the whitening,
 * and the sign convention is set on the directions (`orientDirections`). When the ridged covariance is not
 * numerically positive definite, the side falls back to the original's pseudo-inverse square root.
 */
import { asFloat64, type Matrix } from '../matrix';
import { orientDirections, selectColumns, svdOfWhitened, transpose } from './ccaCore';
import { choleskyUpper } from './cholesky';
import { columnMeans, crossProduct, matmul, symmetricEigen } from './engine';
import { directionCorrelations, weightedSum } from './pwcca';
import { atF64, atFloat, atI32 } from '../util/at';

/** Moments of a pair of views over some rows, after subtracting `shiftX` / `shiftY` from every row. */
export interface CcaMoments {
  readonly n: number;
  readonly dx: number;
  readonly dy: number;
  readonly sumX: Float64Array;
  readonly sumY: Float64Array;
  /** [dx, dx], [dy, dy], [dx, dy] sums of products of the shifted rows. */
  readonly xx: Float64Array;
  readonly yy: Float64Array;
  readonly xy: Float64Array;
}

/** A CCA fitted on training moments: kept dimensions and the projections `Sxx^-1/2 u` [kx, nd], `Syy^-1/2 v` [ky, nd]. */
export interface FittedCca {
  readonly keptX: Int32Array;
  readonly keptY: Int32Array;
  readonly wx: Matrix<Float64Array>;
  readonly wy: Matrix<Float64Array>;
  readonly coefficients: Float64Array;
}

function shiftedRows(M: Matrix, rows: Int32Array | null, shift: Float64Array): Matrix<Float64Array> {
  const n = rows === null ? M.rows : rows.length;
  const d = M.cols;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows === null ? i : atI32(rows, i);
    for (let j = 0; j < d; j++) out[i * d + j] = atFloat(M.data, r * d + j) - atF64(shift, j);
  }
  return { rows: n, cols: d, data: out };
}

/** The moments of rows `rows` (all when null) of X and Y, shifted by `shiftX`, `shiftY`. */
export async function ccaMoments(X: Matrix, Y: Matrix, rows: Int32Array | null, shiftX: Float64Array, shiftY: Float64Array): Promise<CcaMoments> {
  const xs = shiftedRows(X, rows, shiftX);
  const ys = shiftedRows(Y, rows, shiftY);
  const sum = (m: Matrix<Float64Array>): Float64Array => {
    const s = new Float64Array(m.cols);
    for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) s[j] += atF64(m.data, i * m.cols + j);
    return s;
  };
  const [xx, yy, xy] = await Promise.all([crossProduct(xs, xs, { precision: 'float64' }), crossProduct(ys, ys, { precision: 'float64' }), crossProduct(xs, ys, { precision: 'float64' })]);
  return { n: xs.rows, dx: X.cols, dy: Y.cols, sumX: sum(xs), sumY: sum(ys), xx: xx.data, yy: yy.data, xy: xy.data };
}

/** The sum of moments over disjoint row sets (same shifts). */
export function addMoments(parts: readonly CcaMoments[]): CcaMoments {
  const first = parts[0];
  if (first === undefined) throw new Error('addMoments: no parts');
  const add = (pick: (m: CcaMoments) => Float64Array): Float64Array => {
    const out = new Float64Array(pick(first).length);
    for (const m of parts) {
      const a = pick(m);
      for (let i = 0; i < a.length; i++) out[i] += atF64(a, i);
    }
    return out;
  };
  return { n: parts.reduce((t, m) => t + m.n, 0), dx: first.dx, dy: first.dy, sumX: add((m) => m.sumX), sumY: add((m) => m.sumY), xx: add((m) => m.xx), yy: add((m) => m.yy), xy: add((m) => m.xy) };
}

/** Covariance (ddof 1) of a view from its moments. */
function covariance(n: number, d: number, sum: Float64Array, prod: Float64Array): Float64Array {
  const cov = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    const ma = atF64(sum, a) / n;
    for (let b = 0; b < d; b++) cov[a * d + b] = (atF64(prod, a * d + b) - n * ma * (atF64(sum, b) / n)) / (n - 1);
  }
  return cov;
}

/** One whitened side: kept dimensions, rescaling, and its whitening A (A^T A = (S + eps I)^-1) as two operations. */
interface PreparedSide {
  readonly kept: Int32Array;
  readonly scale: number;
  /** A M for M [k, m]. */
  apply(M: Matrix<Float64Array>): Promise<Matrix<Float64Array>>;
  /** A^T M for M [k, m]: canonical directions from singular vectors. */
  direction(M: Matrix<Float64Array>): Promise<Matrix<Float64Array>>;
}

/**
 * Work reused across the candidates of one training set: Cholesky factors per (side, kept set, epsilon), and
 * for the pseudo-inverse fallback the eigendecomposition per kept set (the eigenvectors of S + eps I do not
 * depend on eps; its eigenvalues are S's shifted by eps).
 */
export class CcaFitCache {
  /** Whitened sides by (side, epsilon): the training covariance is fixed for the cache's lifetime. */
  readonly sides = new Map<string, PreparedSide | string>();
  readonly cholesky = new Map<string, Float64Array | null>();
  readonly eigen = new Map<string, { values: Float64Array; vectors: Float64Array }>();
}

/** R^-T M (forward substitution with R^T lower-triangular), M [k, m]. */
function solveUpperTransposed(R: Float64Array, k: number, M: Matrix<Float64Array>): Matrix<Float64Array> {
  const m = M.cols;
  const X = Float64Array.from(M.data);
  for (let i = 0; i < k; i++) {
    for (let t = 0; t < i; t++) {
      const l = atF64(R, t * k + i);
      if (l === 0) continue;
      for (let c = 0; c < m; c++) X[i * m + c] = atF64(X, i * m + c) - l * atF64(X, t * m + c);
    }
    const d = atF64(R, i * k + i);
    for (let c = 0; c < m; c++) X[i * m + c] = atF64(X, i * m + c) / d;
  }
  return { rows: k, cols: m, data: X };
}

/** R^-1 M (back substitution), M [k, m]. */
function solveUpper(R: Float64Array, k: number, M: Matrix<Float64Array>): Matrix<Float64Array> {
  const m = M.cols;
  const X = Float64Array.from(M.data);
  for (let i = k - 1; i >= 0; i--) {
    for (let t = i + 1; t < k; t++) {
      const l = atF64(R, i * k + t);
      if (l === 0) continue;
      for (let c = 0; c < m; c++) X[i * m + c] = atF64(X, i * m + c) - l * atF64(X, t * m + c);
    }
    const d = atF64(R, i * k + i);
    for (let c = 0; c < m; c++) X[i * m + c] = atF64(X, i * m + c) / d;
  }
  return { rows: k, cols: m, data: X };
}

async function prepareSide(cov: Float64Array, d: number, n: number, epsilon: number, name: string, cache: CcaFitCache | undefined): Promise<PreparedSide | string> {
  if (d >= n) return `${name} has ${d} features for ${n} training rows; CCA needs fewer features than samples`;
  let scale = 0;
  for (let t = 0; t < cov.length; t++) scale = Math.max(scale, Math.abs(atF64(cov, t)));
  if (!(scale > 0)) return `${name} is constant on the training rows`;
  const keptList: number[] = [];
  for (let i = 0; i < d; i++) if (Math.abs(atF64(cov, i * d + i) / scale) >= epsilon) keptList.push(i);
  if (keptList.length === 0) return `every dimension of ${name} has rescaled variance below epsilon = ${epsilon}`;
  const kept = Int32Array.from(keptList);
  const k = kept.length;
  const S = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) S[a * k + b] = atF64(cov, atI32(kept, a) * d + atI32(kept, b)) / scale;
  const key = `${name}:${keptList.length === d ? 'all' : keptList.join(',')}`;
  const cholKey = `${key}:${epsilon}`;
  let R = cache?.cholesky.get(cholKey);
  if (R === undefined) {
    // Read from S's lower triangle (the products behind it need not be bitwise symmetric); R^T R = S + eps I.
    const ridged = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) ridged[a * k + b] = atF64(S, b * k + a) + (a === b ? epsilon : 0);
    R = choleskyUpper(ridged, k, 1e-14);
    cache?.cholesky.set(cholKey, R);
  }
  if (R !== null) {
    const factor = R;
    // Whitening A = R^-T: A M by forward substitution, A^T M = R^-1 M by back substitution.
    return { kept, scale, apply: async (M) => solveUpperTransposed(factor, k, M), direction: async (M) => solveUpper(factor, k, M) };
  }
  let eig = cache?.eigen.get(key);
  if (eig === undefined) {
    eig = symmetricEigen(S, k);
    cache?.eigen.set(key, eig);
  }
  // pinv(S + eps I)^(1/2) with np.linalg.pinv's cut-off (1e-15 of the largest eigenvalue magnitude).
  let maxAbs = 0;
  for (let i = 0; i < k; i++) maxAbs = Math.max(maxAbs, Math.abs(atF64(eig.values, i) + epsilon));
  const cutoff = 1e-15 * maxAbs;
  const scaled = new Float64Array(k * k); // rows: f_t v_t
  for (let t = 0; t < k; t++) {
    const w = atF64(eig.values, t) + epsilon;
    if (w < -cutoff) return `the covariance of ${name} has a negative eigenvalue beyond rounding`;
    const f = w > cutoff ? 1 / Math.sqrt(w) : 0;
    for (let a = 0; a < k; a++) scaled[t * k + a] = f * atF64(eig.vectors, t * k + a);
  }
  // V^T diag(f) V in one product (symmetric, so A = A^T).
  const inv = await crossProduct({ rows: k, cols: k, data: eig.vectors }, { rows: k, cols: k, data: scaled }, { precision: 'float64' });
  const times = async (M: Matrix<Float64Array>): Promise<Matrix<Float64Array>> => asFloat64(await matmul(inv, M, { precision: 'float64' }));
  return { kept, scale, apply: times, direction: times };
}

/**
 * Fit CCA on `m` with ridges `epsX`, `epsY`; a string says why it is undefined (the original's LinAlgError or
 * assert). A `cache` must only be shared by fits of the same moments.
 */
export async function fitCca(m: CcaMoments, epsX: number, epsY: number, cache?: CcaFitCache): Promise<FittedCca | string> {
  const side = async (name: 'X' | 'Y', eps: number): Promise<PreparedSide | string> => {
    const key = `${name}:${eps}`;
    const hit = cache?.sides.get(key);
    if (hit !== undefined) return hit;
    const made = name === 'X' ? await prepareSide(covariance(m.n, m.dx, m.sumX, m.xx), m.dx, m.n, eps, 'X', cache) : await prepareSide(covariance(m.n, m.dy, m.sumY, m.yy), m.dy, m.n, eps, 'Y', cache);
    cache?.sides.set(key, made);
    return made;
  };
  const x = await side('X', epsX);
  if (typeof x === 'string') return x;
  const y = await side('Y', epsY);
  if (typeof y === 'string') return y;
  const kx = x.kept.length;
  const ky = y.kept.length;
  const sxy = new Float64Array(kx * ky);
  const f = 1 / (m.n - 1) / Math.sqrt(x.scale * y.scale);
  for (let a = 0; a < kx; a++) {
    const i = atI32(x.kept, a);
    const mi = atF64(m.sumX, i) / m.n;
    for (let b = 0; b < ky; b++) {
      const j = atI32(y.kept, b);
      sxy[a * ky + b] = (atF64(m.xy, i * m.dy + j) - m.n * mi * (atF64(m.sumY, j) / m.n)) * f;
    }
  }
  // arr = A_x Sxy A_y^T = (A_y (A_x Sxy)^T)^T, then directions A_x^T u and A_y^T v.
  const left = await x.apply({ rows: kx, cols: ky, data: sxy });
  const arr = transpose(await y.apply(transpose(left)));
  const { s, u, v } = await svdOfWhitened(arr);
  const wx = await x.direction(u);
  const wy = await y.direction(v);
  orientDirections(wx, wy);
  return { keptX: x.kept, keptY: y.kept, wx, wy, coefficients: s };
}

async function project(M: Matrix, kept: Int32Array, means: Float64Array, w: Matrix<Float64Array>): Promise<Matrix<Float64Array>> {
  const sel = selectColumns(M, kept);
  for (let i = 0; i < sel.rows; i++) for (let c = 0; c < sel.cols; c++) sel.data[i * sel.cols + c] -= atF64(means, atI32(kept, c));
  return asFloat64(await matmul(sel, w, { precision: 'float64' }));
}

/**
 * The PWCCA score of a fitted CCA on rows X [n, dx], Y [n, dy] (the peer's evaluation mode): the X side's
 * weights when fewer X dimensions were kept, else Y's. A string says why it is undefined.
 */
export async function scoreCca(fit: FittedCca, X: Matrix, Y: Matrix): Promise<number | string> {
  if (X.rows !== Y.rows) throw new Error(`scoreCca: X has ${X.rows} rows but Y has ${Y.rows}`);
  const mx = columnMeans(X);
  const my = columnMeans(Y);
  const px = await project(X, fit.keptX, mx, fit.wx);
  const py = await project(Y, fit.keptY, my, fit.wy);
  const corr = directionCorrelations(px, py);
  const useX = fit.keptX.length < fit.keptY.length;
  const score = useX ? await weightedSum({ means: mx, raw: X, kept: fit.keptX }, px, corr) : await weightedSum({ means: my, raw: Y, kept: fit.keptY }, py, corr);
  return score === null ? 'the evaluated rows are fewer than the canonical directions, so the QR weights are undefined' : score;
}
