import { at, atF64, atNum } from '../../util/at';
/**
 * Eigen-decomposition of a small dense symmetric matrix in float64: Householder reduction to tridiagonal
 * form, then implicit symmetric QR steps with the Wilkinson shift (Golub & Van Loan, "Matrix Computations",
 * algorithms 8.3.1 and 8.3.2), eigenvectors accumulated throughout. O(n^3); used for the d x d covariance
 * problems of CCA, where n is at most a few thousand.
 */

export interface SymmetricEigen {
  readonly n: number;
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** [n, n] row-major; ROW j is the unit eigenvector of `values[j]`. */
  readonly vectors: Float64Array;
}

const EPS = 2.220446049250313e-16;

/**
 * Eigenvalues and eigenvectors of the symmetric matrix `A` [n, n] (row-major; only symmetry up to rounding
 * is assumed, the average of A and A^T is decomposed). `A` is not modified.
 */
export function symmetricEigen(A: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0 || A.length !== n * n) {
    throw new Error(`symmetricEigen: expected an n x n matrix with n = ${n}, got ${A.length} values`);
  }
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = 0.5 * (at(A, i * n + j) + at(A, j * n + i));
      if (!Number.isFinite(v)) throw new Error(`symmetricEigen: entry (${i}, ${j}) is ${v}`);
      S[i * n + j] = v;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const Z = tridiagonalize(S, n, d, e);
  tridiagonalQR(d, e, Z, n);

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => atF64(d, b) - atF64(d, a) || a - b);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = atF64(d, src);
    vectors.set(Z.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { n, values, vectors };
}

/**
 * Reduce S (overwritten) to tridiagonal T = Q^T S Q; fills the diagonal `d` and off-diagonal `e`
 * (e[i] couples i and i + 1) and returns Z = Q^T [n, n] row-major.
 */
function tridiagonalize(S: Float64Array, n: number, d: Float64Array, e: Float64Array): Float64Array {
  const vs: Float64Array[] = [];
  const betas: number[] = [];
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    const m = n - k - 1;
    // Householder vector for the part of column k below the diagonal (row k, by symmetry).
    const v = new Float64Array(m);
    let norm2 = 0;
    for (let i = 0; i < m; i++) {
      const x = atF64(S, k * n + k + 1 + i);
      v[i] = x;
      norm2 += x * x;
    }
    const x0 = atF64(v, 0);
    const norm = Math.sqrt(norm2);
    const alpha = x0 > 0 ? -norm : norm;
    let beta = 0;
    if (norm > 0 && norm2 - x0 * x0 > 0) {
      v[0] = x0 - alpha;
      const vnorm2 = norm2 - x0 * x0 + atF64(v, 0) * atF64(v, 0);
      beta = 2 / vnorm2;
      // p = beta * S22 v; w = p - (beta / 2)(p . v) v; S22 -= v w^T + w v^T
      let pv = 0;
      for (let i = 0; i < m; i++) {
        const row = (k + 1 + i) * n + k + 1;
        let s = 0;
        for (let j = 0; j < m; j++) s += atF64(S, row + j) * atF64(v, j);
        p[i] = beta * s;
        pv += atF64(p, i) * atF64(v, i);
      }
      const kk = 0.5 * beta * pv;
      for (let i = 0; i < m; i++) p[i] -= kk * atF64(v, i);
      for (let i = 0; i < m; i++) {
        const row = (k + 1 + i) * n + k + 1;
        const vi = atF64(v, i);
        const wi = atF64(p, i);
        for (let j = 0; j < m; j++) S[row + j] = atF64(S, row + j) - vi * atF64(p, j) - wi * atF64(v, j);
      }
      e[k] = alpha;
    } else {
      e[k] = x0;
    }
    vs.push(v);
    betas.push(beta);
  }
  for (let i = 0; i < n; i++) d[i] = atF64(S, i * n + i);
  if (n >= 2) e[n - 2] = atF64(S, (n - 2) * n + n - 1);

  // Q = H_0 H_1 ... ; accumulate backwards, then store its transpose.
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  const s = new Float64Array(n);
  for (let k = vs.length - 1; k >= 0; k--) {
    const beta = atNum(betas, k);
    if (beta === 0) continue;
    const v = at(vs, k);
    const o = k + 1;
    s.fill(0, o, n);
    for (let i = 0; i < v.length; i++) {
      const vi = atF64(v, i);
      const row = (o + i) * n;
      for (let j = o; j < n; j++) s[j] += vi * atF64(Q, row + j);
    }
    for (let i = 0; i < v.length; i++) {
      const f = beta * atF64(v, i);
      const row = (o + i) * n;
      for (let j = o; j < n; j++) Q[row + j] -= f * atF64(s, j);
    }
  }
  const Z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Z[j * n + i] = atF64(Q, i * n + j);
  return Z;
}

/** Diagonalise the tridiagonal (d, e) in place; rotations are applied to the rows of Z. */
function tridiagonalQR(d: Float64Array, e: Float64Array, Z: Float64Array, n: number): void {
  let h = n - 1;
  let iterations = 0;
  const maxIterations = 60 * Math.max(n, 1);
  while (h > 0) {
    if (Math.abs(atF64(e, h - 1)) <= EPS * (Math.abs(atF64(d, h - 1)) + Math.abs(atF64(d, h)))) {
      e[h - 1] = 0;
      h--;
      continue;
    }
    let l = h - 1;
    while (l > 0 && Math.abs(atF64(e, l - 1)) > EPS * (Math.abs(atF64(d, l - 1)) + Math.abs(atF64(d, l)))) l--;
    if (l > 0) e[l - 1] = 0;
    if (++iterations > maxIterations) throw new Error(`symmetricEigen: QR iteration did not converge (n = ${n})`);
    // Wilkinson shift from the trailing 2 x 2 block.
    const dd = 0.5 * (atF64(d, h - 1) - atF64(d, h));
    const eh = atF64(e, h - 1);
    const mu = atF64(d, h) - (eh * eh) / (dd + (dd >= 0 ? 1 : -1) * Math.hypot(dd, eh));
    let x = atF64(d, l) - mu;
    let z = atF64(e, l);
    for (let k = l; k < h; k++) {
      const r = Math.hypot(x, z);
      const c = r === 0 ? 1 : x / r;
      const s = r === 0 ? 0 : z / r;
      if (k > l) e[k - 1] = r;
      const a = atF64(d, k);
      const b = atF64(e, k);
      const cc = atF64(d, k + 1);
      d[k] = c * c * a + 2 * c * s * b + s * s * cc;
      d[k + 1] = s * s * a - 2 * c * s * b + c * c * cc;
      e[k] = c * s * (cc - a) + (c * c - s * s) * b;
      if (k + 1 < h) {
        const next = atF64(e, k + 1);
        z = s * next;
        e[k + 1] = c * next;
        x = atF64(e, k);
      }
      const rk = k * n;
      const rk1 = (k + 1) * n;
      for (let j = 0; j < n; j++) {
        const zk = atF64(Z, rk + j);
        const zk1 = atF64(Z, rk1 + j);
        Z[rk + j] = c * zk + s * zk1;
        Z[rk1 + j] = c * zk1 - s * zk;
      }
    }
  }
}
