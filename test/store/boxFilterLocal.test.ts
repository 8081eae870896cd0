import { boxFilterLocal } from '../../src/store/boxFilterLocal';
import { convFrames } from '../../src/model/convGeometry';

// wav2vec2's feature encoder: kernels 10,3,3,3,3,2,2, strides 5,2,2,2,2,2,2, no padding.
const GEO = { kernels: [10, 3, 3, 3, 3, 2, 2], strides: [5, 2, 2, 2, 2, 2, 2], pads: [0, 0, 0, 0, 0, 0, 0] };
const FILTERS = [[79, 32], [39, 16], [19, 8], [9, 4], [4, 2], [2, 1]] as const;

/** Rows whose value is the row index in channel 0 and minus it in channel 1. */
function ramp(rows: number): { rows: number; cols: number; data: Float32Array } {
  const data = new Float32Array(rows * 2);
  for (let t = 0; t < rows; t++) {
    data[2 * t] = t;
    data[2 * t + 1] = -t;
  }
  return { rows, cols: 2, data };
}

describe('boxFilterLocal', () => {
  it.each([16000, 16399, 23456])('puts conv layers 1-6 of a %i-sample clip on the 10 ms fbank grid (closed form)', (n) => {
    const counts = convFrames(n, GEO);
    const grid = Math.floor((n - 400) / 160) + 1;
    FILTERS.forEach(([k, s], i) => {
      const rows = counts[i] ?? 0;
      const out = boxFilterLocal(ramp(rows), i + 1, n);
      // The box mean of a ramp over rows t s .. t s + k - 1 is t s + (k - 1) / 2.
      const T = Math.min(Math.floor((rows - k) / s) + 1, grid);
      expect(out.rows).toBe(T);
      expect(Math.abs(out.rows - grid)).toBeLessThanOrEqual(1);
      const want = Float32Array.from({ length: 2 * T }, (_, q) => (q % 2 === 0 ? 1 : -1) * (Math.floor(q / 2) * s + (k - 1) / 2));
      expect(Array.from(out.data)).toEqual(Array.from(want));
    });
    const seven = ramp(counts[6] ?? 0);
    expect(boxFilterLocal(seven, 7, n)).toBe(seven);
  });

  it('refuses layer numbers outside 1..7 and clips too short for one frame', () => {
    expect(() => boxFilterLocal(ramp(10), 0, 1000)).toThrow(/conv layer number 1..7, got 0/);
    expect(() => boxFilterLocal(ramp(50), 1, 300)).toThrow(/local.1: 50 frames \(300 samples\) is too short/);
  });
});
