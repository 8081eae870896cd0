/**
 * Mean cosine similarity of paired rows: the seed notebook's `cosine_similarity(X, Y).trace() / n`
 * (scikit-learn's `cosine_similarity`, whose trace pairs row i of X with row i of Y). Zero rows have cosine
 * 0 with everything, as scikit-learn's `normalize` leaves them zero. O(n d) in float64; no n x n matrix.
 */
import type { Matrix, MatrixLike } from '../matrix';
import { checkPair, comparePair, definedValue, type PairwiseMetric } from './pairwiseMetric';
import { atF64, atFloat } from '../util/at';

/** The metric behind `cosineSimilarity`, for `layerMatrix`. */
export function cosineSimilarityMetric(): PairwiseMetric<Matrix & { readonly name: string; readonly inv: Float64Array }> {
  return {
    name: 'cosineSimilarity',
    symmetric: true,
    async prepare(X, name) {
      const inv = new Float64Array(X.rows);
      for (let i = 0; i < X.rows; i++) {
        let s = 0;
        for (let j = 0; j < X.cols; j++) s += atFloat(X.data, i * X.cols + j) ** 2;
        inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
      }
      return { rows: X.rows, cols: X.cols, data: X.data, name, inv };
    },
    async compare(a, b) {
      if (a.rows !== b.rows) throw new Error(`cosineSimilarity: ${a.name} has ${a.rows} rows but ${b.name} has ${b.rows}`);
      if (a.cols !== b.cols) {
        throw new Error(
          `cosineSimilarity: ${a.name} has ${a.cols} columns but ${b.name} has ${b.cols}; paired-row cosine needs the same feature space (use linearCKA or mutualKNN across different widths)`,
        );
      }
      const d = a.cols;
      let total = 0;
      for (let i = 0; i < a.rows; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += atFloat(a.data, i * d + j) * atFloat(b.data, i * d + j);
        total += s * atF64(a.inv, i) * atF64(b.inv, i);
      }
      return total / a.rows;
    },
  };
}

/** Mean cosine similarity of row i of `X` [n, d] with row i of `Y` [n, d], in [-1, 1]. */
export async function cosineSimilarity(X: MatrixLike, Y: MatrixLike): Promise<number> {
  const [x, y] = checkPair(X, Y, 'cosineSimilarity', 1);
  return definedValue(await comparePair(cosineSimilarityMetric(), x, y), 'cosineSimilarity');
}
