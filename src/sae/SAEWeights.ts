/**
 * An SAE's parameters as flat row-major arrays in PyTorch's layouts, so that they save to and load from
 * `state_dict`s unchanged:
 * - `encoder`: `encoder.weight`, `[latents, inputDim]`;
 * - `decoder`: `decoder.weight`, `[inputDim, latents]` (column i is latent i's dictionary direction);
 * - `encoderBias`: `encoder_bias`, `[latents]`;
 * - `decoderBias`: `decoder_bias`, `[inputDim]`.
 */
import type { FloatArray } from '../matrix';
import { atF64, atFloat } from '../util/at';

/** The four SAE parameters as float32 arrays in PyTorch layouts (`encoder.weight` `[latents, d]`, `decoder.weight` `[d, latents]`, the biases). */
export interface SAEWeights<T extends FloatArray = Float32Array> {
  readonly encoder: T;
  readonly decoder: T;
  readonly encoderBias: T;
  readonly decoderBias: T;
}

/** The `state_dict` names of the four parameters, as the seed's `SparseAutoencoder` module names them. */
export const SAE_PARAMETER_NAMES = {
  encoder: 'encoder.weight',
  decoder: 'decoder.weight',
  encoderBias: 'encoder_bias',
  decoderBias: 'decoder_bias',
} as const;

export type SAEParameter = keyof typeof SAE_PARAMETER_NAMES;

export const SAE_PARAMETERS: readonly SAEParameter[] = ['encoder', 'decoder', 'encoderBias', 'decoderBias'];

/** The shape of each parameter for an SAE of input width `d` and `latents` latents. */
export function saeParameterShape(p: SAEParameter, d: number, latents: number): [number] | [number, number] {
  switch (p) {
    case 'encoder':
      return [latents, d];
    case 'decoder':
      return [d, latents];
    case 'encoderBias':
      return [latents];
    case 'decoderBias':
      return [d];
  }
}

/** Check lengths and finiteness of every parameter; errors name `where` and the parameter. */
export function checkSAEWeights<T extends FloatArray>(w: SAEWeights<T>, d: number, latents: number, where: string): SAEWeights<T> {
  for (const p of SAE_PARAMETERS) {
    const shape = saeParameterShape(p, d, latents);
    const n = shape.reduce((a, b) => a * b, 1);
    const a = w[p];
    if (a.length !== n) throw new Error(`${where}: ${SAE_PARAMETER_NAMES[p]} has ${a.length} values, expected [${shape.join(', ')}] = ${n}`);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(atFloat(a, i))) throw new Error(`${where}: ${SAE_PARAMETER_NAMES[p]} contains ${a[i]} at flat index ${i}`);
    }
  }
  return w;
}

/** Euclidean norm of each decoder column (`torch.norm(decoder.weight, dim=0)`), `[latents]`, float64. */
export function columnNorms(decoder: FloatArray, d: number, latents: number): Float64Array {
  const sq = new Float64Array(latents);
  for (let r = 0; r < d; r++) {
    const off = r * latents;
    for (let i = 0; i < latents; i++) {
      const v = atFloat(decoder, off + i);
      sq[i] += v * v;
    }
  }
  for (let i = 0; i < latents; i++) sq[i] = Math.sqrt(atF64(sq, i));
  return sq;
}
