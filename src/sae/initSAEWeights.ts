/**
 * Initial SAE weights as the seed's `SparseAutoencoder.init_weights` makes them (Anthropic's April 2024
 * update): decoder entries uniform in [-1, 1], each column scaled to unit norm and then (relu-l1) to a random
 * norm uniform in [0.05, 1]; unit norms for the topk variants (Gao et al. 2024); encoder = decoder transposed;
 * biases zero (the caller may set the decoder bias from data).
 *
 * Draw order from `new Random(seed)`: the `d * latents` decoder entries in row-major `[d, latents]` order,
 * then (relu-l1) the `latents` norms.
 */
import { Random } from '../random';
import type { SAEVariant } from './SAEConfig';
import { columnNorms, type SAEWeights } from './SAEWeights';
import { atF64 } from '../util/at';

export function initSAEWeights(inputDim: number, latents: number, variant: SAEVariant, seed: number | string): SAEWeights {
  if (!(Number.isInteger(inputDim) && inputDim > 0)) throw new Error(`initSAEWeights: inputDim must be a positive integer, got ${inputDim}`);
  if (!(Number.isInteger(latents) && latents > 0)) throw new Error(`initSAEWeights: latents must be a positive integer, got ${latents}`);
  const rng = new Random(seed);
  const dec = new Float64Array(inputDim * latents);
  for (let i = 0; i < dec.length; i++) dec[i] = 2 * rng.uniform() - 1;
  const norms = columnNorms(dec, inputDim, latents);
  const target = new Float64Array(latents).fill(1);
  if (variant === 'relu-l1') for (let i = 0; i < latents; i++) target[i] = rng.uniform() * 0.95 + 0.05;
  const decoder = new Float32Array(inputDim * latents);
  const encoder = new Float32Array(latents * inputDim);
  for (let r = 0; r < inputDim; r++) {
    for (let i = 0; i < latents; i++) {
      const v = (atF64(dec, r * latents + i) / atF64(norms, i)) * atF64(target, i);
      decoder[r * latents + i] = v;
      encoder[i * inputDim + r] = v;
    }
  }
  return { encoder, decoder, encoderBias: new Float32Array(latents), decoderBias: new Float32Array(inputDim) };
}
