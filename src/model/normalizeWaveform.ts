import { atF32 } from '../util/at';
/**
 * The feature-extractor normalisation of wav2vec2-family models (transformers' Wav2Vec2FeatureExtractor with
 * `do_normalize`): each clip is shifted to zero mean and scaled by `1 / sqrt(var + 1e-7)` (population
 * variance), computed in float64.
 */
export const NORMALIZE_EPS = 1e-7;

/** A new normalised copy of `samples` (the input is not modified). Rejects empty input and NaN/Inf. */
export function normalizeWaveform(samples: Float32Array, what = 'samples'): Float32Array {
  const n = samples.length;
  if (n === 0) throw new Error(`${what}: cannot normalise an empty clip`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = atF32(samples, i);
    if (!Number.isFinite(v)) throw new Error(`${what}: contains ${v} at sample ${i}`);
    sum += v;
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = atF32(samples, i) - mean;
    ss += d * d;
  }
  const scale = 1 / Math.sqrt(ss / n + NORMALIZE_EPS);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (atF32(samples, i) - mean) * scale;
  return out;
}
