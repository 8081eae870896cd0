import * as fs from 'node:fs';
import * as path from 'node:path';
import { toMatrix, type Matrix } from '../../src/matrix';
import { Random } from '../../src/random';
import { ccaMoments, addMoments, CcaFitCache, fitCca, scoreCca } from '../../src/kernels/ccaSplits';
import { crossValidatedPwcca, oneHot, stratifiedFolds } from '../../src/kernels/crossValidatedPwcca';
import { householderQ, pwcca } from '../../src/kernels/pwcca';

interface Case {
  name: string;
  X: number[][];
  Y: number[][];
  train: number[];
  eval: number[];
  epsilon: [number, number];
  score: number;
  trainScore: number;
}
// NumPy re-typing of the peer's evaluation mode: test/fixtures/kernels/pwcca_split_reference.py.
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'kernels', 'pwcca_split.json'), 'utf8')) as { cases: Case[] };

function rows(M: Matrix, idx: readonly number[]): Matrix<Float64Array> {
  const out = new Float64Array(idx.length * M.cols);
  idx.forEach((r, i) => {
    for (let j = 0; j < M.cols; j++) out[i * M.cols + j] = M.data[r * M.cols + j] ?? NaN;
  });
  return { rows: idx.length, cols: M.cols, data: out };
}

const zeros = (n: number): Float64Array => new Float64Array(n);

describe('fitCca / scoreCca (the peer evaluation mode)', () => {
  it.each(ref.cases.map((c) => [c.name, c] as const))('%s: equals the NumPy reference within 1e-7', async (_name, c) => {
    const X = toMatrix(c.X);
    const Y = toMatrix(c.Y);
    const Xt = rows(X, c.train);
    const Yt = rows(Y, c.train);
    // Moments from two parts and an arbitrary shift sum to the same fit.
    const half = Int32Array.from({ length: Math.floor(Xt.rows / 2) }, (_, i) => i);
    const rest = Int32Array.from({ length: Xt.rows - half.length }, (_, i) => half.length + i);
    const shiftX = Float64Array.from({ length: X.cols }, (_, j) => 0.3 * j);
    const shiftY = Float64Array.from({ length: Y.cols }, (_, j) => -0.2 * j);
    const m = addMoments([await ccaMoments(Xt, Yt, half, shiftX, shiftY), await ccaMoments(Xt, Yt, rest, shiftX, shiftY)]);
    const fit = await fitCca(m, c.epsilon[0], c.epsilon[1], new CcaFitCache());
    if (typeof fit === 'string') throw new Error(fit);
    const s = await scoreCca(fit, rows(X, c.eval), rows(Y, c.eval));
    const t = await scoreCca(fit, Xt, Yt);
    // 1e-7: a ridge of 1e-10 on the singular covariance of one-hot labels amplifies rounding about 1e10-fold
    // (the frame cases agree to 1e-14).
    expect([s, t].map((v) => (typeof v === 'number' ? Math.abs(v - (v === s ? c.score : c.trainScore)) < 1e-7 : v))).toEqual([true, true]);
  });

  it('scored on its own training rows it is pwcca (equal epsilons)', async () => {
    const c = ref.cases[0];
    if (c === undefined) throw new Error('no case');
    const X = toMatrix(c.X);
    const Y = toMatrix(c.Y);
    const fit = await fitCca(await ccaMoments(X, Y, null, zeros(X.cols), zeros(Y.cols)), 1e-6, 1e-6);
    if (typeof fit === 'string') throw new Error(fit);
    const direct = await pwcca(X, Y, { epsilon: 1e-6 });
    const s = await scoreCca(fit, X, Y);
    expect(typeof s === 'number' && direct.value !== null ? Math.abs(s - direct.value) : s).toBeLessThan(1e-9);
  });

  it('an undefined fit says why (more features than training rows)', async () => {
    const X = toMatrix([[1, 2, 3], [2, 1, 0], [0, 1, 1]]);
    const Y = toMatrix([[1], [2], [0]]);
    expect(await fitCca(await ccaMoments(X, Y, null, zeros(3), zeros(1)), 1e-6, 1e-6)).toMatch(/X has 3 features for 3 training rows/);
  });
});

describe('householderQ', () => {
  it('orthonormal columns spanning D; for rank-deficient D still orthonormal, with D in its span', () => {
    const rng = new Random(4);
    const full = { rows: 30, cols: 4, data: Float64Array.from({ length: 120 }, () => rng.normal()) };
    // Column 3 = column 0 + column 1: rank 3.
    const def = { rows: 30, cols: 4, data: Float64Array.from(full.data) };
    for (let i = 0; i < 30; i++) def.data[i * 4 + 3] = (def.data[i * 4] ?? 0) + (def.data[i * 4 + 1] ?? 0);
    for (const D of [full, def]) {
      const Q = householderQ(D);
      for (let a = 0; a < 4; a++) {
        for (let b = 0; b < 4; b++) {
          let dot = 0;
          for (let i = 0; i < 30; i++) dot += (Q.data[i * 4 + a] ?? 0) * (Q.data[i * 4 + b] ?? 0);
          expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
      // Every column of D is reproduced by Q Q^T D.
      let err = 0;
      for (let c = 0; c < 4; c++) {
        const coef = [0, 1, 2, 3].map((a) => Array.from({ length: 30 }, (_, i) => (Q.data[i * 4 + a] ?? 0) * (D.data[i * 4 + c] ?? 0)).reduce((x, y) => x + y, 0));
        for (let i = 0; i < 30; i++) err = Math.max(err, Math.abs(coef.reduce((t, q, a) => t + q * (Q.data[i * 4 + a] ?? 0), 0) - (D.data[i * 4 + c] ?? 0)));
      }
      expect(err).toBeLessThan(1e-12);
    }
  });
});

describe('stratifiedFolds', () => {
  it('deals each label evenly over the parts, every row once', () => {
    const labels = Array.from({ length: 103 }, (_, i) => (i % 7 === 0 ? 'rare' : i % 2 === 0 ? 'a' : 'b'));
    const parts = stratifiedFolds(103, 10, new Random(1), labels);
    expect(parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    for (const l of ['rare', 'a', 'b']) {
      const per = parts.map((p) => Array.from(p).filter((r) => labels[r] === l).length);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
    expect(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length))).toBeLessThanOrEqual(1);
  });
});

describe('crossValidatedPwcca', () => {
  // Phone-like data: 6 labels, features = label means + noise, scored against one-hot labels.
  const rng = new Random(5);
  const n = 600;
  const labels = Array.from({ length: n }, () => `p${rng.int(6)}`);
  const centers = Array.from({ length: 6 }, () => Array.from({ length: 10 }, () => 3 * rng.normal()));
  const X = toMatrix(labels.map((l) => (centers[Number(l.slice(1))] ?? []).map((c) => c + rng.normal() + 2)));
  const Y = oneHot(labels, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);

  it('averages the test scores of 3 pairs, each with the dev-best of 6 defined candidates; seeded', async () => {
    const r = await crossValidatedPwcca(X, Y, { labels, seed: 2 });
    expect(r.splits).toHaveLength(3);
    expect(r.value).toBeCloseTo(r.splits.reduce((t, s) => t + s.testScore, 0) / 3, 12);
    for (const s of r.splits) {
      expect(s.tried).toBe(6);
      // Every candidate comes from the first (3 x 3) grid: 9 candidates precede the 4 x 4 grid.
      expect([1e-10, 1e-11, 1e-9]).toContain(s.epsilon[0]);
    }
    const pairs = r.splits.flatMap((s) => [s.dev, s.test]);
    expect(new Set(pairs).size).toBe(6);
    // Recompute one pair's test score from its parts and epsilon with the reference-checked fit.
    const parts = stratifiedFolds(n, 10, new Random('2:pwcca-cv'), labels);
    const s0 = r.splits[0];
    if (s0 === undefined) throw new Error('no split');
    const trainRows = parts.filter((_, i) => i !== s0.dev && i !== s0.test).flatMap((p) => Array.from(p));
    const fit = await fitCca(await ccaMoments(rows(X, trainRows), rows(Y, trainRows), null, zeros(10), zeros(6)), s0.epsilon[0], s0.epsilon[1]);
    if (typeof fit === 'string') throw new Error(fit);
    const testRows = Array.from(parts[s0.test] ?? []);
    const t = await scoreCca(fit, rows(X, testRows), rows(Y, testRows));
    expect(typeof t === 'number' ? Math.abs(t - s0.testScore) : t).toBeLessThan(1e-9);
    // The label structure is strong: the score is high; a shuffled pairing scores far lower.
    expect(r.value ?? 0).toBeGreaterThan(0.7);
    const shuffled = oneHot(new Random(9).shuffle(labels), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    const low = await crossValidatedPwcca(X, shuffled, { labels, seed: 2 });
    expect(low.value ?? 1).toBeLessThan(0.3);
    expect((await crossValidatedPwcca(X, Y, { labels, seed: 2 })).value).toBe(r.value);
  });

  it('null with the reason when no pair can be scored; bad options are refused', async () => {
    // 10 rows: each part holds one row, so the 8 training rows are fewer than the 9 features.
    const tiny = toMatrix(Array.from({ length: 10 }, (_, i) => Array.from({ length: 9 }, (_, j) => Math.sin(i * (j + 1)))));
    const r = await crossValidatedPwcca(tiny, tiny, {});
    expect(r.value).toBeNull();
    expect(r.reason).toMatch(/only 0 of 3 \(dev, test\) pairs gave a score: X has 9 features for 8 training rows/);
    await expect(crossValidatedPwcca(X, Y, { folds: 4, maxPairs: 3 })).rejects.toThrow(/need at least 6 folds/);
    await expect(crossValidatedPwcca(X, toMatrix([[1]]))).rejects.toThrow(/X has 600 rows but Y has 1/);
  });
});
