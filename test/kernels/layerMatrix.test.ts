import { Random } from '../../src/random';
import type { Matrix } from '../../src/matrix';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { crossLayerMatrix, layerMatrix } from '../../src/kernels/layerMatrix';
import { linearCKA } from '../../src/kernels/linearCKA';
import { mutualKNN } from '../../src/kernels/mutualKNN';
import { cycleKNN } from '../../src/kernels/cycleKNN';
import { cosineSimilarity } from '../../src/kernels/cosineSimilarity';
import { pwcca } from '../../src/kernels/pwcca';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

/** Layers of a toy "network": each layer a noisy nonlinear map of the previous one. */
function toyLayers(n: number, d: number, L: number, seed: number): Matrix[] {
  const rng = new Random(seed);
  let prev = Array.from({ length: n * d }, () => rng.normal());
  const layers: Matrix[] = [];
  for (let l = 0; l < L; l++) {
    const W = Array.from({ length: d * d }, () => rng.normal() / Math.sqrt(d));
    const next = new Float64Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += at(prev, i * d + t) * at(W, t * d + j);
        next[i * d + j] = Math.tanh(s) + 0.1 * rng.normal();
      }
    layers.push({ rows: n, cols: d, data: next });
    prev = Array.from(next);
  }
  return layers;
}

test('every entry equals the pairwise kernel, symmetric metrics are mirrored, the diagonal is 1', async () => {
  const layers = toyLayers(30, 6, 4, 1);
  const cka = await layerMatrix(layers, 'linearCKA');
  const knn = await layerMatrix(layers, 'mutualKNN', { k: 5, normalize: false });
  const cyc = await layerMatrix(layers, 'cycleKNN', { k: 3 });
  const cos = await layerMatrix(layers, 'cosineSimilarity');
  expect(cka.names).toEqual(['layer 0', 'layer 1', 'layer 2', 'layer 3']);
  for (let i = 0; i < 4; i++) {
    expect(cka.values[i]?.[i]).toBeCloseTo(1, 12);
    expect(knn.values[i]?.[i]).toBe(1);
    for (let j = 0; j < 4; j++) {
      const X = layers[i] as Matrix;
      const Y = layers[j] as Matrix;
      expect(cka.values[i]?.[j]).toBeCloseTo(await linearCKA(X, Y), 12);
      expect(cka.values[i]?.[j]).toBe(cka.values[j]?.[i]);
      expect(knn.values[i]?.[j]).toBe(await mutualKNN(X, Y, { k: 5, normalize: false }));
      expect(cyc.values[i]?.[j]).toBe(await cycleKNN(X, Y, { k: 3 }));
      expect(cos.values[i]?.[j]).toBeCloseTo(await cosineSimilarity(X, Y), 12);
    }
  }
});

test('crossLayerMatrix compares two models, and undefined CCA entries are NaN with a reason', async () => {
  const A = toyLayers(12, 4, 2, 2);
  const wide = toyLayers(12, 13, 1, 3); // 13 features for 12 samples: CCA undefined
  const res = await crossLayerMatrix(A, [...A, ...wide], 'pwcca', { names: ['a0', 'a1'], columnNames: ['b0', 'b1', 'wide'] });
  expect(res.columnNames).toEqual(['b0', 'b1', 'wide']);
  expect(res.values[0]?.[1]).toBeCloseTo((await pwcca(A[0] as Matrix, A[1] as Matrix)).value as number, 12);
  expect(res.values[1]?.[2]).toBeNaN();
  expect(res.undefinedEntries).toEqual([
    { row: 0, column: 2, reason: expect.stringMatching(/wide has 13 features for 12 samples/) },
    { row: 1, column: 2, reason: expect.stringMatching(/wide has 13 features for 12 samples/) },
  ]);
});

test('progress, names and input errors', async () => {
  const layers = toyLayers(10, 3, 3, 4);
  const seen: number[] = [];
  await layerMatrix(layers, 'linearCKA', { names: ['x', 'y', 'z'], onProgress: (done, total) => seen.push(done / total) });
  expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((d) => d / 6));
  await expect(layerMatrix([layers[0] as Matrix, { rows: 9, cols: 3, data: new Float64Array(27) }], 'linearCKA')).rejects.toThrow(
    /layer 1 has 9 rows but layer 0 has 10/,
  );
  await expect(layerMatrix(layers, 'nope' as 'linearCKA')).rejects.toThrow(/unknown metric 'nope'/);
  await expect(layerMatrix([], 'linearCKA')).rejects.toThrow(/non-empty array/);
});

test('layerMatrix linearCKA rejects a non-finite value from its centring pass, naming the layer, row and column', async () => {
  const rng = new Random(3);
  const layer = (): Matrix => ({ rows: 6, cols: 3, data: Float32Array.from({ length: 18 }, () => rng.normal()) });
  const bad = layer();
  bad.data[2 * 3 + 1] = NaN;
  await expect(layerMatrix([layer(), bad], 'linearCKA', { names: ['first', 'second'] })).rejects.toThrow(/second: contains NaN at row 2, column 1/);
  const inf = layer();
  inf.data[5 * 3 + 2] = -Infinity;
  await expect(crossLayerMatrix([layer()], [inf], 'linearCKA', { columnNames: ['B0'] })).rejects.toThrow(/B0: contains -Infinity at row 5, column 2/);
  // finite float64 values whose column sums overflow: said as such, not as a non-finite value
  const huge: Matrix = { rows: 4, cols: 2, data: Float64Array.of(1.5e308, 1, 1.5e308, 2, 1.5e308, 3, -1e308, 4) };
  const small: Matrix = { rows: 4, cols: 2, data: Float64Array.of(1, 2, 3, 4, 5, 6, 7, 9) };
  await expect(layerMatrix([huge, small], 'linearCKA', { names: ['big', 'small'] })).rejects.toThrow(/big's column sums overflow float64; rescale/);
  // the metrics without a pass of their own still scan in layerMatrix
  await expect(layerMatrix([layer(), bad], 'cosineSimilarity')).rejects.toThrow(/contains NaN at row 2, column 1/);
});
