/**
 * Longest-common-subsequence k-NN (Huh et al. 2024, platonic-rep `lcs_knn`): the length of the longest
 * common subsequence of each sample's ordered neighbour lists in X and in Y, averaged over samples. As in
 * platonic-rep the value is a length in [0, k], not divided by k.
 */
import type { MatrixLike } from '../matrix';
import { checkPair, comparePair, definedValue, type PairwiseMetric } from './pairwiseMetric';
import { checkSameRows, knnLists, knnSettings, type KnnLists, type KnnOptions } from './knnLists';
import { atI32 } from '../util/at';

/** Options of `lcsKNN`. */
export type LcsKNNOptions = KnnOptions;

/** Length of the longest common subsequence of a[ao..ao+k) and b[bo..bo+k) (dynamic programming). */
function lcsLength(a: Int32Array, ao: number, b: Int32Array, bo: number, k: number, row: Int32Array = new Int32Array(k + 1)): number {
  row.fill(0);
  for (let i = 1; i <= k; i++) {
    let diag = 0; // dp[i-1][j-1]
    for (let j = 1; j <= k; j++) {
      const up = atI32(row, j); // dp[i-1][j]
      row[j] = a[ao + i - 1] === b[bo + j - 1] ? diag + 1 : Math.max(up, atI32(row, j - 1));
      diag = up;
    }
  }
  return atI32(row, k);
}

/** The metric behind `lcsKNN`, for `layerMatrix`. */
export function lcsKNNMetric(opts: LcsKNNOptions = {}): PairwiseMetric<KnnLists> {
  knnSettings(opts, 'lcsKNN');
  return {
    name: 'lcsKNN',
    symmetric: true,
    prepare: (X, name) => knnLists(X, name, opts, 'lcsKNN'),
    async compare(a, b) {
      checkSameRows(a, b, 'lcsKNN');
      const { rows: n, k } = a;
      const row = new Int32Array(k + 1);
      let total = 0;
      for (let i = 0; i < n; i++) total += lcsLength(a.indices, i * k, b.indices, i * k, k, row);
      return total / n;
    },
  };
}

/** Mean LCS length of the k-NN lists of `X` [n, dx] and `Y` [n, dy] (rows = the same samples), in [0, k]. */
export async function lcsKNN(X: MatrixLike, Y: MatrixLike, opts: LcsKNNOptions = {}): Promise<number> {
  const [x, y] = checkPair(X, Y, 'lcsKNN');
  return definedValue(await comparePair(lcsKNNMetric(opts), x, y), 'lcsKNN');
}
