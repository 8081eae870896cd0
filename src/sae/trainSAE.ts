/**
 * Train a sparse autoencoder on frames (an in-memory matrix or a streamed `FrameSource`), with the
 * forward/backward/Adam steps running as onnxruntime graphs of `stepsPerRun` batches each (see `trainStepGraph.ts`).
 *
 * Schedules (Anthropic's April 2024 update, as the seed follows it):
 * - learning rate: linear warm-up from 0 over `warmupSteps` (default 0, none), then constant, then linear
 *   decay to 0 over the last `decaySteps` (default 20% of `steps`);
 * - relu-l1 lambda: linear warm-up from 0 to `l1` over `l1WarmupSteps` (default 5% of `steps`).
 */
import type { MatrixLike } from '../matrix';
import { asFrameSource, type FrameSource } from './FrameSource';
import { SAE } from './SAE';
import type { SAEConfig, SAEVariant } from './SAEConfig';
import { SAETrainer, type StepInput } from './SAETrainer';
import type { SAEWeights } from './SAEWeights';
import { evaluateSAE, type SAEMetrics } from './evaluateSAE';
import { initSAEWeights } from './initSAEWeights';
import { ShuffledBatches } from './ShuffledBatches';
import { at, atF32, atF64, atFloat } from '../util/at';

/** Options of `trainSAE` (variant, latents or expansion, k, Adam and its schedule, batch size, steps, validation, `seed`). */
export interface TrainSAEOptions {
  /** Architecture (default 'relu-l1', the seed's). */
  readonly variant?: SAEVariant;
  /** latents = expansion * inputDim (default 8, the seed's 768 -> 6144). */
  readonly expansion?: number;
  /** Number of latents; overrides `expansion`. */
  readonly latents?: number;
  /** relu-l1 sparsity coefficient lambda (default 3, the seed's `l1_penalty`). */
  readonly l1?: number;
  /** topk: active latents per frame; batch-topk: mean active latents per frame (default 32). */
  readonly k?: number;
  /** Adam learning rate (default 1e-4, the seed's). */
  readonly lr?: number;
  /** Adam (beta1, beta2) (default [0.9, 0.999]). */
  readonly betas?: readonly [number, number];
  /** Adam epsilon (default 1e-8). */
  readonly eps?: number;
  /** Frames per batch (default 4096; the seed used 16384 on a GPU). */
  readonly batchSize?: number;
  /** Optimiser steps (default 1000). */
  readonly steps?: number;
  /** Linear learning-rate warm-up steps (default 0). */
  readonly warmupSteps?: number;
  /** relu-l1: linear lambda warm-up steps (default round(0.05 * steps), Anthropic's 5%). */
  readonly l1WarmupSteps?: number;
  /** Linear learning-rate decay to 0 over the last this many steps (default round(0.2 * steps), Anthropic's 20%). */
  readonly decaySteps?: number;
  /**
   * Scale inputs by one constant so that E||x|| = sqrt(inputDim) (Anthropic's normalisation), estimated on up
   * to 65536 training frames; the scale is stored in the config and applied by `encode`/`decode`
   * (default false: the seed trains on raw activations).
   */
  readonly normalizeInput?: boolean;
  /** Share of frames held out for validation, split in blocks of consecutive frames (default 0.2, the seed's `val_split`). */
  readonly validationFraction?: number;
  /** Evaluate on the validation frames every this many steps (default 0: only after the last step). */
  readonly validateEvery?: number;
  /** At most this many validation frames per evaluation (default 262144). */
  readonly validationMaxFrames?: number;
  /** A latent counts as dead after this many training frames without firing (default 1e6, or all frames seen while fewer). */
  readonly deadWindowFrames?: number;
  /** Seed of the initial weights, the validation split and the batch order (default 0). */
  readonly seed?: number | string;
  /** Start from these weights instead of the seeded initialisation (e.g. to resume). */
  readonly init?: SAEWeights;
  /** Split-block and shuffle-buffer sizes; see `ShuffledBatches`. */
  readonly blockFrames?: number;
  readonly shuffleBufferFrames?: number;
  /** onnxruntime intra-op threads (default: all cores). */
  readonly threads?: number;
  /**
   * Optimiser steps per graph run (default 4): the weights and Adam moments stay inside onnxruntime for that
   * many steps instead of being copied out after each one. The updates are the same for every value; a run
   * never spans a validation point (steps left over before one run singly). `onProgress` still reports every
   * step, after its run.
   */
  readonly stepsPerRun?: number;
  /**
   * Called after every step, once the graph run holding it is done (`stepsPerRun` reports at a time;
   * `elapsedSeconds` then includes the whole run).
   */
  readonly onProgress?: (p: TrainProgress) => void;
}

/** What `trainSAE`'s `onProgress` receives after each step: loss, L0, dead fraction, speed, validation. */
export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  /** Mean per-frame summed squared error of the batch. */
  readonly sse: number;
  readonly l0: number;
  /** Share of latents that have not fired for `deadWindowFrames` frames (or in any frame seen so far). */
  readonly deadFraction: number;
  readonly lr: number;
  readonly l1: number;
  readonly framesSeen: number;
  readonly elapsedSeconds: number;
  readonly stepsPerSecond: number;
  /** Validation measures when this step evaluated them. */
  readonly validation?: SAEMetrics;
}

/** A trained SAE with its loss history and the final training measures. */
export interface TrainSAEResult {
  readonly sae: SAE;
  /** Per step: loss, batch sse, l0 and dead fraction (`[steps]` each). */
  readonly history: { readonly loss: Float64Array; readonly sse: Float64Array; readonly l0: Float64Array; readonly deadFraction: Float64Array };
  /** Validation measures after the last step (null when nothing was held out). */
  readonly validation: SAEMetrics | null;
  /** Validation measures of the intermediate evaluations, with the step they followed. */
  readonly checkpoints: readonly { readonly step: number; readonly metrics: SAEMetrics }[];
  readonly trainFrames: number;
  readonly validationFrames: number;
  readonly seconds: number;
}

function positiveInt(v: number, name: string): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`trainSAE: ${name} must be a positive integer, got ${v}`);
  return v;
}

function nonNegInt(v: number, name: string): number {
  if (!(Number.isInteger(v) && v >= 0)) throw new Error(`trainSAE: ${name} must be a non-negative integer, got ${v}`);
  return v;
}

/** Learning rate and lambda at 0-based step `t`. */
export function saeSchedule(t: number, o: { lr: number; l1: number; steps: number; warmupSteps: number; l1WarmupSteps: number; decaySteps: number }): { lr: number; l1: number } {
  let lr = o.lr;
  if (o.warmupSteps > 0 && t < o.warmupSteps) lr *= (t + 1) / o.warmupSteps;
  const decayStart = o.steps - o.decaySteps;
  if (o.decaySteps > 0 && t >= decayStart) lr *= (o.steps - t) / o.decaySteps;
  const l1 = o.l1WarmupSteps > 0 && t < o.l1WarmupSteps ? (o.l1 * (t + 1)) / o.l1WarmupSteps : o.l1;
  return { lr, l1 };
}

/** Train a sparse autoencoder on frames `[frames, inputDim]` (a matrix or a `FrameSource`), seeded; returns the fitted `SAE` and its training history. */
export async function trainSAE(source: MatrixLike | FrameSource, options: TrainSAEOptions = {}): Promise<TrainSAEResult> {
  const t0 = performance.now();
  const src = asFrameSource(source, 'source');
  const variant = options.variant ?? 'relu-l1';
  const d = src.dim;
  const latents = positiveInt(options.latents ?? Math.round((options.expansion ?? 8) * d), 'latents (expansion * inputDim)');
  const steps = positiveInt(options.steps ?? 1000, 'steps');
  const batchSize = positiveInt(options.batchSize ?? 4096, 'batchSize');
  const k = variant === 'relu-l1' ? 0 : positiveInt(options.k ?? 32, 'k');
  if (k > latents) throw new Error(`trainSAE: k (${k}) exceeds the number of latents (${latents})`);
  const l1 = options.l1 ?? 3;
  const lr = options.lr ?? 1e-4;
  if (!(Number.isFinite(l1) && l1 >= 0)) throw new Error(`trainSAE: l1 must be a non-negative number, got ${l1}`);
  if (!(Number.isFinite(lr) && lr > 0)) throw new Error(`trainSAE: lr must be a positive number, got ${lr}`);
  const sched = {
    lr,
    l1: variant === 'relu-l1' ? l1 : 0,
    steps,
    warmupSteps: nonNegInt(options.warmupSteps ?? 0, 'warmupSteps'),
    l1WarmupSteps: nonNegInt(options.l1WarmupSteps ?? Math.round(0.05 * steps), 'l1WarmupSteps'),
    decaySteps: nonNegInt(options.decaySteps ?? Math.round(0.2 * steps), 'decaySteps'),
  };
  const seed = options.seed ?? 0;
  const deadWindow = positiveInt(options.deadWindowFrames ?? 1_000_000, 'deadWindowFrames');
  const validateEvery = nonNegInt(options.validateEvery ?? 0, 'validateEvery');
  const validationMaxFrames = positiveInt(options.validationMaxFrames ?? 262144, 'validationMaxFrames');
  const stepsPerRun = positiveInt(options.stepsPerRun ?? 4, 'stepsPerRun');
  const batches = new ShuffledBatches(src, {
    batchSize,
    validationFraction: options.validationFraction ?? 0.2,
    seed,
    ...(options.blockFrames === undefined ? {} : { blockFrames: options.blockFrames }),
    ...(options.shuffleBufferFrames === undefined ? {} : { shuffleBufferFrames: options.shuffleBufferFrames }),
  });

  // Statistics for the input scale and the topk variants' initial decoder bias (Gao et al. start b_pre at a
  // centre of the data; we use the mean of the sample).
  const needSample = options.normalizeInput === true || (variant !== 'relu-l1' && options.init === undefined);
  let inputScale = 1;
  let mean: Float32Array | null = null;
  if (needSample) {
    const sample = await batches.sampleTrainFrames(65536);
    const n = sample.rows;
    const m = new Float64Array(d);
    let normSum = 0;
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        const v = atF32(sample.data, i * d + j);
        m[j] += v / n;
        sq += v * v;
      }
      normSum += Math.sqrt(sq);
    }
    if (options.normalizeInput === true) {
      if (!(normSum > 0)) throw new Error('trainSAE: normalizeInput: the sampled training frames are all zero');
      inputScale = Math.sqrt(d) / (normSum / n);
    }
    mean = Float32Array.from(m, (v) => v * inputScale);
  }
  let init = options.init ?? initSAEWeights(d, latents, variant, seed);
  if (options.init === undefined && variant !== 'relu-l1' && mean !== null) init = { ...init, decoderBias: mean };
  const trainer = new SAETrainer(init, d, latents, {
    variant,
    k,
    betas: options.betas ?? [0.9, 0.999],
    eps: options.eps ?? 1e-8,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });

  const config = (threshold: number): SAEConfig => ({
    variant,
    inputDim: d,
    latents,
    k,
    preEncoderBias: variant !== 'relu-l1',
    inputScale,
    threshold,
    training: {
      steps,
      batchSize,
      lr,
      l1: sched.l1,
      betas: [...(options.betas ?? [0.9, 0.999])],
      warmupSteps: sched.warmupSteps,
      l1WarmupSteps: sched.l1WarmupSteps,
      decaySteps: sched.decaySteps,
      normalizeInput: options.normalizeInput === true,
      validationFraction: options.validationFraction ?? 0.2,
      seed: String(seed),
    },
  });
  const snapshot = (threshold: number): SAE => {
    const w = trainer.weights;
    return new SAE(config(threshold), {
      encoder: Float32Array.from(w.encoder),
      decoder: Float32Array.from(w.decoder),
      encoderBias: Float32Array.from(w.encoderBias),
      decoderBias: Float32Array.from(w.decoderBias),
    });
  };
  const valRanges = (() => {
    const out: { start: number; rows: number }[] = [];
    let left = validationMaxFrames;
    for (const r of batches.validationRanges) {
      if (left <= 0) break;
      const rows = Math.min(r.rows, left);
      out.push({ start: r.start, rows });
      left -= rows;
    }
    return out;
  })();
  const validate = (sae: SAE): Promise<SAEMetrics | null> =>
    valRanges.length === 0 ? Promise.resolve(null) : evaluateSAE(sae, src, { ranges: valRanges });

  const history = { loss: new Float64Array(steps), sse: new Float64Array(steps), l0: new Float64Array(steps), deadFraction: new Float64Array(steps) };
  const sinceFired = new Float64Array(latents);
  // batch-topk inference threshold: running mean of the smallest kept activation (Bussmann et al. 2024).
  let thresholdSum = 0;
  let thresholdCount = 0;
  const checkpoints: { step: number; metrics: SAEMetrics }[] = [];
  let framesSeen = 0;
  const tStart = performance.now();
  for (let first = 0; first < steps; ) {
    // a run of steps ends at the last step, and at each validation point; what does not fill a whole run goes
    // step by step, so that at most two graphs (and their onnxruntime memory) are made, not one per length
    let count = Math.min(stepsPerRun, steps - first);
    if (validateEvery > 0) count = Math.min(count, validateEvery - (first % validateEvery));
    if (count < stepsPerRun) count = 1;
    const inputs: StepInput[] = [];
    for (let t = first; t < first + count; t++) {
      const X = await batches.next();
      if (inputScale !== 1) for (let i = 0; i < X.data.length; i++) X.data[i] *= inputScale;
      inputs.push({ X, ...saeSchedule(t, sched) });
    }
    const results = await trainer.stepAll(inputs);
    for (let j = 0; j < count; j++) {
      const t = first + j;
      const r = at(results, j);
      const { X, lr: stepLr, l1: stepL1 } = at(inputs, j);
      if (!Number.isFinite(r.loss)) throw new Error(`trainSAE: loss became ${r.loss} at step ${t + 1}; lower lr or check the input scale`);
      framesSeen += X.rows;
      const window = Math.min(deadWindow, framesSeen);
      let dead = 0;
      for (let i = 0; i < latents; i++) {
        sinceFired[i] = atFloat(r.counts, i) > 0 ? 0 : atF64(sinceFired, i) + X.rows;
        if (atF64(sinceFired, i) >= window) dead++;
      }
      if (variant === 'batch-topk' && Number.isFinite(r.minKept)) {
        thresholdSum += r.minKept;
        thresholdCount++;
      }
      history.loss[t] = r.loss;
      history.sse[t] = r.sse;
      history.l0[t] = r.l0;
      history.deadFraction[t] = dead / latents;
      let validation: SAEMetrics | null = null;
      if (validateEvery > 0 && (t + 1) % validateEvery === 0 && t + 1 < steps) {
        validation = await validate(snapshot(thresholdCount > 0 ? thresholdSum / thresholdCount : 0));
        if (validation !== null) checkpoints.push({ step: t + 1, metrics: validation });
      }
      if (options.onProgress !== undefined) {
        const elapsed = (performance.now() - tStart) / 1000;
        const p: TrainProgress = {
          step: t + 1,
          steps,
          loss: r.loss,
          sse: r.sse,
          l0: r.l0,
          deadFraction: dead / latents,
          lr: stepLr,
          l1: stepL1,
          framesSeen,
          elapsedSeconds: elapsed,
          stepsPerSecond: elapsed > 0 ? (t + 1) / elapsed : 0,
        };
        options.onProgress(validation === null ? p : { ...p, validation });
      }
    }
    first += count;
  }
  const sae = snapshot(thresholdCount > 0 ? thresholdSum / thresholdCount : 0);
  const validation = await validate(sae);
  return {
    sae,
    history,
    validation,
    checkpoints,
    trainFrames: batches.trainFrames,
    validationFrames: batches.validationFrames,
    seconds: (performance.now() - t0) / 1000,
  };
}
