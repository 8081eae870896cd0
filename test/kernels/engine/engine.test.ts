import { Random } from '../../../src/random';
import type { Matrix } from '../../../src/matrix';
import { releaseGraphSessions } from '../../../src/onnx/graphSession';
import {
  centerColumns,
  centerColumnsChecked,
  columnMeans,
  crossProduct,
  gram,
  knnSearch,
  normalizeRows,
  rowProducts,
  symmetricEigen,
  topKNeighbors,
} from '../../../src/kernels/engine';
import { maxAbsDiff } from '../../maxAbsDiff';
import { at } from '../../../src/util/at';

afterAll(releaseGraphSessions);

function randomMatrix(rows: number, cols: number, seed: number, type: 'float32' | 'float64' = 'float64'): Matrix {
  const rng = new Random(seed);
  const data = type === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols, data };
}

function naiveXtY(X: Matrix, Y: Matrix): Float64Array {
  const out = new Float64Array(X.cols * Y.cols);
  for (let i = 0; i < X.rows; i++)
    for (let a = 0; a < X.cols; a++)
      for (let b = 0; b < Y.cols; b++) out[a * Y.cols + b] += at(X.data, i * X.cols + a) * at(Y.data, i * Y.cols + b);
  return out;
}

test('crossProduct and gram equal a naive float64 X^T Y, in both precisions and across row blocks', async () => {
  const X = randomMatrix(37, 5, 1);
  const Y = randomMatrix(37, 3, 2);
  const ref = naiveXtY(X, Y);
  const c64 = await crossProduct(X, Y);
  expect(c64.rows).toBe(5);
  expect(c64.cols).toBe(3);
  expect(maxAbsDiff(c64.data, ref)).toBeLessThan(1e-12);
  const c32 = await crossProduct(X, Y, { precision: 'float32', blockRows: 8 });
  expect(maxAbsDiff(c32.data, ref)).toBeLessThan(1e-4);
  const g = await gram(X, { blockRows: 10 });
  expect(maxAbsDiff(g.data, naiveXtY(X, X))).toBeLessThan(1e-12);
  await expect(crossProduct(X, randomMatrix(36, 3, 3))).rejects.toThrow(/37 rows but Y has 36/);
});

test('rowProducts is A B^T', async () => {
  const A = randomMatrix(4, 6, 3);
  const B = randomMatrix(5, 6, 4);
  const P = await rowProducts(A, B);
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let t = 0; t < 6; t++) s += at(A.data, i * 6 + t) * at(B.data, j * 6 + t);
      expect(P.data[i * 5 + j]).toBeCloseTo(s, 12);
    }
});

test('centring and row normalisation', () => {
  const X: Matrix = { rows: 3, cols: 2, data: Float64Array.of(1, 2, 3, 4, 5, 9) };
  expect(Array.from(columnMeans(X))).toEqual([3, 5]);
  expect(Array.from(centerColumns(X).data)).toEqual([-2, -3, 0, -1, 2, 4]);
  // centred [[-2,-3],[0,-1],[2,4]]: squares 4+9+0+1+4+16 = 34
  const c64 = centerColumnsChecked(X);
  expect(c64.sumOfSquares).toBe(34);
  expect(c64.finiteSums).toBe(true);
  // float32 output: the squares are those of the stored float32 values (0.1 minus the mean 0.2 rounds in float32)
  const X32: Matrix = { rows: 2, cols: 1, data: Float32Array.of(0.1, 0.3) };
  const c32 = centerColumnsChecked(X32, 'float32');
  const stored = Array.from(c32.centered.data);
  expect(c32.sumOfSquares).toBe(stored.reduce((s, v) => s + v * v, 0));
  expect(stored[0]).toBe(Math.fround(Math.fround(0.1) - (Math.fround(0.1) + Math.fround(0.3)) / 2));
  for (const bad of [NaN, Infinity, -Infinity]) {
    expect(centerColumnsChecked({ rows: 2, cols: 2, data: Float32Array.of(1, 2, bad, 4) }, 'float32').finiteSums).toBe(false);
  }
  const N = normalizeRows({ rows: 2, cols: 2, data: Float64Array.of(3, 4, 0, 0) });
  expect(Array.from(N.data)).toEqual([0.6, 0.8, 0, 0]);
});

function bruteKnn(X: Matrix, k: number, metric: 'inner' | 'cosine' | 'euclidean', excludeSelf: boolean): number[][] {
  const out: number[][] = [];
  const d = X.cols;
  const nrm = (i: number) => Math.max(Math.hypot(...Array.from(X.data.subarray(i * d, (i + 1) * d))), 1e-12);
  for (let i = 0; i < X.rows; i++) {
    const cand: [number, number][] = [];
    for (let j = 0; j < X.rows; j++) {
      if (excludeSelf && j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const a = at(X.data, i * d + t);
        const b = at(X.data, j * d + t);
        s += metric === 'euclidean' ? -(a - b) * (a - b) : a * b;
      }
      if (metric === 'cosine') s /= nrm(i) * nrm(j);
      cand.push([s, j]);
    }
    cand.sort((p, q) => q[0] - p[0] || p[1] - q[1]);
    out.push(cand.slice(0, k).map((c) => c[1]));
  }
  return out;
}

function lists(nb: { rows: number; k: number; indices: Int32Array }): number[][] {
  return Array.from({ length: nb.rows }, (_, i) => Array.from(nb.indices.subarray(i * nb.k, (i + 1) * nb.k)));
}

test('topKNeighbors matches brute force for every metric and precision, in several row blocks', async () => {
  const X = randomMatrix(45, 7, 5);
  for (const metric of ['inner', 'cosine', 'euclidean'] as const) {
    for (const precision of ['float32', 'float64'] as const) {
      const nb = await topKNeighbors(X, { k: 6, metric, precision, blockRows: 10 });
      expect(lists(nb)).toEqual(bruteKnn(X, 6, metric, true));
    }
  }
  const withSelf = await topKNeighbors(X, { k: 3, metric: 'euclidean', excludeSelf: false });
  expect(lists(withSelf)).toEqual(bruteKnn(X, 3, 'euclidean', false));
  for (let i = 0; i < X.rows; i++) expect(withSelf.values[i * 3]).toBe(0);
});

test('ties and duplicate rows go to the lower index, and a duplicate never counts as the row itself', async () => {
  // Rows 0, 2 and 5 are identical; rows 1 and 3 are identical.
  const base = [
    [1, 0, 0],
    [0, 1, 0],
    [1, 0, 0],
    [0, 1, 0],
    [0.5, 0.5, 0],
    [1, 0, 0],
  ];
  for (const type of ['float32', 'float64'] as const) {
    const data = type === 'float32' ? Float32Array.from(base.flat()) : Float64Array.from(base.flat());
    const X: Matrix = { rows: 6, cols: 3, data };
    const nb = await topKNeighbors(X, { k: 2, metric: 'inner' });
    expect(lists(nb)).toEqual([
      [2, 5],
      [3, 4],
      [0, 5],
      [1, 4],
      [0, 1],
      [0, 2],
    ]);
  }
  // ORT TopK itself on a constant row: lower indices first.
  const flat: Matrix = { rows: 5, cols: 2, data: new Float64Array(10).fill(1) };
  const nbFlat = await topKNeighbors(flat, { k: 3, metric: 'inner', rerank: false });
  expect(lists(nbFlat)).toEqual([
    [1, 2, 3],
    [0, 2, 3],
    [0, 1, 3],
    [0, 1, 2],
    [0, 1, 2],
  ]);
});

test('knnSearch finds nearest reference rows with exact squared distances', async () => {
  const C: Matrix = { rows: 3, cols: 2, data: Float64Array.of(0, 0, 10, 0, 0, 10) };
  const Q: Matrix = { rows: 2, cols: 2, data: Float32Array.of(1, 1, 9, 2) };
  const nb = await knnSearch(Q, C, { k: 2, metric: 'euclidean' });
  expect(lists(nb)).toEqual([
    [0, 1],
    [1, 0],
  ]);
  expect(Array.from(nb.values)).toEqual([2, 82, 5, 85]);
  await expect(knnSearch(Q, C, { k: 4 })).rejects.toThrow(/k = 4 but only 3/);
});

test('symmetricEigen reconstructs A and returns orthonormal vectors, descending values', () => {
  const n = 9;
  const R = randomMatrix(n, n, 11);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = at(R.data, i * n + j) + at(R.data, j * n + i);
  // one repeated eigenvalue direction: add a rank-1 term to make the spectrum less generic
  const { values, vectors } = symmetricEigen(A, n);
  for (let j = 1; j < n; j++) expect(at(values, j - 1)).toBeGreaterThanOrEqual(at(values, j));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let t = 0; t < n; t++) {
        s += at(vectors, t * n + i) * at(values, t) * at(vectors, t * n + j);
        o += at(vectors, i * n + t) * at(vectors, j * n + t);
      }
      expect(Math.abs(s - at(A, i * n + j))).toBeLessThan(1e-12);
      expect(Math.abs(o - (i === j ? 1 : 0))).toBeLessThan(1e-13);
    }
  // diagonal and 1x1 / 0x0 edge cases
  expect(Array.from(symmetricEigen([2, 0, 0, 5], 2).values)).toEqual([5, 2]);
  expect(Array.from(symmetricEigen([3], 1).values)).toEqual([3]);
  expect(symmetricEigen([], 0).values.length).toBe(0);
  // rank-deficient: ones(4,4) has eigenvalues 4, 0, 0, 0
  const ev = symmetricEigen(new Float64Array(16).fill(1), 4).values;
  expect(ev[0]).toBeCloseTo(4, 13);
  for (let j = 1; j < 4; j++) expect(Math.abs(at(ev, j))).toBeLessThan(1e-14);
});
