/**
 * The symmetric sparse graph of a kNN list, in CSR form: every directed edge `i -> j` lands in row `i` and
 * row `j`, each row is sorted by neighbour, and repeated entries of a row (the pair found from both ends)
 * are merged. Graph convexity keeps the larger weight (`np.maximum(D, D.T)`); t-SNE sums them (`P + P^T`).
 */
import { atF64, atI32, atNum } from '../util/at';
import type { WeightedGraph } from './shortestPaths';

/** How repeated entries of a row merge. */
export type MergeRule = 'max' | 'sum';

/**
 * From `rows` lists of `k` neighbours each (`neighbors[i * k + r]`, weight `weights[i * k + r]`) to the
 * symmetric CSR graph. Entries are merged in the order they were listed, so sums are reproducible.
 */
export function symmetricCSR(rows: number, k: number, neighbors: Int32Array, weights: Float64Array, merge: MergeRule): WeightedGraph {
  if (neighbors.length !== rows * k || weights.length !== rows * k) {
    throw new Error(`symmetricCSR: expected ${rows} x ${k} neighbours and weights, got ${neighbors.length} and ${weights.length}`);
  }
  const degree = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) {
    for (let r = 0; r < k; r++) {
      const j = atI32(neighbors, i * k + r);
      if (!(j >= 0 && j < rows)) throw new Error(`symmetricCSR: row ${i} lists neighbour ${j}, outside [0, ${rows})`);
      degree[i + 1] += 1;
      degree[j + 1] += 1;
    }
  }
  for (let i = 0; i < rows; i++) degree[i + 1] += atI32(degree, i);
  const fill = Int32Array.from(degree.subarray(0, rows));
  const listedTargets = new Int32Array(atI32(degree, rows));
  const listedWeights = new Float64Array(atI32(degree, rows));
  const put = (row: number, target: number, w: number): void => {
    const p = atI32(fill, row);
    listedTargets[p] = target;
    listedWeights[p] = w;
    fill[row] = p + 1;
  };
  for (let i = 0; i < rows; i++) {
    for (let r = 0; r < k; r++) {
      const j = atI32(neighbors, i * k + r);
      const w = atF64(weights, i * k + r);
      put(i, j, w);
      put(j, i, w);
    }
  }
  const offsets = new Int32Array(rows + 1);
  const targets: number[] = [];
  const merged: number[] = [];
  for (let i = 0; i < rows; i++) {
    const start = atI32(degree, i);
    const end = atI32(degree, i + 1);
    // Array.prototype.sort is stable, so equal neighbours keep their listed order.
    const order = Array.from({ length: end - start }, (_, t) => start + t).sort((a, b) => atI32(listedTargets, a) - atI32(listedTargets, b));
    let last = -1;
    for (const t of order) {
      const c = atI32(listedTargets, t);
      const w = atF64(listedWeights, t);
      if (c === last) {
        const q = merged.length - 1;
        merged[q] = merge === 'max' ? Math.max(atNum(merged, q), w) : atNum(merged, q) + w;
      } else {
        targets.push(c);
        merged.push(w);
        last = c;
      }
    }
    offsets[i + 1] = targets.length;
  }
  return { nodes: rows, offsets, targets: Int32Array.from(targets), weights: Float64Array.from(merged) };
}
