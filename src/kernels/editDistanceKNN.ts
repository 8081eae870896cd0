/**
 * Edit-distance k-NN (Huh et al. 2024, platonic-rep `edit_distance_knn`): 1 - mean Levenshtein distance
 * (`torchaudio.functional.edit_distance`) between each sample's ordered neighbour lists in X and Y, / k.
 */
import type { MatrixLike } from '../matrix';
import { checkPair, comparePair, definedValue, type PairwiseMetric } from './pairwiseMetric';
import { checkSameRows, knnLists, knnSettings, type KnnLists, type KnnOptions } from './knnLists';
import { atI32 } from '../util/at';

/** Options of `editDistanceKNN`. */
export type EditDistanceKNNOptions = KnnOptions;

/** Levenshtein distance between a[ao..ao+k) and b[bo..bo+k) (unit insert, delete and substitute costs). */
function editDistance(a: Int32Array, ao: number, b: Int32Array, bo: number, k: number, row: Int32Array = new Int32Array(k + 1)): number {
  for (let j = 0; j <= k; j++) row[j] = j;
  for (let i = 1; i <= k; i++) {
    let diag = atI32(row, 0); // dp[i-1][j-1]
    row[0] = i;
    for (let j = 1; j <= k; j++) {
      const up = atI32(row, j);
      const cost = a[ao + i - 1] === b[bo + j - 1] ? 0 : 1;
      row[j] = Math.min(up + 1, atI32(row, j - 1) + 1, diag + cost);
      diag = up;
    }
  }
  return atI32(row, k);
}

/** The metric behind `editDistanceKNN`, for `layerMatrix`. */
export function editDistanceKNNMetric(opts: EditDistanceKNNOptions = {}): PairwiseMetric<KnnLists> {
  knnSettings(opts, 'editDistanceKNN');
  return {
    name: 'editDistanceKNN',
    symmetric: true,
    prepare: (X, name) => knnLists(X, name, opts, 'editDistanceKNN'),
    async compare(a, b) {
      checkSameRows(a, b, 'editDistanceKNN');
      const { rows: n, k } = a;
      const row = new Int32Array(k + 1);
      let total = 0;
      for (let i = 0; i < n; i++) total += editDistance(a.indices, i * k, b.indices, i * k, k, row);
      return 1 - total / n / k;
    },
  };
}

/** 1 - mean normalised edit distance of the k-NN lists of `X` and `Y` (rows = the same samples), in [0, 1]. */
export async function editDistanceKNN(X: MatrixLike, Y: MatrixLike, opts: EditDistanceKNNOptions = {}): Promise<number> {
  const [x, y] = checkPair(X, Y, 'editDistanceKNN');
  return definedValue(await comparePair(editDistanceKNNMetric(opts), x, y), 'editDistanceKNN');
}
