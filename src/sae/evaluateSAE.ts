/**
 * Reconstruction and sparsity measures of an SAE over a set of frames, streamed in chunks through one
 * onnxruntime graph that returns only sums (the `[frames, latents]` activations never leave the runtime).
 */
import { tensor } from '../backend/ort';
import type { MatrixLike } from '../matrix';
import { graphSession } from '../onnx/graphSession';
import { asFrameSource, type FrameSource } from './FrameSource';
import { SAE_CHUNK_FRAMES, type SAE } from './SAE';
import { buildStatsGraph, statsGraphKey } from './saeGraphs';
import type { FrameRange } from './ShuffledBatches';
import { atF32, atF64 } from '../util/at';

/** Options of `evaluateSAE`. */
export interface EvaluateSAEOptions {
  /** Frames to evaluate, as ranges of the source in the order they count (default: all frames in order). */
  readonly ranges?: readonly FrameRange[];
  /**
   * A latent is dead when it fired in none of the last `deadWindowFrames` evaluated frames (default: all of
   * them, i.e. never active in the evaluated set).
   */
  readonly deadWindowFrames?: number;
}

/** What `evaluateSAE` measured. */
export interface SAEMetrics {
  readonly frames: number;
  /** Mean squared error per element: sum ||x - x_hat||^2 / (frames * inputDim). */
  readonly mse: number;
  /** Mean over frames of the summed squared error ||x - x_hat||^2 (the seed's `mse_loss`). */
  readonly sse: number;
  /** Fraction of variance unexplained: sum ||x - x_hat||^2 / sum ||x - mean(x)||^2. */
  readonly fvu: number;
  /** Mean number of active (non-zero) latents per frame. */
  readonly l0: number;
  /** The seed's "SAE activations %": share of positive latent activations over all frames and latents, in %. */
  readonly activationPercent: number;
  /** `[latents]`: share of frames in which each latent fired (feature density). */
  readonly frequencies: Float64Array;
  /** `[latents]`: mean activation of each latent over all frames. */
  readonly meanActivations: Float64Array;
  /** Latents that fired in none of the last `deadWindowFrames` frames, ascending. */
  readonly deadLatents: Int32Array;
  readonly deadFraction: number;
  readonly deadWindowFrames: number;
}

/** Measures of a fitted SAE on frames: reconstruction (MSE, SSE, FVU), the active share, feature frequencies and mean activations, dead latents. */
export async function evaluateSAE(sae: SAE, source: MatrixLike | FrameSource, opts: EvaluateSAEOptions = {}): Promise<SAEMetrics> {
  const src = asFrameSource(source, 'source');
  if (src.dim !== sae.inputDim) throw new Error(`evaluateSAE: source frames have ${src.dim} values, the SAE takes ${sae.inputDim}`);
  const ranges = opts.ranges ?? [{ start: 0, rows: src.count }];
  const frames = ranges.reduce((a, r) => a + r.rows, 0);
  if (frames < 1) throw new Error('evaluateSAE: no frames to evaluate');
  const window = opts.deadWindowFrames ?? frames;
  if (!(Number.isInteger(window) && window >= 1)) throw new Error(`evaluateSAE: deadWindowFrames must be a positive integer, got ${window}`);
  const tailStart = Math.max(0, frames - window);
  const spec = { variant: sae.config.variant, preEncoderBias: sae.config.preEncoderBias };
  const session = await graphSession(statsGraphKey(spec), () => buildStatsGraph(spec));
  const d = sae.inputDim;
  const L = sae.latents;
  const feeds = sae.encoderFeeds();
  feeds['Wd'] = tensor('float32', sae.decoderWeights().data, [d, L]);
  const counts = new Float64Array(L);
  const tailCounts = new Float64Array(L);
  const actSum = new Float64Array(L);
  let sse = 0;
  // Variance about a shift c (the first chunk's mean) keeps the one-pass sum of squares accurate.
  let shift: Float64Array | null = null;
  const sumDev = new Float64Array(d);
  let sumSqDev = 0;
  let seen = 0;
  for (const range of ranges) {
    for (let r0 = 0; r0 < range.rows; ) {
      let n = Math.min(SAE_CHUNK_FRAMES, range.rows - r0);
      // Split the chunk where the dead-latent window begins.
      if (seen < tailStart && seen + n > tailStart) n = tailStart - seen;
      const X = await src.read(range.start + r0, n);
      if (shift === null) {
        const c = new Float64Array(d);
        for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) c[j] += atF32(X.data, i * d + j) / n;
        shift = c;
      }
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) {
          const v = atF32(X.data, i * d + j) - atF64(shift, j);
          if (!Number.isFinite(v)) throw new Error(`evaluateSAE: source frame ${range.start + r0 + i} has a non-finite value at column ${j}`);
          sumDev[j] += v;
          sumSqDev += v * v;
        }
      }
      feeds['X'] = tensor('float32', X.data, [n, d]);
      const out = await session.run(feeds);
      const s = out['sse'];
      const c = out['counts'];
      const a = out['actSum'];
      if (s === undefined || c === undefined || a === undefined) throw new Error('evaluateSAE: stats graph output missing');
      sse += Number((s.data as Float32Array)[0]);
      const cd = c.data as Float32Array;
      const ad = a.data as Float32Array;
      const inTail = seen >= tailStart;
      for (let i = 0; i < L; i++) {
        counts[i] += atF32(cd, i);
        actSum[i] += atF32(ad, i);
        if (inTail) tailCounts[i] += atF32(cd, i);
      }
      seen += n;
      r0 += n;
    }
  }
  let meanDevSq = 0;
  for (let j = 0; j < d; j++) meanDevSq += (atF64(sumDev, j) / frames) ** 2;
  const totalVar = sumSqDev - frames * meanDevSq;
  let active = 0;
  const dead: number[] = [];
  const frequencies = new Float64Array(L);
  const meanActivations = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    active += atF64(counts, i);
    frequencies[i] = atF64(counts, i) / frames;
    meanActivations[i] = atF64(actSum, i) / frames;
    if (atF64(tailCounts, i) === 0) dead.push(i);
  }
  return {
    frames,
    mse: sse / (frames * d),
    sse: sse / frames,
    fvu: totalVar > 0 ? sse / totalVar : NaN,
    l0: active / frames,
    activationPercent: (100 * active) / (frames * L),
    frequencies,
    meanActivations,
    deadLatents: Int32Array.from(dead),
    deadFraction: dead.length / L,
    deadWindowFrames: Math.min(window, frames),
  };
}
