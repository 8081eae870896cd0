/**
 * Trustworthiness of an embedding (Venna & Kaski 2001), as `sklearn.manifold.trustworthiness`: how far the
 * k nearest neighbours in the embedding are from being k nearest neighbours in the input space,
 *   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in N_k^emb(i) \ N_k^in(i)} (r(i, j) - k),
 * where r(i, j) is the rank of j among i's input-space neighbours (1 = nearest). 1 means every embedding
 * neighbourhood is an input neighbourhood. Used to check t-SNE and UMAP outputs against sklearn's.
 *
 * Cost: O(n^2 d) time and O(n) memory per row (no n x n matrix); ties in distance rank the lower index
 * first.
 */
import { toMatrix, assertSameRows, type Matrix, type MatrixLike } from '../matrix';
import { atF64, atFloat, atI32 } from '../util/at';

/** Options of `trustworthiness`. */
export interface TrustworthinessOptions {
  /** Neighbourhood size k (default 5); must be < n / 2. */
  nNeighbors?: number;
}

function distancesFrom(m: Matrix, i: number, out: Float64Array): void {
  const { rows: n, cols: d, data } = m;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const a = atFloat(data, i * d + c) - atFloat(data, j * d + c);
      s += a * a;
    }
    out[j] = s;
  }
  out[i] = Infinity;
}

/** Trustworthiness of `embedding` `[n, e]` for the input rows `X` `[n, d]`. */
export function trustworthiness(X: MatrixLike, embedding: MatrixLike, opts: TrustworthinessOptions = {}): number {
  const x = toMatrix(X, 'X');
  const y = toMatrix(embedding, 'embedding');
  assertSameRows(x, y, 'X', 'embedding');
  const n = x.rows;
  const k = opts.nNeighbors ?? 5;
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) throw new Error(`trustworthiness: nNeighbors must be an integer in [1, n/2) = [1, ${n / 2}), got ${k}`);
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  const order = new Int32Array(n);
  const rank = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    distancesFrom(x, i, dx);
    for (let j = 0; j < n; j++) order[j] = j;
    order.sort((a, b) => atF64(dx, a) - atF64(dx, b) || a - b);
    for (let r = 0; r < n; r++) rank[atI32(order, r)] = r + 1;
    distancesFrom(y, i, dy);
    for (let j = 0; j < n; j++) order[j] = j;
    order.sort((a, b) => atF64(dy, a) - atF64(dy, b) || a - b);
    for (let r = 0; r < k; r++) {
      const excess = atI32(rank, atI32(order, r)) - k;
      if (excess > 0) total += excess;
    }
  }
  return 1 - (total * 2) / (n * k * (2 * n - 3 * k - 1));
}
