/**
 * Centred Gram matrices of examples for Gram-space CKA (Kornblith et al. 2019), kept as their strict upper
 * triangle plus diagonal (symmetric, so half the memory). Kernels are built in row blocks through the
 * engine; centring follows Kornblith's `center_gram`: double centring for the biased HSIC, and the
 * U-centring of Szekely & Rizzo (2014) for the unbiased one (Song et al. 2012), whose inner product is
 * n (n - 3) times the unbiased HSIC estimator.
 */
import type { Matrix } from '../matrix';
import { rowProducts, type Precision } from './engine';
import { atF64, atFloat } from '../util/at';

/** Largest sample count for which a kernel matrix of examples may be materialised. */
export const MAX_GRAM_ROWS = 20000;

/** A symmetric n x n matrix as diagonal [n] plus strict upper triangle [n (n - 1) / 2], row by row. */
export interface CondensedSymmetric {
  readonly n: number;
  readonly diag: Float64Array;
  readonly upper: Float64Array;
}

/** A centred Gram matrix with its squared Frobenius norm. */
export interface CenteredGram extends CondensedSymmetric {
  readonly debiased: boolean;
  readonly selfInner: number;
}

function checkSize(n: number, what: string): void {
  if (n > MAX_GRAM_ROWS) {
    throw new Error(`${what}: needs the ${n} x ${n} kernel matrix of examples, above the ${MAX_GRAM_ROWS}-row limit; subsample rows`);
  }
}

/** The linear kernel `X X^T` of `X` [n, d], computed in row blocks (each block one Gemm). */
export async function linearKernel(X: Matrix, precision: Precision, what: string): Promise<CondensedSymmetric> {
  const n = X.rows;
  checkSize(n, what);
  const diag = new Float64Array(n);
  const upper = new Float64Array((n * (n - 1)) / 2);
  const block = Math.max(1, Math.floor(8388608 / Math.max(n, 1)));
  let pos = 0;
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    const rows: Matrix = { rows: r1 - r0, cols: X.cols, data: X.data.subarray(r0 * X.cols, r1 * X.cols) };
    const P = await rowProducts(rows, X, { precision });
    for (let i = r0; i < r1; i++) {
      const o = (i - r0) * n;
      diag[i] = atFloat(P.data, o + i);
      for (let j = i + 1; j < n; j++) upper[pos++] = atFloat(P.data, o + j);
    }
  }
  return { n, diag, upper };
}

/** In-place quickselect: the value of rank `k` (0-based) of `a`. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    const x = atF64(a, lo);
    const y = atF64(a, mid);
    const z = atF64(a, hi);
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (atF64(a, i) < pivot) i++;
      while (atF64(a, j) > pivot) j--;
      if (i <= j) {
        const t = atF64(a, i);
        a[i] = atF64(a, j);
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return atF64(a, k);
  }
  return atF64(a, k);
}

/**
 * `np.median` of the full n x n matrix of squared distances (its n zeros on the diagonal and every
 * off-diagonal value twice), from the strict upper triangle `upper`.
 */
export function medianOfSymmetric(upper: Float64Array, n: number): number {
  const total = n * n;
  const work = Float64Array.from(upper);
  const at = (p: number): number => (p < n ? 0 : select(work, Math.floor((p - n) / 2)));
  return total % 2 === 1 ? at((total - 1) / 2) : 0.5 * (at(total / 2 - 1) + at(total / 2));
}

/**
 * The RBF kernel exp(-|x_i - x_j|^2 / (2 threshold^2 m)), m the median of all n^2 squared distances
 * (Kornblith's `gram_rbf`). Squared distances come from the Gram matrix as |x_i|^2 + |x_j|^2 - 2 x_i.x_j,
 * clipped at 0 (rounding can make them slightly negative), the diagonal exactly 0.
 */
export async function rbfKernel(X: Matrix, threshold: number, precision: Precision, what: string): Promise<CondensedSymmetric> {
  const G = await linearKernel(X, precision, what);
  const { n, diag } = G;
  const dist = G.upper;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const gi = atF64(diag, i);
    for (let j = i + 1; j < n; j++) {
      dist[pos] = Math.max(0, gi + atF64(diag, j) - 2 * atF64(dist, pos));
      pos++;
    }
  }
  const median = medianOfSymmetric(dist, n);
  if (!(median > 0)) {
    throw new Error(`${what}: the median squared distance between rows is 0 (most rows are identical), so the RBF bandwidth is undefined`);
  }
  const scale = -1 / (2 * threshold * threshold * median);
  for (let t = 0; t < dist.length; t++) dist[t] = Math.exp(atF64(dist, t) * scale);
  return { n, diag: new Float64Array(n).fill(1), upper: dist };
}

/** Centre a kernel matrix (taking ownership of `K`'s arrays) for biased or unbiased HSIC. */
export function centerGram(K: CondensedSymmetric, debiased: boolean): CenteredGram {
  const { n, diag, upper } = K;
  const rowSum = new Float64Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = atF64(upper, pos++);
      rowSum[i] += v;
      rowSum[j] += v;
    }
  }
  const shift = new Float64Array(n);
  let constant = 0;
  if (debiased) {
    // U-centring: zero diagonal; shift_i = r_i / (n - 2) - sum(r) / (2 (n - 1) (n - 2)), r without diagonal.
    let total = 0;
    for (let i = 0; i < n; i++) {
      shift[i] = atF64(rowSum, i) / (n - 2);
      total += atF64(shift, i);
    }
    const c = total / (2 * (n - 1));
    for (let i = 0; i < n; i++) shift[i] -= c;
  } else {
    let meanOfMeans = 0;
    for (let i = 0; i < n; i++) {
      shift[i] = (atF64(rowSum, i) + atF64(diag, i)) / n;
      meanOfMeans += atF64(shift, i);
    }
    constant = meanOfMeans / n;
  }
  let self = 0;
  pos = 0;
  for (let i = 0; i < n; i++) {
    const si = atF64(shift, i);
    if (debiased) diag[i] = 0;
    else {
      diag[i] = atF64(diag, i) - 2 * si + constant;
      self += atF64(diag, i) * atF64(diag, i);
    }
    let acc = 0;
    for (let j = i + 1; j < n; j++) {
      const v = atF64(upper, pos) - si - atF64(shift, j) + constant;
      upper[pos++] = v;
      acc += v * v;
    }
    self += 2 * acc;
  }
  return { n, diag, upper, debiased, selfInner: self };
}

/** Frobenius inner product of two centred Grams of the same samples. */
export function centeredInner(a: CenteredGram, b: CenteredGram): number {
  let s = 0;
  for (let i = 0; i < a.n; i++) s += atF64(a.diag, i) * atF64(b.diag, i);
  let off = 0;
  const ua = a.upper;
  const ub = b.upper;
  for (let t = 0; t < ua.length; t++) off += atF64(ua, t) * atF64(ub, t);
  return s + 2 * off;
}
