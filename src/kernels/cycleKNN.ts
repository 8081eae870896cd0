/**
 * Cycle k-NN (Huh et al. 2024, platonic-rep `cycle_knn`): sample i counts as a hit when it is among the
 * X-neighbours of at least one of its Y-neighbours (`knn_A[knn_B]` contains i); the score is the share of
 * hits. Not symmetric: `cycleKNN(X, Y)` goes through Y first, then X.
 */
import type { MatrixLike } from '../matrix';
import { checkPair, comparePair, definedValue, type PairwiseMetric } from './pairwiseMetric';
import { checkSameRows, knnLists, knnSettings, type KnnLists, type KnnOptions } from './knnLists';
import { atI32 } from '../util/at';

/** Options of `cycleKNN`. */
export type CycleKNNOptions = KnnOptions;

/** The metric behind `cycleKNN`, for `layerMatrix` (row = X, column = Y). */
export function cycleKNNMetric(opts: CycleKNNOptions = {}): PairwiseMetric<KnnLists> {
  knnSettings(opts, 'cycleKNN');
  return {
    name: 'cycleKNN',
    symmetric: false,
    prepare: (X, name) => knnLists(X, name, opts, 'cycleKNN'),
    async compare(a, b) {
      checkSameRows(a, b, 'cycleKNN');
      const { rows: n, k } = a;
      let hits = 0;
      for (let i = 0; i < n; i++) {
        let hit = false;
        for (let q = 0; q < k && !hit; q++) {
          const j = atI32(b.indices, i * k + q);
          for (let p = 0; p < k; p++) {
            if (a.indices[j * k + p] === i) {
              hit = true;
              break;
            }
          }
        }
        if (hit) hits++;
      }
      return hits / n;
    },
  };
}

/** Cycle k-NN accuracy of `X` [n, dx] through `Y` [n, dy] (rows = the same samples), in [0, 1]. */
export async function cycleKNN(X: MatrixLike, Y: MatrixLike, opts: CycleKNNOptions = {}): Promise<number> {
  const [x, y] = checkPair(X, Y, 'cycleKNN');
  return definedValue(await comparePair(cycleKNNMetric(opts), x, y), 'cycleKNN');
}
