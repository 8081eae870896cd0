import { featureStats } from '../../src/kernels/featureStats';
import { maxAbsDiff } from '../maxAbsDiff';
import { loadFixture } from './fixtureB';
import { at } from '../../src/util/at';
import type { RowBlocks } from '../../src/matrix';
import { Random } from '../../src/random';

interface FS {
  X: number[][];
  mean: number[];
  var0: number[];
  var1: number[];
  overallMean: number;
  overallStd0: number;
  overallStd1: number;
}
const fx = loadFixture<FS>('featurestats.json');

test('per-feature and overall statistics match NumPy (ddof 0 and 1)', () => {
  const s0 = featureStats(fx.X);
  expect(maxAbsDiff(s0.mean, fx.mean)).toBeLessThan(1e-9);
  expect(maxAbsDiff(s0.variance, fx.var0)).toBeLessThan(1e-9);
  expect(maxAbsDiff(s0.std, fx.var0.map(Math.sqrt))).toBeLessThan(1e-9);
  expect(s0.overallMean).toBeCloseTo(fx.overallMean, 9);
  expect(s0.overallStd).toBeCloseTo(fx.overallStd0, 9);
  const s1 = featureStats(fx.X, { ddof: 1 });
  expect(maxAbsDiff(s1.variance, fx.var1)).toBeLessThan(1e-9);
  expect(s1.overallStd).toBeCloseTo(fx.overallStd1, 9);
  const sorted = [...fx.var0].sort((a, b) => a - b);
  expect(s0.varianceMin).toBeCloseTo(at(sorted, 0), 9);
  expect(s0.varianceMax).toBeCloseTo(at(sorted, sorted.length - 1), 9);
  expect(s0.varianceMedian).toBeCloseTo(at(sorted, 3), 9);
});

test('float32 input, a constant feature, and input left untouched', () => {
  const data = Float32Array.of(1, 5, 3, 5, 5, 5, 7, 5);
  const copy = Float32Array.from(data);
  const s = featureStats({ rows: 4, cols: 2, data });
  expect(Array.from(s.mean)).toEqual([4, 5]);
  expect(Array.from(s.variance)).toEqual([5, 0]);
  expect(s.meanOfMeans).toBe(4.5);
  expect(s.stdOfMeans).toBe(0.5);
  expect(data).toEqual(copy);
});

test('rejects NaN and too few rows', () => {
  expect(() => featureStats([[1, NaN]])).toThrow(/X: contains NaN at row 0, column 1/);
  expect(() => featureStats([[1, 2]], { ddof: 1 })).toThrow(/needs at least 2 rows/);
});

test('row blocks (layers larger than memory) give the statistics of the whole matrix', () => {
  const rng = new Random(11);
  const n = 3001;
  const d = 7;
  const data = new Float32Array(n * d).map((_, k) => 1000 * (k % d) + rng.normal() * (1 + (k % 3)));
  const whole = featureStats({ rows: n, cols: d, data }, { ddof: 1 });
  const blocks: RowBlocks = {
    rows: n,
    cols: d,
    name: 'layer',
    *blocks() {
      for (let r = 0; r < n; r += 500) yield { rows: Math.min(500, n - r), cols: d, data: data.slice(r * d, Math.min(n, r + 500) * d) };
    },
  };
  const streamed = featureStats(blocks, { ddof: 1 });
  expect(streamed.n).toBe(n);
  for (let j = 0; j < d; j++) {
    expect(streamed.mean[j]).toBeCloseTo(whole.mean[j] ?? 0, 9);
    expect(streamed.variance[j]).toBeCloseTo(whole.variance[j] ?? 0, 8);
  }
  expect(streamed.overallMean).toBeCloseTo(whole.overallMean, 8);
  expect(streamed.overallStd).toBeCloseTo(whole.overallStd, 8);
  const bad = data.slice();
  bad[2500 * d + 3] = Number.NaN;
  expect(() => featureStats({ ...blocks, blocks: () => [{ rows: n, cols: d, data: bad }] })).toThrow('featureStats: layer, rows 0-3000: holds NaN or infinite values');
});
