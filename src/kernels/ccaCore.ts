/**
 * Canonical correlation analysis as in google/svcca `cca_core.get_cca_similarity`, with the corrections of
 * ankitapasad/layerwise-analysis (`codes/tools/cca_core.py`): covariance with ddof 1 (`np.cov`), each
 * covariance rescaled by its largest absolute entry, dimensions whose rescaled variance is below `epsilon`
 * dropped, `epsilon` added to the diagonal as a ridge, `Sxx^-1/2` from the pseudo-inverse
 * (`np.linalg.pinv`, cut-off 1e-15 of the largest eigenvalue), and the canonical correlations as the
 * singular values of `Sxx^-1/2 Sxy Syy^-1/2`.
 *
 * Our matrices are [samples, features] (the originals take [neurons, datapoints]). The original asserts
 * features < samples; there the result is `{value: null, reason}`. The n x d products run in float64
 * through the engine; the d x d eigenproblems in float64 JS (`symmetricEigen`).
 *
 * Canonical directions are defined up to sign; `orientDirections` fixes it so that the largest-magnitude entry
 * of each X-side direction (a column of `Sxx^-1/2 u`, the weights on the features) is positive (first such entry
 * on ties; the Y-side direction's for a direction whose canonical correlation is zero up to rounding, whose X
 * side is zero here). Being a property of the directions, not of the singular vectors, it does not depend on
 * which whitening computed them. Mean CCA and SVCCA do not depend on it; PWCCA's weights do when features have
 * non-zero means (the original adds the means back before its QR), so our PWCCA equals the original run with
 * this sign convention.
 */
import { asFloat64, type Matrix } from '../matrix';
import { centerColumns, columnMeans, crossProduct, gram, matmul, rowProducts, symmetricEigen } from './engine';
import { largestEntrySign } from './largestEntrySign';
import type { Undefined } from './pairwiseMetric';
import { atF64, atFloat, atI32 } from '../util/at';

/** The outcome of a CCA-based similarity: `value` with the canonical correlations, or why it is undefined. */
export interface CcaResult {
  /** The similarity, or null where the original is undefined (see `reason`). */
  readonly value: number | null;
  /** Why `value` is null; absent when it is defined. */
  readonly reason?: string;
  /** Canonical correlations, descending (empty when undefined). */
  readonly coefficients: Float64Array;
}

/** One view, prepared: centred data, the kept dimensions and the inverse square root of their covariance. */
export interface CcaView {
  readonly name: string;
  readonly n: number;
  readonly raw: Matrix;
  readonly means: Float64Array;
  /** Column-centred data restricted to the kept dimensions [n, kept]. */
  readonly centered: Matrix<Float64Array>;
  /** Indices of the kept dimensions. */
  readonly kept: Int32Array;
  /** (Sxx + epsilon I)^-1/2 over the kept dimensions [kept, kept], rescaled covariance. */
  readonly invSqrt: Matrix<Float64Array>;
  /** Largest absolute entry of the covariance (the rescaling factor). */
  readonly scale: number;
}

/** The canonical correlations and vectors of a pair of views. */
export interface CcaPair {
  /** Singular values of Sxx^-1/2 Sxy Syy^-1/2, descending; min(kept x, kept y) of them. */
  readonly s: Float64Array;
  /** [kx, nd]: column i is the i-th left singular vector. */
  readonly u: Matrix<Float64Array>;
  /** [ky, nd]: column i is the i-th right singular vector. */
  readonly v: Matrix<Float64Array>;
}

export function checkEpsilon(epsilon: number, what: string): number {
  if (!(typeof epsilon === 'number' && epsilon >= 0 && Number.isFinite(epsilon))) {
    throw new Error(`${what}: epsilon must be a finite number >= 0, got ${epsilon}`);
  }
  return epsilon;
}

function undef(reason: string): Undefined {
  return { value: null, reason };
}

/** The kept dimensions of a view and the whitening of their rescaled, ridged covariance (see the module comment). */
export interface Whitening {
  readonly kept: Int32Array;
  readonly invSqrt: Matrix<Float64Array>;
  readonly scale: number;
}

/**
 * From a view's centred sum of products `xx` [d, d] (`Xc^T Xc`, not yet divided by n - 1): the rescaling, the
 * pruned dimensions and `(S + epsilon I)^-1/2`, or why CCA is undefined.
 */
export function whiteningFromScatter(xx: Float64Array, d: number, n: number, name: string, epsilon: number): Whitening | Undefined {
  let scale = 0;
  for (let t = 0; t < xx.length; t++) scale = Math.max(scale, Math.abs(atF64(xx, t) / (n - 1)));
  if (!(scale > 0)) return undef(`${name} is constant (zero covariance)`);
  const keptList: number[] = [];
  for (let i = 0; i < d; i++) if (Math.abs(atF64(xx, i * d + i) / (n - 1) / scale) >= epsilon) keptList.push(i);
  if (keptList.length === 0) return undef(`every dimension of ${name} has rescaled variance below epsilon = ${epsilon}`);
  const kept = Int32Array.from(keptList);
  const k = kept.length;
  const S = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) S[a * k + b] = atF64(xx, atI32(kept, a) * d + atI32(kept, b)) / (n - 1) / scale;
    S[a * k + a] += epsilon;
  }
  const invSqrt = inverseSqrt(S, k);
  if (invSqrt === null) return undef(`the covariance of ${name} has a negative eigenvalue beyond rounding`);
  return { kept, invSqrt: { rows: k, cols: k, data: invSqrt }, scale };
}

/** Prepare one view (per-input work shared by every pair it takes part in). */
export async function prepareView(X: Matrix, name: string, epsilon: number): Promise<CcaView | Undefined> {
  const n = X.rows;
  const d = X.cols;
  if (d >= n) return undef(`${name} has ${d} features for ${n} samples; CCA needs fewer features than samples`);
  const full = centerColumns(X, 'float64') as Matrix<Float64Array>;
  const w = whiteningFromScatter((await gram(full, { precision: 'float64' })).data, d, n, name, epsilon);
  if ('reason' in w) return w;
  const centered = w.kept.length === d ? full : selectColumns(full, w.kept);
  return { name, n, raw: X, means: columnMeans(X), centered, kept: w.kept, invSqrt: w.invSqrt, scale: w.scale };
}

/**
 * Canonical correlations of two views given only their centred sums of products (`blockMoments` over row
 * blocks): the same covariance, rescaling, pruning and ridge as `prepareView` + `ccaPair`.
 */
export async function ccaFromScatter(
  m: { readonly n: number; readonly xx: Matrix<Float64Array>; readonly yy: Matrix<Float64Array>; readonly xy: Matrix<Float64Array> },
  names: readonly [string, string],
  epsilon: number,
): Promise<CcaPair | Undefined> {
  const [p, q] = [m.xx.cols, m.yy.cols];
  for (const [d, name] of [[p, names[0]], [q, names[1]]] as const) {
    if (d >= m.n) return undef(`${name} has ${d} features for ${m.n} samples; CCA needs fewer features than samples`);
  }
  const a = whiteningFromScatter(m.xx.data, p, m.n, names[0], epsilon);
  if ('reason' in a) return a;
  const b = whiteningFromScatter(m.yy.data, q, m.n, names[1], epsilon);
  if ('reason' in b) return b;
  const [ka, kb] = [a.kept.length, b.kept.length];
  const sxy = new Float64Array(ka * kb);
  const f = 1 / (m.n - 1) / Math.sqrt(a.scale * b.scale);
  for (let i = 0; i < ka; i++) for (let j = 0; j < kb; j++) sxy[i * kb + j] = atF64(m.xy.data, atI32(a.kept, i) * q + atI32(b.kept, j)) * f;
  return canonicalPair(a.invSqrt, b.invSqrt, { rows: ka, cols: kb, data: sxy });
}

/** Columns `idx` of `M` as a new float64 matrix. */
export function selectColumns(M: Matrix, idx: Int32Array): Matrix<Float64Array> {
  const out = new Float64Array(M.rows * idx.length);
  for (let i = 0; i < M.rows; i++) for (let c = 0; c < idx.length; c++) out[i * idx.length + c] = atFloat(M.data, i * M.cols + atI32(idx, c));
  return { rows: M.rows, cols: idx.length, data: out };
}

/** pinv(S)^(1/2) for symmetric S: eigenvalues at most 1e-15 x the largest in magnitude count as zero. */
export function inverseSqrt(S: Float64Array, k: number): Float64Array | null {
  const { values, vectors } = symmetricEigen(S, k);
  let maxAbs = 0;
  for (let i = 0; i < k; i++) maxAbs = Math.max(maxAbs, Math.abs(atF64(values, i)));
  const cutoff = 1e-15 * maxAbs;
  const f = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const w = atF64(values, i);
    if (w > cutoff) f[i] = 1 / Math.sqrt(w);
    else if (w < -cutoff) return null;
  }
  const out = new Float64Array(k * k);
  for (let t = 0; t < k; t++) {
    const ft = atF64(f, t);
    if (ft === 0) continue;
    const row = t * k;
    for (let a = 0; a < k; a++) {
      const va = ft * atF64(vectors, row + a);
      for (let b = 0; b < k; b++) out[a * k + b] += va * atF64(vectors, row + b);
    }
  }
  return out;
}

/** M^T as a new float64 matrix. */
export function transpose(M: Matrix): Matrix<Float64Array> {
  const out = new Float64Array(M.rows * M.cols);
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) out[j * M.rows + i] = atFloat(M.data, i * M.cols + j);
  return { rows: M.cols, cols: M.rows, data: out };
}

/** Canonical correlations and vectors of two prepared views. */
export async function ccaPair(a: CcaView, b: CcaView): Promise<CcaPair> {
  if (a.n !== b.n) throw new Error(`CCA: ${a.name} has ${a.n} rows but ${b.name} has ${b.n}`);
  const sxy = await crossProduct(a.centered, b.centered, { precision: 'float64' });
  const f = 1 / (a.n - 1) / Math.sqrt(a.scale * b.scale);
  for (let t = 0; t < sxy.data.length; t++) sxy.data[t] *= f;
  return canonicalPair(a.invSqrt, b.invSqrt, sxy);
}

/**
 * The SVD of `A Sxy B` for whitening matrices `A` [kx, kx] and `B` [ky, ky] (`A^T A = Sxx^-1`, `B B^T = Syy^-1`:
 * the symmetric inverse square roots, or the inverses of Cholesky factors) and the rescaled cross-covariance
 * `sxy` [kx, ky] of the kept dimensions. The canonical directions are `A^T u` and `B v`; any whitening gives the
 * same directions and correlations.
 */
export async function canonicalPair(whitenX: Matrix<Float64Array>, whitenY: Matrix<Float64Array>, sxy: Matrix<Float64Array>): Promise<CcaPair> {
  const left = asFloat64(await matmul(whitenX, sxy, { precision: 'float64' }));
  return svdOfWhitened(asFloat64(await matmul(left, whitenY, { precision: 'float64' })));
}

/** Singular values and vectors of the whitened cross-covariance `arr` [kx, ky] (see `canonicalPair`). */
export async function svdOfWhitened(arr: Matrix<Float64Array>): Promise<CcaPair> {
  const kx = arr.rows;
  const ky = arr.cols;
  const nd = Math.min(kx, ky);
  // SVD from the eigenproblem of the smaller side: arr arr^T (kx <= ky) or arr^T arr; the other side's
  // vectors are arr^T p_i / s_i (or arr p_i / s_i).
  const small = kx <= ky ? arr : transpose(arr); // [nd, other]
  const M = asFloat64(await rowProducts(small, small, { precision: 'float64' }));
  const eig = symmetricEigen(M.data, nd);
  const s = new Float64Array(nd);
  const p = new Float64Array(nd * nd); // small-side vectors, column i
  for (let i = 0; i < nd; i++) {
    s[i] = Math.sqrt(Math.max(0, atF64(eig.values, i)));
    for (let r = 0; r < nd; r++) p[r * nd + i] = atF64(eig.vectors, i * nd + r);
  }
  const mapped = asFloat64(await matmul(transpose(small), { rows: nd, cols: nd, data: p }, { precision: 'float64' }));
  const q = mapped.data; // [other, nd]
  const other = mapped.rows;
  // Eigenvalues of arr arr^T carry absolute errors near 1e-16 s_max^2, so singular values below 1e-7 s_max
  // are rounding noise: their partner vectors would be arbitrary (LAPACK returns whatever its rounding
  // gives), and they are set to zero instead, which makes those directions' PWCCA correlation 0.
  const noise = 1e-7 * (s[0] ?? 0);
  for (let r = 0; r < other; r++) {
    for (let i = 0; i < nd; i++) {
      const si = atF64(s, i);
      q[r * nd + i] = si <= noise ? 0 : atF64(q, r * nd + i) / si;
    }
  }
  const u = kx <= ky ? p : q;
  const v = kx <= ky ? q : p;
  return { s, u: { rows: kx, cols: nd, data: u }, v: { rows: ky, cols: nd, data: v } };
}

/**
 * Fix the sign of each pair of canonical directions (columns of `wx` [dx, nd] and `wy` [dy, nd]) by the rule of
 * the file comment, in place.
 */
export function orientDirections(wx: Matrix<Float64Array>, wy: Matrix<Float64Array>): void {
  const nd = wx.cols;
  for (let i = 0; i < nd; i++) {
    let xZero = true;
    for (let r = 0; r < wx.rows && xZero; r++) xZero = wx.data[r * nd + i] === 0;
    if ((xZero ? largestEntrySign(wy.data, i, wy.rows, nd) : largestEntrySign(wx.data, i, wx.rows, nd)) < 0) {
      for (let r = 0; r < wx.rows; r++) wx.data[r * nd + i] = -atF64(wx.data, r * nd + i);
      for (let r = 0; r < wy.rows; r++) wy.data[r * nd + i] = -atF64(wy.data, r * nd + i);
    }
  }
}
