import { featureStats } from '../../src/kernels/featureStats';
import { maxAbsDiff } from '../maxAbsDiff';
import { loadFixture } from './fixtureB';
import { at } from '../../src/util/at';

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
