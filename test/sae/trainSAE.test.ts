import { releaseGraphSessions } from '../../src/onnx/graphSession';
import type { FrameSource } from '../../src/sae/FrameSource';
import { matrixFrameSource } from '../../src/sae/FrameSource';
import { saeSchedule, trainSAE, type TrainProgress } from '../../src/sae/trainSAE';
import { evaluateSAE } from '../../src/sae/evaluateSAE';
import { bestCosines, plantedDictionary } from './planted';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

const d = 32;
const atoms = 64;
const planted = plantedDictionary(7, d, atoms, 20000, 3);

function matched(decoder: { rows: number; cols: number; data: Float32Array }): number {
  return bestCosines(planted.atoms, d, decoder).filter((c) => c > 0.95).length;
}

test('relu-l1 recovers a planted sparse dictionary (>= 90% of atoms at cosine > 0.95)', async () => {
  const before = matched((await trainSAE(planted.X, { latents: 128, steps: 1, batchSize: 256, lr: 3e-3, l1: 0.3, seed: 1 })).sae.decoderWeights());
  const res = await trainSAE(planted.X, { latents: 128, steps: 1500, batchSize: 256, lr: 3e-3, l1: 0.3, seed: 1 });
  expect(before).toBeLessThan(atoms / 4);
  expect(matched(res.sae.decoderWeights())).toBeGreaterThanOrEqual(0.9 * atoms);
  const v = res.validation;
  if (v === null) throw new Error('no validation');
  expect(v.fvu).toBeLessThan(0.15);
  expect(v.l0).toBeGreaterThan(2);
  expect(v.l0).toBeLessThan(15);
  expect(res.validationFrames).toBe(4032); // 63 of 313 blocks of 64 frames
  expect(res.history.loss[1499]).toBeLessThan(at(res.history.loss, 0));
});

test('topk recovers the planted dictionary with exactly k active latents per frame', async () => {
  const res = await trainSAE(planted.X, { variant: 'topk', k: 3, latents: 128, steps: 1500, batchSize: 256, lr: 3e-3, seed: 1 });
  expect(matched(res.sae.decoderWeights())).toBeGreaterThanOrEqual(0.9 * atoms);
  // Unit-norm decoder columns.
  for (const n of res.sae.decoderNorms()) expect(n).toBeCloseTo(1, 5);
  expect(res.validation?.l0).toBeLessThanOrEqual(3);
  expect(res.validation?.l0).toBeGreaterThan(2.5);
  expect(res.validation?.fvu).toBeLessThan(0.1);
});

test('batch-topk learns a positive inference threshold giving about k active latents per frame', async () => {
  const res = await trainSAE(planted.X, { variant: 'batch-topk', k: 3, latents: 128, steps: 800, batchSize: 256, lr: 3e-3, seed: 2 });
  expect(res.sae.config.threshold).toBeGreaterThan(0);
  const l0 = res.validation?.l0 ?? NaN;
  expect(l0).toBeGreaterThan(2);
  expect(l0).toBeLessThan(4.5);
  expect(matched(res.sae.decoderWeights())).toBeGreaterThanOrEqual(0.75 * atoms);
});

test('same seed and data give identical weights; another seed gives others', async () => {
  const opts = { latents: 64, steps: 20, batchSize: 128, lr: 1e-3, l1: 0.3 };
  const a = await trainSAE(planted.X, { ...opts, seed: 5 });
  const b = await trainSAE(planted.X, { ...opts, seed: 5 });
  const c = await trainSAE(planted.X, { ...opts, seed: 6 });
  expect(Array.from(a.sae.weights.encoder)).toEqual(Array.from(b.sae.weights.encoder));
  expect(Array.from(a.sae.weights.decoderBias)).toEqual(Array.from(b.sae.weights.decoderBias));
  expect(Array.from(a.history.loss)).toEqual(Array.from(b.history.loss));
  expect(Array.from(c.sae.weights.encoder)).not.toEqual(Array.from(a.sae.weights.encoder));
});

test('a streamed source (shuffle buffer of whole blocks) trains as well, reading only bounded blocks', async () => {
  const mem = matrixFrameSource(planted.X);
  let maxRead = 0;
  const src: FrameSource = {
    dim: d,
    count: mem.count,
    inMemory: false,
    read: async (start, rows) => {
      maxRead = Math.max(maxRead, rows);
      const m = await mem.read(start, rows);
      return { rows: m.rows, cols: m.cols, data: m.data.slice() };
    },
  };
  const res = await trainSAE(src, { latents: 128, steps: 1500, batchSize: 256, lr: 3e-3, l1: 0.3, seed: 1, blockFrames: 500, shuffleBufferFrames: 2048 });
  expect(maxRead).toBeLessThanOrEqual(4096); // validation chunks; training reads whole 500-frame blocks
  expect(matched(res.sae.decoderWeights())).toBeGreaterThanOrEqual(0.9 * atoms);
});

test('normalizeInput scales inputs to mean norm sqrt(d) and encode/decode undo the scale', async () => {
  const scaled = { ...planted.X, data: planted.X.data.map((v) => 40 * v) };
  const res = await trainSAE(scaled, { latents: 128, steps: 300, batchSize: 256, lr: 3e-3, l1: 0.3, seed: 3, normalizeInput: true, validationFraction: 0 });
  let norms = 0;
  for (let i = 0; i < scaled.rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += at(scaled.data, i * d + j) ** 2;
    norms += Math.sqrt(s);
  }
  expect(res.sae.config.inputScale * (norms / scaled.rows)).toBeCloseTo(Math.sqrt(d), 3);
  expect(res.validation).toBeNull();
  // Reconstructions come back in the input's units: a small FVU on the unscaled-by-us data.
  const m = await evaluateSAE(res.sae, scaled);
  expect(m.fvu).toBeLessThan(0.3);
  const rec = await res.sae.reconstruct({ rows: 10, cols: d, data: scaled.data.subarray(0, 10 * d) });
  let err = 0;
  let tot = 0;
  for (let i = 0; i < 10 * d; i++) {
    err += (at(rec.data, i) - at(scaled.data, i)) ** 2;
    tot += at(scaled.data, i) ** 2;
  }
  expect(err / tot).toBeLessThan(0.3);
});

test('progress reports loss, L0, dead fraction and validation checkpoints', async () => {
  const seen: TrainProgress[] = [];
  const res = await trainSAE(planted.X, { latents: 64, steps: 30, batchSize: 128, lr: 1e-3, l1: 0.3, seed: 1, validateEvery: 10, deadWindowFrames: 1280, onProgress: (p) => seen.push(p) });
  expect(seen.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  expect(seen[0]?.framesSeen).toBe(128);
  for (const p of seen) {
    expect(p.deadFraction).toBeGreaterThanOrEqual(0);
    expect(p.deadFraction).toBeLessThanOrEqual(1);
    expect(p.l0).toBeGreaterThan(0);
  }
  expect(seen.filter((p) => p.validation !== undefined).map((p) => p.step)).toEqual([10, 20]);
  expect(res.checkpoints.map((c) => c.step)).toEqual([10, 20]);
  expect(Array.from(res.history.loss)).toEqual(seen.map((p) => p.loss));
});

test('runs of several steps (stepsPerRun) train as single steps do, validating after the same steps', async () => {
  // lr warm-up and decay and the lambda warm-up make every step's scalars differ
  const opts = { latents: 64, steps: 23, batchSize: 128, lr: 1e-3, l1: 0.3, seed: 4, validateEvery: 10, warmupSteps: 5, l1WarmupSteps: 7 };
  const lrs: number[][] = [[], []];
  const single = await trainSAE(planted.X, { ...opts, stepsPerRun: 1, onProgress: (p) => at(lrs, 0).push(p.lr) });
  const runs = await trainSAE(planted.X, { ...opts, stepsPerRun: 4, onProgress: (p) => at(lrs, 1).push(p.lr) });
  expect(at(lrs, 1)).toEqual(at(lrs, 0));
  expect(at(lrs, 0)[2]).toBeCloseTo(0.6e-3, 15);
  expect(runs.checkpoints.map((c) => c.step)).toEqual([10, 20]);
  for (let t = 0; t < 23; t++) {
    expect(Math.abs(at(runs.history.loss, t) - at(single.history.loss, t))).toBeLessThanOrEqual(1e-5 * at(single.history.loss, t));
    expect(at(runs.history.deadFraction, t)).toBe(at(single.history.deadFraction, t));
  }
  runs.checkpoints.forEach((c, i) => expect(c.metrics.fvu).toBeCloseTo(at(single.checkpoints, i).metrics.fvu, 5));
  const a = runs.sae.decoderWeights().data;
  const b = single.sae.decoderWeights().data;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(at(a, i) - at(b, i)));
  expect(diff).toBeLessThan(1e-5);
  await expect(trainSAE(planted.X, { ...opts, stepsPerRun: 0 })).rejects.toThrow(/stepsPerRun/);
});

test('schedules: lr warm-up and final decay, lambda warm-up', () => {
  const o = { lr: 1, l1: 2, steps: 100, warmupSteps: 10, l1WarmupSteps: 5, decaySteps: 20 };
  expect(saeSchedule(0, o)).toEqual({ lr: 0.1, l1: 0.4 });
  expect(saeSchedule(4, o)).toEqual({ lr: 0.5, l1: 2 });
  expect(saeSchedule(50, o)).toEqual({ lr: 1, l1: 2 });
  expect(saeSchedule(80, o).lr).toBeCloseTo(1, 12);
  expect(saeSchedule(99, o).lr).toBeCloseTo(0.05, 12);
});

test('refuses bad options naming them', async () => {
  await expect(trainSAE(planted.X, { steps: 0 })).rejects.toThrow(/steps/);
  await expect(trainSAE(planted.X, { variant: 'topk', k: 1000, latents: 64 })).rejects.toThrow(/k \(1000\)/);
  await expect(trainSAE({ rows: 2, cols: 2, data: Float32Array.of(1, NaN, 0, 0) }, {})).rejects.toThrow(/NaN/);
});
