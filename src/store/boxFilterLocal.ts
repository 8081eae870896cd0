/**
 * layerwise-analysis's 10 ms grid for the conv (local) layers of wav2vec2-family models: conv layer l's
 * frames averaged by a box filter (conv1d with weights 1/k) of kernel and stride (79, 32), (39, 16), (19, 8),
 * (9, 4), (4, 2), (2, 1) for l = 1..6, i.e. about a 25 ms window every 10 ms, then truncated to the
 * floor((N - 400) / 160) + 1 frames of a 25 ms / 10 ms framing of the N-sample clip (the fbank's grid). Layer
 * 7 already has the transformer's 20 ms frames and is returned as it is.
 */
import type { Matrix } from '../matrix';
import { atF32, atF64 } from '../util/at';

/** The peer's (kernel, stride) per conv layer 1..6 (in that layer's frames). */
export const LOCAL_BOX_FILTERS: readonly (readonly [number, number])[] = [
  [79, 32],
  [39, 16],
  [19, 8],
  [9, 4],
  [4, 2],
  [2, 1],
];

/** Conv layer `layer` (1..7) of a clip of `numSamples` samples, `[frames, channels]`, on the peer's 10 ms grid. */
export function boxFilterLocal(frames: Matrix<Float32Array>, layer: number, numSamples: number, what = `local.${layer}`): Matrix<Float32Array> {
  if (!(Number.isInteger(layer) && layer >= 1 && layer <= 7)) throw new Error(`${what}: layer must be a conv layer number 1..7, got ${layer}`);
  if (frames.data.length !== frames.rows * frames.cols) throw new Error(`${what}: data does not match [${frames.rows}, ${frames.cols}]`);
  if (layer === 7) return frames;
  const filter = LOCAL_BOX_FILTERS[layer - 1];
  if (filter === undefined) throw new Error(`${what}: no box filter for layer ${layer}`);
  const [k, s] = filter;
  const d = frames.cols;
  const conv = frames.rows >= k ? Math.floor((frames.rows - k) / s) + 1 : 0;
  const grid = numSamples >= 400 ? Math.floor((numSamples - 400) / 160) + 1 : 0;
  const T = Math.min(conv, grid);
  if (T < 1) throw new Error(`${what}: ${frames.rows} frames (${numSamples} samples) is too short for one 10 ms frame of the box filter (${k} frames)`);
  const out = new Float32Array(T * d);
  const acc = new Float64Array(d);
  for (let t = 0; t < T; t++) {
    acc.fill(0);
    for (let r = t * s; r < t * s + k; r++) for (let j = 0; j < d; j++) acc[j] += atF32(frames.data, r * d + j);
    for (let j = 0; j < d; j++) out[t * d + j] = atF64(acc, j) / k;
  }
  return { rows: T, cols: d, data: out };
}
