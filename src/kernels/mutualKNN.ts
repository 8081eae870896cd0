/**
 * Mutual k-NN alignment (Huh et al. 2024, platonic-rep `mutual_knn`): for every sample, the share of its k
 * nearest neighbours in X that are also among its k nearest neighbours in Y, averaged over samples. 1 when
 * both spaces have the same neighbourhoods; about k / (n - 1) for unrelated ones.
 */
import type { MatrixLike } from '../matrix';
import { checkPair, comparePair, definedValue, type PairwiseMetric } from './pairwiseMetric';
import { checkSameRows, knnLists, knnSettings, type KnnLists, type KnnOptions } from './knnLists';
import { atI32 } from '../util/at';

/** Options of `mutualKNN`. */
export type MutualKNNOptions = KnnOptions;

/** The metric behind `mutualKNN`, for `layerMatrix`. */
export function mutualKNNMetric(opts: MutualKNNOptions = {}): PairwiseMetric<KnnLists> {
  knnSettings(opts, 'mutualKNN');
  return {
    name: 'mutualKNN',
    symmetric: true,
    prepare: (X, name) => knnLists(X, name, opts, 'mutualKNN'),
    async compare(a, b) {
      checkSameRows(a, b, 'mutualKNN');
      const { rows: n, k } = a;
      let total = 0;
      for (let i = 0; i < n; i++) {
        let shared = 0;
        for (let p = 0; p < k; p++) {
          const j = atI32(a.indices, i * k + p);
          for (let q = 0; q < k; q++) {
            if (b.indices[i * k + q] === j) {
              shared++;
              break;
            }
          }
        }
        total += shared / k;
      }
      return total / n;
    },
  };
}

/** Mutual k-NN between `X` [n, dx] and `Y` [n, dy] (rows = the same samples), in [0, 1]. */
export async function mutualKNN(X: MatrixLike, Y: MatrixLike, opts: MutualKNNOptions = {}): Promise<number> {
  const [x, y] = checkPair(X, Y, 'mutualKNN');
  return definedValue(await comparePair(mutualKNNMetric(opts), x, y), 'mutualKNN');
}
