import * as fs from 'node:fs';
import * as path from 'node:path';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { SAETrainer, type StepResult } from '../../src/sae/SAETrainer';
import type { SAEVariant } from '../../src/sae/SAEConfig';
import { SAE_PARAMETERS, type SAEParameter, type SAEWeights } from '../../src/sae/SAEWeights';
import type { FloatArray } from '../../src/matrix';
import { maxAbsDiff } from '../maxAbsDiff';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

type Params = Record<SAEParameter, number[]>;
interface Step {
  loss: number;
  sse: number;
  l0: number;
  minKept: number | null;
  grads: Params;
  weights: Params;
}
interface Case {
  batches: number[][];
  float32: { init: Params; steps: Step[] };
  float64: { init: Params; steps: Step[] };
}
interface Fixture {
  d: number;
  latents: number;
  batch: number;
  k: number;
  l1: number;
  lr: number;
  betas: [number, number];
  eps: number;
  cases: Record<SAEVariant, Case>;
}

const fx = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/sae/steps.json'), 'utf8')) as Fixture;
const variants: SAEVariant[] = ['relu-l1', 'topk', 'batch-topk'];

function weightsOf(p: Params, type: 'float32' | 'float64'): SAEWeights<FloatArray> {
  const conv = (a: number[]): FloatArray => (type === 'float32' ? Float32Array.from(a) : Float64Array.from(a));
  return { encoder: conv(p.encoder), decoder: conv(p.decoder), encoderBias: conv(p.encoderBias), decoderBias: conv(p.decoderBias) };
}

function trainer(variant: SAEVariant, init: Params, type: 'float32' | 'float64', withGrads = true): SAETrainer {
  return new SAETrainer(weightsOf(init, type), fx.d, fx.latents, { variant, k: fx.k, betas: fx.betas, eps: fx.eps, type, withGrads });
}

describe.each(variants)('SAE train step, %s', (variant) => {
  const c = fx.cases[variant];

  test('float64: loss, gradients and Adam updates match PyTorch autograd + torch.optim.Adam over 3 steps', async () => {
    const tr = trainer(variant, c.float64.init, 'float64');
    for (let s = 0; s < 3; s++) {
      const ref = c.float64.steps[s] as Step;
      const r = await tr.step({ rows: fx.batch, cols: fx.d, data: Float64Array.from(c.batches[s] as number[]) }, fx.lr, fx.l1);
      expect(Math.abs(r.loss - ref.loss)).toBeLessThan(1e-10 * Math.max(1, Math.abs(ref.loss)));
      expect(Math.abs(r.sse - ref.sse)).toBeLessThan(1e-10 * Math.max(1, ref.sse));
      expect(r.l0).toBeCloseTo(ref.l0, 12);
      if (variant === 'batch-topk') expect(r.minKept).toBeCloseTo(ref.minKept ?? NaN, 12);
      const grads = r.grads;
      if (grads === undefined) throw new Error('no grads');
      for (const p of SAE_PARAMETERS) {
        expect(maxAbsDiff(grads[p], ref.grads[p])).toBeLessThan(1e-10);
        expect(maxAbsDiff(tr.weights[p], ref.weights[p])).toBeLessThan(1e-10);
      }
    }
  });

  test('float32: same loss, gradients and weights after 3 Adam steps as PyTorch float32 within 1e-4', async () => {
    const tr = trainer(variant, c.float32.init, 'float32');
    for (let s = 0; s < 3; s++) {
      const ref = c.float32.steps[s] as Step;
      const r = await tr.step({ rows: fx.batch, cols: fx.d, data: Float32Array.from(c.batches[s] as number[]) }, fx.lr, fx.l1);
      expect(Math.abs(r.loss - ref.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.loss)));
      const grads = r.grads;
      if (grads === undefined) throw new Error('no grads');
      for (const p of SAE_PARAMETERS) expect(maxAbsDiff(grads[p], ref.grads[p])).toBeLessThan(1e-4);
    }
    const last = c.float32.steps[2] as Step;
    for (const p of SAE_PARAMETERS) expect(maxAbsDiff(tr.weights[p], last.weights[p])).toBeLessThan(1e-4);
  });

  test('float64: the 3 steps in one graph run (stepAll) match PyTorch step by step, and the trainer counts them', async () => {
    const tr = trainer(variant, c.float64.init, 'float64', false);
    const inputs = [0, 1, 2].map((s) => ({ X: { rows: fx.batch, cols: fx.d, data: Float64Array.from(c.batches[s] as number[]) }, lr: fx.lr, l1: fx.l1 }));
    const results = await tr.stepAll(inputs);
    expect(results).toHaveLength(3);
    results.forEach((r, s) => {
      const ref = c.float64.steps[s] as Step;
      expect(Math.abs(r.loss - ref.loss)).toBeLessThan(1e-10 * Math.max(1, Math.abs(ref.loss)));
      expect(Math.abs(r.sse - ref.sse)).toBeLessThan(1e-10 * Math.max(1, ref.sse));
      expect(r.l0).toBeCloseTo(ref.l0, 12);
      if (variant === 'batch-topk') expect(r.minKept).toBeCloseTo(ref.minKept ?? NaN, 12);
    });
    const last = c.float64.steps[2] as Step;
    for (const p of SAE_PARAMETERS) expect(maxAbsDiff(tr.weights[p], last.weights[p])).toBeLessThan(1e-10);
    expect(tr.steps).toBe(3);
  });

  test('float32: a run of 2 steps then a single step equals 3 single steps (the Adam step count carries across runs)', async () => {
    const one = trainer(variant, c.float32.init, 'float32', false);
    const two = trainer(variant, c.float32.init, 'float32', false);
    const X = (s: number): { rows: number; cols: number; data: Float32Array } => ({ rows: fx.batch, cols: fx.d, data: Float32Array.from(c.batches[s] as number[]) });
    // distinct rates per step, so a per-step scalar fed to the wrong step shows
    const rates = [fx.lr, 2 * fx.lr, 0.5 * fx.lr];
    const singles: StepResult[] = [];
    for (let s = 0; s < 3; s++) singles.push(await one.step(X(s), at(rates, s), fx.l1 * (s + 1)));
    const grouped = [...(await two.stepAll([0, 1].map((s) => ({ X: X(s), lr: at(rates, s), l1: fx.l1 * (s + 1) })))), await two.step(X(2), at(rates, 2), 3 * fx.l1)];
    grouped.forEach((r, s) => {
      const ref = at(singles, s);
      expect(Math.abs(r.loss - ref.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(ref.loss));
      expect(maxAbsDiff(r.counts, ref.counts)).toBe(0);
    });
    for (const p of SAE_PARAMETERS) expect(maxAbsDiff(two.weights[p], one.weights[p])).toBeLessThan(1e-6);
    expect(two.steps).toBe(3);
  });

  test('float64 gradients agree with central finite differences of the loss', async () => {
    const init = c.float64.init;
    const X = { rows: fx.batch, cols: fx.d, data: Float64Array.from(c.batches[0] as number[]) };
    const lossAt = async (w: Params): Promise<number> => (await trainer(variant, w, 'float64', false).step(X, 0, fx.l1)).loss;
    const analytic = (await trainer(variant, init, 'float64').step(X, 0, fx.l1)).grads;
    if (analytic === undefined) throw new Error('no grads');
    const h = 1e-6;
    const numeric: Params = { encoder: [], decoder: [], encoderBias: [], decoderBias: [] };
    for (const p of SAE_PARAMETERS) {
      for (let i = 0; i < init[p].length; i++) {
        const plus = { ...init, [p]: init[p].map((v, j) => (j === i ? v + h : v)) };
        const minus = { ...init, [p]: init[p].map((v, j) => (j === i ? v - h : v)) };
        numeric[p].push(((await lossAt(plus)) - (await lossAt(minus))) / (2 * h));
      }
    }
    if (variant !== 'relu-l1') {
      // The step's decoder gradient is the tangential part (unit-norm columns): project the numeric one alike.
      const W = init.decoder;
      for (let i = 0; i < fx.latents; i++) {
        let gw = 0;
        let ww = 0;
        for (let r = 0; r < fx.d; r++) {
          gw += at(numeric.decoder, r * fx.latents + i) * at(W, r * fx.latents + i);
          ww += at(W, r * fx.latents + i) ** 2;
        }
        for (let r = 0; r < fx.d; r++) numeric.decoder[r * fx.latents + i] = at(numeric.decoder, r * fx.latents + i) - (gw / ww) * at(W, r * fx.latents + i);
      }
    }
    for (const p of SAE_PARAMETERS) {
      const scale = Math.max(1, ...numeric[p].map(Math.abs));
      expect(maxAbsDiff(analytic[p], numeric[p]) / scale).toBeLessThan(1e-6);
    }
    // The reference gradient is not trivially zero.
    expect(Math.max(...numeric.encoder.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

test('trainer refuses a batch of the wrong width and bad hyper-parameters', async () => {
  const c = fx.cases['relu-l1'];
  const tr = trainer('relu-l1', c.float64.init, 'float64');
  await expect(tr.step({ rows: 2, cols: fx.d + 1, data: new Float64Array(2 * (fx.d + 1)) }, 1e-3, 1)).rejects.toThrow(/columns/);
  await expect(tr.step({ rows: 1, cols: fx.d, data: new Float64Array(fx.d) }, NaN, 1)).rejects.toThrow(/lr/);
  expect(() => new SAETrainer(weightsOf(c.float64.init, 'float64'), fx.d, fx.latents, { variant: 'topk', k: 0 })).toThrow(/k/);
  const X = (rows: number): { rows: number; cols: number; data: Float64Array } => ({ rows, cols: fx.d, data: new Float64Array(rows * fx.d).fill(0.5) });
  await expect(tr.stepAll([])).rejects.toThrow(/no steps/);
  await expect(tr.stepAll([{ X: X(2), lr: 1e-3, l1: 1 }, { X: X(3), lr: 1e-3, l1: 1 }])).rejects.toThrow(/one size; step 1 has 2 rows, step 2 has 3/);
  await expect(tr.stepAll([{ X: X(2), lr: 1e-3, l1: 1 }, { X: X(2), lr: -1, l1: 1 }])).rejects.toThrow(/lr .*step 2 of 2/);
  // gradients come from one-step graphs only
  await expect(tr.stepAll([{ X: X(2), lr: 1e-3, l1: 1 }, { X: X(2), lr: 1e-3, l1: 1 }])).rejects.toThrow(/withGrads takes one step/);
  // nothing was applied by the refused calls
  expect(tr.steps).toBe(0);
});
