/**
 * The state of an SAE under training (weights, Adam moments, step count), `step`, which runs the train-step
 * graph on a batch, and `stepAll`, which runs several consecutive steps in one graph run. `trainSAE` drives it;
 * tests use it directly to compare steps with PyTorch and with finite differences.
 */
import { tensor, type TensorValue } from '../backend/ort';
import type { FloatArray, Matrix } from '../matrix';
import { graphSession } from '../onnx/graphSession';
import type { SAEVariant } from './SAEConfig';
import { type SAEParameter, type SAEWeights } from './SAEWeights';
import { at } from '../util/at';
import { buildTrainStepGraph, PER_STEP_SCALARS, STEP_PARAMS, stepValueName, trainStepGraphKey, type StepFloat, type StepParam, type StepScalar } from './trainStepGraph';

export interface SAETrainerOptions {
  readonly variant: SAEVariant;
  /** Active latents per frame (topk) or mean per frame (batch-topk); ignored by relu-l1. */
  readonly k?: number;
  /** Adam's (beta1, beta2) (default [0.9, 0.999], PyTorch's). */
  readonly betas?: readonly [number, number];
  /** Adam's epsilon (default 1e-8, PyTorch's). */
  readonly eps?: number;
  /** Element type of the step (default float32; float64 for gradient checks). */
  readonly type?: StepFloat;
  /** Also return gradients from `step` (default false). */
  readonly withGrads?: boolean;
  /** Intra-op threads for onnxruntime (default: all cores). */
  readonly threads?: number;
}

/** One step's batch `[B, inputDim]`, learning rate and (relu-l1) sparsity coefficient. */
export interface StepInput {
  readonly X: Matrix;
  readonly lr: number;
  readonly l1: number;
}

export interface StepResult {
  /** Loss at the weights before the update. */
  readonly loss: number;
  /** Mean over the batch of the per-frame summed squared error (the seed's `mse_loss`). */
  readonly sse: number;
  /** Mean number of active latents per frame. */
  readonly l0: number;
  /** `[latents]`: frames of the batch in which each latent was active. */
  readonly counts: FloatArray;
  /** batch-topk: smallest kept positive pre-activation (NaN for other variants or when nothing fired). */
  readonly minKept: number;
  /** Gradients at the weights before the update, when the trainer was made `withGrads`. */
  readonly grads?: SAEWeights<FloatArray>;
}

const paramOf: Record<StepParam, SAEParameter> = { We: 'encoder', Wd: 'decoder', be: 'encoderBias', bd: 'decoderBias' };

function zerosLike(a: FloatArray): FloatArray {
  return a instanceof Float32Array ? new Float32Array(a.length) : new Float64Array(a.length);
}

function castTo(type: StepFloat, a: FloatArray): FloatArray {
  if (type === 'float32') return a instanceof Float32Array ? a : Float32Array.from(a);
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

function toTensor(type: StepFloat, a: FloatArray, dims: readonly number[]): TensorValue {
  return type === 'float32' ? tensor('float32', castTo(type, a) as Float32Array, dims) : tensor('float64', castTo(type, a) as Float64Array, dims);
}

function scalarOut(out: Record<string, TensorValue>, name: string): number {
  const t = out[name];
  if (t === undefined) throw new Error(`SAE train step: graph produced no '${name}'`);
  return Number((t.data as FloatArray)[0]);
}

function arrayOut(out: Record<string, TensorValue>, name: string): FloatArray {
  const t = out[name];
  if (t === undefined) throw new Error(`SAE train step: graph produced no '${name}'`);
  return t.data as FloatArray;
}

export class SAETrainer {
  private w: Record<SAEParameter, FloatArray>;
  private m: Record<SAEParameter, FloatArray>;
  private v: Record<SAEParameter, FloatArray>;
  private t = 0;
  private readonly type: StepFloat;
  private readonly betas: readonly [number, number];
  private readonly eps: number;
  private readonly k: number;

  /**
   * Start from `weights` (copied; never written), with zero Adam moments. `inputDim` and `latents` give the
   * shapes, `[latents, inputDim]` for the encoder and so on.
   */
  constructor(
    weights: SAEWeights<FloatArray>,
    readonly inputDim: number,
    readonly latents: number,
    private readonly opts: SAETrainerOptions,
  ) {
    this.type = opts.type ?? 'float32';
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.k = opts.k ?? 0;
    const [b1, b2] = this.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new Error(`SAETrainer: betas must lie in [0, 1), got [${b1}, ${b2}]`);
    if (!(this.eps > 0)) throw new Error(`SAETrainer: eps must be positive, got ${this.eps}`);
    if (opts.variant !== 'relu-l1' && !(Number.isInteger(this.k) && this.k >= 1 && this.k <= latents)) {
      throw new Error(`SAETrainer: variant '${opts.variant}' needs an integer k in [1, ${latents}], got ${this.k}`);
    }
    const copy = (a: FloatArray): FloatArray => (this.type === 'float32' ? Float32Array.from(a) : Float64Array.from(a));
    this.w = { encoder: copy(weights.encoder), decoder: copy(weights.decoder), encoderBias: copy(weights.encoderBias), decoderBias: copy(weights.decoderBias) };
    this.m = { encoder: zerosLike(this.w.encoder), decoder: zerosLike(this.w.decoder), encoderBias: zerosLike(this.w.encoderBias), decoderBias: zerosLike(this.w.decoderBias) };
    this.v = { encoder: zerosLike(this.w.encoder), decoder: zerosLike(this.w.decoder), encoderBias: zerosLike(this.w.encoderBias), decoderBias: zerosLike(this.w.decoderBias) };
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.t;
  }

  /** The current weights (the trainer's own arrays: copy before keeping them across steps). */
  get weights(): SAEWeights<FloatArray> {
    return { ...this.w };
  }

  private dims(p: SAEParameter): number[] {
    const d = this.inputDim;
    const L = this.latents;
    return p === 'encoder' ? [L, d] : p === 'decoder' ? [d, L] : p === 'encoderBias' ? [L] : [d];
  }

  /**
   * One Adam step on batch `X` `[B, inputDim]` with learning rate `lr` and (relu-l1) sparsity coefficient
   * `l1`. Returns the loss and statistics at the weights before the update.
   */
  async step(X: Matrix, lr: number, l1: number): Promise<StepResult> {
    return at(await this.stepAll([{ X, lr, l1 }]), 0);
  }

  /**
   * Consecutive Adam steps, one per entry, in one graph run (the batches must have one size): the same
   * updates as `step` on each in turn, with the weights and moments kept inside onnxruntime between them.
   * Returns each step's statistics, in order.
   */
  async stepAll(inputs: readonly StepInput[]): Promise<StepResult[]> {
    const n = inputs.length;
    if (n < 1) throw new Error('SAETrainer.stepAll: no steps given');
    const rows = at(inputs, 0).X.rows;
    const who = n === 1 ? 'SAETrainer.step' : 'SAETrainer.stepAll';
    inputs.forEach(({ X, lr, l1 }, s) => {
      const which = n === 1 ? '' : ` (step ${s + 1} of ${n})`;
      if (X.cols !== this.inputDim) throw new Error(`${who}: batch has ${X.cols} columns, the SAE takes ${this.inputDim}${which}`);
      if (X.rows < 1) throw new Error(`${who}: empty batch${which}`);
      if (X.rows !== rows) throw new Error(`${who}: the batches of one run must have one size; step 1 has ${rows} rows, step ${s + 1} has ${X.rows}`);
      if (X.data.length !== X.rows * X.cols) throw new Error(`${who}: batch data holds ${X.data.length} values, not ${X.rows} x ${X.cols}${which}`);
      if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`${who}: lr must be a non-negative number, got ${lr}${which}`);
      if (!(Number.isFinite(l1) && l1 >= 0)) throw new Error(`${who}: l1 must be a non-negative number, got ${l1}${which}`);
    });
    const withGrads = this.opts.withGrads ?? false;
    if (withGrads && n > 1) throw new Error('SAETrainer.stepAll: a trainer made withGrads takes one step per run');
    const spec = { variant: this.opts.variant, type: this.type, withGrads, steps: n };
    const session = await graphSession(trainStepGraphKey(spec), () => buildTrainStepGraph(spec), this.opts.threads === undefined ? {} : { threads: this.opts.threads });
    const [b1, b2] = this.betas;
    const scalar = (value: number): TensorValue => (this.type === 'float32' ? tensor('float32', Float32Array.of(value), []) : tensor('float64', Float64Array.of(value), []));
    const shared: Record<Exclude<StepScalar, (typeof PER_STEP_SCALARS)[number]>, number> = { invB: 1 / rows, beta1: b1, omb1: 1 - b1, beta2: b2, omb2: 1 - b2, eps: this.eps };
    const feeds: Record<string, TensorValue> = {};
    for (const [name, value] of Object.entries(shared)) feeds[name] = scalar(value);
    inputs.forEach(({ X, lr, l1 }, s) => {
      const t = this.t + 1 + s;
      const perStep: Record<(typeof PER_STEP_SCALARS)[number], number> = { l1, stepSize: lr / (1 - Math.pow(b1, t)), bc2sqrt: Math.sqrt(1 - Math.pow(b2, t)) };
      for (const name of PER_STEP_SCALARS) feeds[stepValueName(name, s, n)] = scalar(perStep[name]);
      feeds[stepValueName('X', s, n)] = toTensor(this.type, X.data, [X.rows, X.cols]);
    });
    for (const sp of STEP_PARAMS) {
      const p = paramOf[sp];
      const dims = this.dims(p);
      feeds[sp] = toTensor(this.type, this.w[p], dims);
      feeds[`m_${sp}`] = toTensor(this.type, this.m[p], dims);
      feeds[`v_${sp}`] = toTensor(this.type, this.v[p], dims);
    }
    if (this.opts.variant !== 'relu-l1') {
      const k = this.opts.variant === 'topk' ? this.k : Math.min(this.k * rows, rows * this.latents);
      feeds['k'] = tensor('int64', BigInt64Array.of(BigInt(k)), [1]);
    }
    const out = await session.run(feeds);
    for (const sp of STEP_PARAMS) {
      const p = paramOf[sp];
      this.w[p] = arrayOut(out, `new_${sp}`);
      this.m[p] = arrayOut(out, `new_m_${sp}`);
      this.v[p] = arrayOut(out, `new_v_${sp}`);
    }
    this.t += n;
    const grads: SAEWeights<FloatArray> | undefined = withGrads
      ? { encoder: arrayOut(out, 'grad_We'), decoder: arrayOut(out, 'grad_Wd'), encoderBias: arrayOut(out, 'grad_be'), decoderBias: arrayOut(out, 'grad_bd') }
      : undefined;
    return inputs.map((_, s): StepResult => {
      const name = (stat: string): string => stepValueName(stat, s, n);
      const minKept = this.opts.variant === 'batch-topk' ? scalarOut(out, name('minKept')) : NaN;
      const result: StepResult = {
        loss: scalarOut(out, name('loss')),
        sse: scalarOut(out, name('sse')),
        l0: scalarOut(out, name('l0')),
        counts: arrayOut(out, name('counts')),
        minKept: minKept > 1e30 ? NaN : minKept,
      };
      return grads === undefined ? result : { ...result, grads };
    });
  }
}

