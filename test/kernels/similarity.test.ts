import * as fs from 'node:fs';
import * as path from 'node:path';
import { Random } from '../../src/random';
import type { Matrix } from '../../src/matrix';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { linearCKA } from '../../src/kernels/linearCKA';
import { rbfCKA } from '../../src/kernels/rbfCKA';
import { mutualKNN } from '../../src/kernels/mutualKNN';
import { cycleKNN } from '../../src/kernels/cycleKNN';
import { lcsKNN } from '../../src/kernels/lcsKNN';
import { editDistanceKNN } from '../../src/kernels/editDistanceKNN';
import { cknna } from '../../src/kernels/cknna';
import { cosineSimilarity } from '../../src/kernels/cosineSimilarity';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

interface Case {
  name: string;
  X: number[][];
  Y: number[][];
  k: number;
  [key: string]: unknown;
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/kernels/similarity.json'), 'utf8')) as { cases: Case[] };

function num(c: Case, key: string): number {
  const v = c[key];
  if (typeof v !== 'number') throw new Error(`fixture ${c.name} has no number '${key}'`);
  return v;
}

function f32(rows: number[][]): Matrix {
  return { rows: rows.length, cols: (rows[0] as number[]).length, data: Float32Array.from(rows.flat()) };
}

describe.each(fixture.cases.map((c) => [c.name, c] as const))('NumPy references: %s', (_name, c) => {
  test('linear CKA, biased and debiased, float64 (1e-6) and float32 (1e-4)', async () => {
    expect(await linearCKA(c.X, c.Y)).toBeCloseTo(num(c, 'linearCKA'), 6);
    expect(await linearCKA(c.X, c.Y, { debiased: true })).toBeCloseTo(num(c, 'linearCKADebiased'), 6);
    expect(Math.abs((await linearCKA(f32(c.X), f32(c.Y))) - num(c, 'linearCKA'))).toBeLessThan(1e-4);
    expect(Math.abs((await linearCKA(f32(c.X), f32(c.Y), { debiased: true })) - num(c, 'linearCKADebiased'))).toBeLessThan(1e-4);
  });

  test('RBF CKA at thresholds 1 and 0.5, biased and debiased', async () => {
    for (const t of [1, 0.5]) {
      const key = `rbfCKA_t${t === 1 ? '1.0' : '0.5'}`;
      expect(await rbfCKA(c.X, c.Y, { threshold: t })).toBeCloseTo(num(c, key), 6);
      expect(await rbfCKA(c.X, c.Y, { threshold: t, debiased: true })).toBeCloseTo(num(c, `${key}Debiased`), 6);
    }
    expect(Math.abs((await rbfCKA(f32(c.X), f32(c.Y))) - num(c, 'rbfCKA_t1.0'))).toBeLessThan(1e-4);
  });

  test('platonic-rep kNN metrics, normalised and raw', async () => {
    for (const normalize of [true, false]) {
      const tag = normalize ? 'Norm' : 'Raw';
      const o = { k: c.k, normalize };
      expect(await mutualKNN(c.X, c.Y, o)).toBeCloseTo(num(c, `mutualKNN${tag}`), 12);
      expect(await cycleKNN(c.X, c.Y, o)).toBeCloseTo(num(c, `cycleKNN${tag}`), 12);
      expect(await cycleKNN(c.Y, c.X, o)).toBeCloseTo(num(c, `cycleKNNReverse${tag}`), 12);
      expect(await lcsKNN(c.X, c.Y, o)).toBeCloseTo(num(c, `lcsKNN${tag}`), 12);
      expect(await editDistanceKNN(c.X, c.Y, o)).toBeCloseTo(num(c, `editDistanceKNN${tag}`), 12);
      expect(await cknna(c.X, c.Y, o)).toBeCloseTo(num(c, `cknna${tag}`), 6);
      expect(await cknna(c.X, c.Y, { ...o, unbiased: false })).toBeCloseTo(num(c, `cknnaBiased${tag}`), 6);
      // float32 inputs give the same neighbour lists
      expect(await mutualKNN(f32(c.X), f32(c.Y), o)).toBeCloseTo(num(c, `mutualKNN${tag}`), 12);
      expect(Math.abs((await cknna(f32(c.X), f32(c.Y), o)) - num(c, `cknna${tag}`))).toBeLessThan(1e-4);
    }
  });

  if (typeof c['cosineSimilarity'] === 'number') {
    test('mean paired cosine = trace(cosine_similarity) / n', async () => {
      expect(await cosineSimilarity(c.X, c.Y)).toBeCloseTo(num(c, 'cosineSimilarity'), 12);
    });
  }
});

function randn(rows: number, cols: number, rng: Random): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
}

function matmul(A: number[][], B: number[][]): number[][] {
  return A.map((r) => (B[0] as number[]).map((_, j) => r.reduce((s, v, t) => s + v * ((B[t] as number[])[j] as number), 0)));
}

/** A random orthogonal matrix: Gram-Schmidt on Gaussian columns. */
function orthogonal(d: number, rng: Random): number[][] {
  const cols: number[][] = [];
  while (cols.length < d) {
    let v = Array.from({ length: d }, () => rng.normal());
    for (const c of cols) {
      const p = v.reduce((s, x, i) => s + x * at(c, i), 0);
      v = v.map((x, i) => x - p * at(c, i));
    }
    const nv = Math.hypot(...v);
    cols.push(v.map((x) => x / nv));
  }
  return Array.from({ length: d }, (_, i) => cols.map((c) => at(c, i)));
}

describe('closed forms', () => {
  const rng = new Random(7);
  const X = randn(50, 8, rng);
  const Q = orthogonal(8, rng);
  const XQ = matmul(X, Q);

  test('CKA(X, XQ) = 1 for orthogonal Q, and CKA is invariant to isotropic scaling', async () => {
    expect(await linearCKA(X, XQ)).toBeCloseTo(1, 10);
    expect(await linearCKA(X, XQ, { debiased: true })).toBeCloseTo(1, 10);
    expect(await rbfCKA(X, XQ)).toBeCloseTo(1, 10);
    const Y = randn(50, 5, rng);
    const Y3 = Y.map((r) => r.map((v) => 3.5 * v));
    expect(await linearCKA(X, Y3)).toBeCloseTo(await linearCKA(X, Y), 12);
    expect(await rbfCKA(X, Y3)).toBeCloseTo(await rbfCKA(X, Y), 12);
  });

  test('Gram space (n < d) equals feature space on the same data', async () => {
    const A = randn(6, 30, rng);
    const B = randn(6, 25, rng);
    const gramSpace = await linearCKA(A, B);
    // padding rows would change the data; instead compare against the closed form via explicit Grams
    const center = (M: number[][]) => {
      const mean = (M[0] as number[]).map((_, j) => M.reduce((s, r) => s + at(r, j), 0) / M.length);
      return M.map((r) => r.map((v, j) => v - at(mean, j)));
    };
    const gram = (M: number[][]) => M.map((r) => M.map((s) => r.reduce((acc, v, t) => acc + v * at(s, t), 0)));
    const K = gram(center(A));
    const L = gram(center(B));
    const dotKL = K.flat().reduce((s, v, i) => s + v * (L.flat()[i] as number), 0);
    const nK = Math.sqrt(K.flat().reduce((s, v) => s + v * v, 0));
    const nL = Math.sqrt(L.flat().reduce((s, v) => s + v * v, 0));
    expect(gramSpace).toBeCloseTo(dotKL / (nK * nL), 12);
  });

  test('mutual kNN(X, X) = 1 and the kNN family agrees with itself', async () => {
    expect(await mutualKNN(X, X, { k: 5 })).toBe(1);
    expect(await mutualKNN(X, XQ, { k: 5, normalize: false })).toBe(1);
    expect(await lcsKNN(X, X, { k: 5 })).toBe(5);
    expect(await editDistanceKNN(X, X, { k: 5 })).toBe(1);
    expect(await cknna(X, X, { k: 5 })).toBeGreaterThan(0.99);
    expect(await cosineSimilarity(X, X)).toBeCloseTo(1, 14);
  });
});

describe('input checks', () => {
  test('row mismatch, NaN, widths and degenerate inputs give named errors', async () => {
    const A = [
      [1, 2],
      [3, 4],
      [5, 7],
      [1, 0],
    ];
    await expect(linearCKA(A, A.slice(0, 3))).rejects.toThrow(/X has 4 rows but Y has 3/);
    await expect(mutualKNN(A, [[1], [2], [Number.NaN], [4]], { k: 1 })).rejects.toThrow(/Y: contains NaN at row 2/);
    await expect(cosineSimilarity(A, [[1], [2], [3], [4]])).rejects.toThrow(/2 columns but Y has 1/);
    await expect(linearCKA(A, [[1], [1], [1], [1]])).rejects.toThrow(/Y has no variance/);
    await expect(linearCKA(A.slice(0, 3), A.slice(0, 3), { debiased: true })).rejects.toThrow(/at least 4/);
    await expect(mutualKNN(A, A, { k: 4 })).rejects.toThrow(/k = 4 needs at least 5 rows/);
    await expect(cknna(A, A, { k: 1 })).rejects.toThrow(/k must be an integer >= 2/);
    await expect(rbfCKA([[1], [1], [1], [2]], A)).rejects.toThrow(/median squared distance/);
  });
});
