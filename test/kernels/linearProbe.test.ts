import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fitLogisticRegression, LogisticRegressionModel } from '../../src/kernels/logisticRegression';
import { linearProbe, stratifiedFolds } from '../../src/kernels/linearProbe';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { maxAbsDiff } from '../maxAbsDiff';
import { loadFixture } from './fixtureB';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

interface Coef {
  coef: number[][];
  intercept: number[];
}
interface PR {
  X: number[][];
  labels: number[];
  l2: number;
  folds: number[];
  foldAccuracies: number[];
  fold0: Coef;
  full: Coef;
}
const fx = loadFixture<PR>('probe.json');

/** sklearn's coef_ is [classes, features]; ours is [features, classes]. */
function transposed(c: Coef, d: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < d; j++) for (let k = 0; k < c.coef.length; k++) out.push((c.coef[k] as number[])[j] as number);
  return out;
}

test('coefficients match sklearn LogisticRegression(multinomial, C = 1/(n l2)) on standardised features', async () => {
  const m = await fitLogisticRegression(fx.X, fx.labels, { l2: fx.l2, tol: 1e-8, maxIter: 2000 });
  expect(m.converged).toBe(true);
  expect(maxAbsDiff(m.weights, transposed(fx.full, 12))).toBeLessThan(1e-6);
  expect(maxAbsDiff(m.bias, fx.full.intercept)).toBeLessThan(1e-6);
});

test("predict gives sklearn's argmax class on standardised features, and survives save/load", async () => {
  const m = await fitLogisticRegression(fx.X, fx.labels, { l2: fx.l2, tol: 1e-8, maxIter: 2000 });
  // sklearn's decision: argmax_k of (x - mean) / std . coef[k] + intercept[k], mean/std of the training rows (ddof 0).
  const d = 12;
  const n = fx.X.length;
  const mean = Array.from({ length: d }, (_, j) => fx.X.reduce((s, r) => s + at(r, j), 0) / n);
  const std = mean.map((mu, j) => Math.sqrt(fx.X.reduce((s, r) => s + (at(r, j) - mu) ** 2, 0) / n) || 1);
  const expected = fx.X.map((r) => {
    const scores = fx.full.coef.map((w, k) => w.reduce((s, wj, j) => s + (wj * (at(r, j) - at(mean, j))) / at(std, j), at(fx.full.intercept, k)));
    return scores.indexOf(Math.max(...scores));
  });
  expect(m.predict(fx.X)).toEqual(expected);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-logreg-'));
  try {
    const file = path.join(dir, 'probe.json');
    m.save(file);
    const back = LogisticRegressionModel.load(file);
    expect(back.classes).toEqual(m.classes);
    expect(Array.from(back.weights)).toEqual(Array.from(m.weights));
    expect(back.predict(fx.X)).toEqual(expected);
    expect(() => back.predict([[1, 2]])).toThrow(/X: has 2 columns but the model was fitted on 12 features/);
    expect(() => LogisticRegressionModel.fromJSON({ ...m.toJSON(), weights: [[1]] }, 'w.json')).toThrow(/w\.json: not a layerwise LogisticRegression model/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('per-fold accuracies on sklearn StratifiedKFold folds equal sklearn pipeline accuracies', async () => {
  const r = await linearProbe(fx.X, fx.labels, { folds: fx.folds, l2: fx.l2, tol: 1e-8, maxIter: 2000 });
  expect(r.foldAccuracies).toEqual(fx.foldAccuracies);
  const mean = fx.foldAccuracies.reduce((s, a) => s + a, 0) / 5;
  expect(r.accuracy).toBeCloseTo(mean, 14);
  expect(r.std).toBeCloseTo(Math.sqrt(fx.foldAccuracies.reduce((s, a) => s + (a - mean) ** 2, 0) / 5), 14);
  expect(r.converged).toBe(true);
});

test('seeded stratified folds keep class proportions and are deterministic', async () => {
  const codes = Int32Array.from(fx.labels);
  const f = stratifiedFolds(codes, 3, 5, 9);
  expect(Array.from(stratifiedFolds(codes, 3, 5, 9))).toEqual(Array.from(f));
  for (let c = 0; c < 3; c++) {
    const counts = [0, 0, 0, 0, 0];
    f.forEach((fold, i) => {
      if (codes[i] === c) counts[fold] = at(counts, fold) + 1;
    });
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  }
  const r = await linearProbe(fx.X, fx.labels, { folds: 5, seed: 9, l2: fx.l2 });
  expect(Array.from(r.foldOf)).toEqual(Array.from(f));
  expect(r.accuracy).toBeGreaterThan(r.majorityBaseline);
});

test('a linearly separable label is probed perfectly; argument checks', async () => {
  const X: number[][] = [];
  const y: string[] = [];
  for (let i = 0; i < 40; i++) {
    X.push([i % 2 === 0 ? -1 - i / 40 : 1 + i / 40, Math.sin(i)]);
    y.push(i % 2 === 0 ? 'neg' : 'pos');
  }
  const r = await linearProbe(X, y, { folds: 4 });
  expect(r.accuracy).toBe(1);
  expect(r.classes).toEqual(['neg', 'pos']);
  await expect(linearProbe(X, y.slice(1))).rejects.toThrow(/labels: has 39 labels but there are 40/);
  await expect(linearProbe(X, y.map(() => 'one'))).rejects.toThrow(/at least two classes/);
  await expect(linearProbe(X, y, { folds: 1 })).rejects.toThrow(/folds must be an integer in \[2, 40\]/);
  expect(r.warnings).toEqual([]);
});

test('classes smaller than the folds are warned about (as StratifiedKFold does), in the result and to onWarning', async () => {
  // 3 clips per word, 5 folds: the course assignment that ran silently
  const X: number[][] = [];
  const y: string[] = [];
  for (const [k, word] of ['yes', 'no', 'up'].entries()) for (let j = 0; j < 3; j++) {
    X.push([k + 0.1 * j, -k]);
    y.push(word);
  }
  const warned: string[] = [];
  const r = await linearProbe(X, y, { folds: 5, onWarning: (m) => warned.push(m) });
  expect(r.warnings).toEqual(["linearProbe: class 'no' has only 3 members, fewer than the 5 folds, so some folds test none of it; the accuracy rests on 9 items (3 classes)"]);
  expect(warned).toEqual(r.warnings);
});
