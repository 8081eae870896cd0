import * as fs from 'node:fs';
import * as path from 'node:path';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { activationPercentage, compareActivationPercentages } from '../../src/sae/activationPercentage';
import { evaluateSAE } from '../../src/sae/evaluateSAE';
import { featureDensityHistogram } from '../../src/sae/featureDensityHistogram';
import { SAE } from '../../src/sae/SAE';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

const FIX = path.join(__dirname, '../fixtures/sae');
const fx = JSON.parse(fs.readFileSync(path.join(FIX, 'checkpoints.json'), 'utf8')) as {
  sae_small: { x: number[]; encoded: number[]; decoded: number[] };
};

test('evaluateSAE: MSE, FVU, L0, frequencies and activation % equal those computed from PyTorch outputs', async () => {
  const sae = SAE.load(path.join(FIX, 'sae_small.pt'));
  const { x, encoded, decoded } = fx.sae_small;
  const n = 5;
  const d = 4;
  const L = 6;
  const m = await evaluateSAE(sae, { rows: n, cols: d, data: Float32Array.from(x) });
  let sse = 0;
  const mean = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = at(mean, j) + at(x, i * d + j) / n;
  let tot = 0;
  for (let i = 0; i < n * d; i++) {
    sse += (at(x, i) - at(decoded, i)) ** 2;
    tot += (at(x, i) - at(mean, i % d)) ** 2;
  }
  const active = encoded.filter((v) => v > 0).length;
  expect(m.frames).toBe(n);
  expect(m.mse).toBeCloseTo(sse / (n * d), 5);
  expect(m.sse).toBeCloseTo(sse / n, 5);
  expect(m.fvu).toBeCloseTo(sse / tot, 5);
  expect(m.l0).toBeCloseTo(active / n, 12);
  expect(m.activationPercent).toBeCloseTo((100 * active) / (n * L), 10);
  for (let k = 0; k < L; k++) {
    const col = Array.from({ length: n }, (_, i) => at(encoded, i * L + k));
    expect(m.frequencies[k]).toBeCloseTo(col.filter((v) => v > 0).length / n, 12);
    expect(m.meanActivations[k]).toBeCloseTo(col.reduce((a, b) => a + b, 0) / n, 5);
  }
  const neverActive = Array.from({ length: L }, (_, k) => k).filter((k) => Array.from({ length: n }, (_, i) => at(encoded, i * L + k)).every((v) => v <= 0));
  expect(Array.from(m.deadLatents)).toEqual(neverActive);
});

test('dead latents count only the last deadWindowFrames frames, across chunk boundaries', async () => {
  // Identity encoder: latent j = relu(x_j). Latent 1 fires in frames 0..99 only, latent 0 in every frame.
  const sae = new SAE(
    { variant: 'relu-l1', inputDim: 2, latents: 2, k: 0, preEncoderBias: false, inputScale: 1, threshold: 0 },
    { encoder: Float32Array.of(1, 0, 0, 1), decoder: Float32Array.of(1, 0, 0, 1), encoderBias: new Float32Array(2), decoderBias: new Float32Array(2) },
  );
  const n = 5000;
  const X = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    X[2 * i] = 1;
    X[2 * i + 1] = i < 100 ? 1 : -1;
  }
  const all = await evaluateSAE(sae, { rows: n, cols: 2, data: X });
  expect(Array.from(all.deadLatents)).toEqual([]);
  const recent = await evaluateSAE(sae, { rows: n, cols: 2, data: X }, { deadWindowFrames: n - 100 });
  expect(Array.from(recent.deadLatents)).toEqual([1]);
  expect(recent.deadFraction).toBe(0.5);
  const edge = await evaluateSAE(sae, { rows: n, cols: 2, data: X }, { deadWindowFrames: n - 99 });
  expect(Array.from(edge.deadLatents)).toEqual([]);
  expect(all.frequencies[1]).toBeCloseTo(100 / n, 12);
  // Only the frames listed in `ranges` count.
  const tail = await evaluateSAE(sae, { rows: n, cols: 2, data: X }, { ranges: [{ start: 200, rows: 300 }] });
  expect(tail.frames).toBe(300);
  expect(Array.from(tail.deadLatents)).toEqual([1]);
});

test('topk and batch-topk encoders: k largest positive pre-activations per frame; JumpReLU threshold', async () => {
  // Identity encoder over 4 latents with a pre-encoder bias of zero: pre = x.
  const eye = Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
  const w = { encoder: eye, decoder: eye, encoderBias: new Float32Array(4), decoderBias: new Float32Array(4) };
  const X = { rows: 2, cols: 4, data: Float32Array.of(0.3, -1, 2, 0.5, -0.2, -0.1, 0.4, -3) };
  const topk = new SAE({ variant: 'topk', inputDim: 4, latents: 4, k: 2, preEncoderBias: true, inputScale: 1, threshold: 0 }, w);
  expect(Array.from((await topk.encode(X)).data)).toEqual(Array.from(Float32Array.of(0, 0, 2, 0.5, 0, 0, 0.4, 0)));
  const jump = new SAE({ variant: 'batch-topk', inputDim: 4, latents: 4, k: 2, preEncoderBias: true, inputScale: 1, threshold: 0.35 }, w);
  expect(Array.from((await jump.encode(X)).data)).toEqual(Array.from(Float32Array.of(0, 0, 2, 0.5, 0, 0, 0.4, 0)));
  const jump2 = jump.withConfig({ threshold: 0.45 });
  expect(Array.from((await jump2.encode(X)).data)).toEqual(Array.from(Float32Array.of(0, 0, 2, 0.5, 0, 0, 0, 0)));
});

test('activationPercentage: share of positive entries, optionally over some columns', () => {
  const X = [
    [1, 0, -2, 3],
    [0.5, 2, 0, -1],
  ];
  expect(activationPercentage(X)).toBe(50);
  expect(activationPercentage(X, { columns: [0, 1] })).toBe(75);
  expect(() => activationPercentage(X, { columns: [4] })).toThrow(/column 4/);
  const rows = compareActivationPercentages({ resid: X, ffn: [[0, 0, 0, 1], [0, 0, 0, 0]] });
  expect(rows).toEqual([
    { name: 'resid', percent: 50, features: 4 },
    { name: 'ffn', percent: 12.5, features: 4 },
  ]);
  expect(() => compareActivationPercentages({ a: X, b: [[1, 2, 3, 4]] })).toThrow(/same frames/);
});

test('featureDensityHistogram: log10 bins, dead latents apart', () => {
  const h = featureDensityHistogram([0, 1, 0.1, 0.01, 0.011, 1e-9], { bins: 4, minLog10: -4, maxLog10: 0 });
  expect(Array.from(h.edges)).toEqual([-4, -3, -2, -1, 0]);
  // 1e-9 clamps into the first bin; 1 (log 0) into the last.
  expect(Array.from(h.counts)).toEqual([1, 0, 2, 2]);
  expect(h.dead).toBe(1);
  expect(Number.isNaN(h.log10Frequencies[0])).toBe(true);
  expect(h.log10Frequencies[2]).toBeCloseTo(-1, 12);
  expect(featureDensityHistogram([0.5], { frames: 1000 }).edges[0]).toBe(-3);
  expect(() => featureDensityHistogram([1.5])).toThrow(/latent 0/);
});
