import { meanRowsInto } from '../src/matrix';

test('meanRowsInto averages a range of rows in float64 into one output row and refuses a range outside the matrix', () => {
  // rows [1, 2, 3], [4, 5, 6], [7, 8, 10], [100, 0, 0]
  const m = { rows: 4, cols: 3, data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 10, 100, 0, 0) };
  const out = new Float32Array(6).fill(-1);
  meanRowsInto(m, 0, 3, out, 1);
  expect(Array.from(out)).toEqual([-1, -1, -1, 4, 5, Math.fround(19 / 3)]);
  meanRowsInto(m, 3, 4, out, 0);
  expect(Array.from(out.subarray(0, 3))).toEqual([100, 0, 0]);
  // float64 accumulation: 2^24 + 1 + 1 is exact in float64, not in float32 running sums
  const big = { rows: 3, cols: 1, data: Float32Array.of(16777216, 1, 1) };
  const one = new Float32Array(1);
  meanRowsInto(big, 0, 3, one, 0);
  expect(one[0]).toBe(Math.fround(16777218 / 3));
  expect(() => meanRowsInto(m, 2, 5, out, 0)).toThrow(/rows \[2, 5\) is not a non-empty range of whole rows in \[0, 4\)/);
  expect(() => meanRowsInto(m, -1, 2, out, 0)).toThrow(/not a non-empty range/);
  expect(() => meanRowsInto(m, 2, 2, out, 0)).toThrow(/not a non-empty range/);
  expect(() => meanRowsInto(m, 0.5, 2, out, 0)).toThrow(/not a non-empty range/);
  expect(() => meanRowsInto(m, 0, 2, out, 2)).toThrow(/output row 2 is outside an output of 2 rows/);
});
