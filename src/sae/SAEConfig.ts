/**
 * The shape and behaviour of a sparse autoencoder, independent of its weights. Saved with the weights
 * (safetensors `__metadata__`), so a loaded SAE encodes exactly as the trained one did.
 */

/**
 * - `relu-l1`: the seed's architecture (Anthropic, "Circuits Updates - April 2024"): `f = ReLU(W_e x + b_e)`,
 *   `x_hat = W_d f + b_d`, loss = summed squared error + lambda * sum_i ||W_d[:, i]|| f_i, mean over the batch;
 *   decoder norms are free (the penalty carries them).
 * - `topk`: Gao et al. 2024 ("Scaling and evaluating sparse autoencoders"): `f = ReLU(TopK_k(W_e (x - b_d) + b_e))`
 *   per frame, unit-norm decoder columns.
 * - `batch-topk`: Bussmann et al. 2024 ("BatchTopK Sparse Autoencoders"): during training the k * batch largest
 *   pre-activations of the whole batch survive; at inference a single threshold (the running mean of the smallest
 *   kept activation) replaces the batch selection, so frames are encoded independently (a JumpReLU).
 */
export type SAEVariant = 'relu-l1' | 'topk' | 'batch-topk';

export const SAE_VARIANTS: readonly SAEVariant[] = ['relu-l1', 'topk', 'batch-topk'];

/** The shape and behaviour of a sparse autoencoder, independent of its weights (saved with them). */
export interface SAEConfig {
  readonly variant: SAEVariant;
  /** Input width d. */
  readonly inputDim: number;
  /** Number of latents (dictionary size). */
  readonly latents: number;
  /** Active latents per frame (`topk`) or mean per frame (`batch-topk`); 0 for `relu-l1`. */
  readonly k: number;
  /** Subtract `b_d` from the input before the encoder (Gao et al.'s b_pre); false for the seed's relu-l1. */
  readonly preEncoderBias: boolean;
  /**
   * Inputs are multiplied by this before the encoder and reconstructions divided by it afterwards
   * (Anthropic's normalisation to E||x|| = sqrt(d) when training used `normalizeInput`); 1 otherwise.
   */
  readonly inputScale: number;
  /** `batch-topk` inference threshold on pre-activations (0 for the other variants). */
  readonly threshold: number;
  /** Training hyper-parameters, kept for the record (free-form). */
  readonly training?: Readonly<Record<string, number | string | boolean | readonly number[]>>;
}

/** Check a config read from a file or built by a caller; errors name `where`. */
export function checkSAEConfig(c: SAEConfig, where: string): SAEConfig {
  if (!SAE_VARIANTS.includes(c.variant)) throw new Error(`${where}: unknown SAE variant '${String(c.variant)}' (expected ${SAE_VARIANTS.join(', ')})`);
  for (const [name, v] of [['inputDim', c.inputDim], ['latents', c.latents]] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`${where}: ${name} must be a positive integer, got ${String(v)}`);
  }
  if (!(Number.isInteger(c.k) && c.k >= 0 && c.k <= c.latents)) throw new Error(`${where}: k must be an integer in [0, ${c.latents}], got ${String(c.k)}`);
  if (c.variant !== 'relu-l1' && c.k < 1) throw new Error(`${where}: variant '${c.variant}' needs k >= 1`);
  if (!(Number.isFinite(c.inputScale) && c.inputScale > 0)) throw new Error(`${where}: inputScale must be a positive number, got ${String(c.inputScale)}`);
  if (!(Number.isFinite(c.threshold) && c.threshold >= 0)) throw new Error(`${where}: threshold must be a non-negative number, got ${String(c.threshold)}`);
  if (typeof c.preEncoderBias !== 'boolean') throw new Error(`${where}: preEncoderBias must be a boolean`);
  return c;
}

/** A config from parsed JSON (every field checked, `training` kept as given); errors name `where`. */
export function parseSAEConfig(value: unknown, where: string): SAEConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: the SAE config is not an object`);
  const o: Record<string, unknown> = { ...value };
  const num = (key: string): number => {
    const v = o[key];
    if (typeof v !== 'number') throw new Error(`${where}: SAE config '${key}' must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const variant = SAE_VARIANTS.find((v) => v === o['variant']);
  if (variant === undefined) throw new Error(`${where}: unknown SAE variant '${String(o['variant'])}' (expected ${SAE_VARIANTS.join(', ')})`);
  const preEncoderBias = o['preEncoderBias'];
  if (typeof preEncoderBias !== 'boolean') throw new Error(`${where}: preEncoderBias must be a boolean`);
  const config: SAEConfig = { variant, inputDim: num('inputDim'), latents: num('latents'), k: num('k'), preEncoderBias, inputScale: num('inputScale'), threshold: num('threshold') };
  const training = o['training'];
  if (training === undefined) return checkSAEConfig(config, where);
  if (typeof training !== 'object' || training === null || Array.isArray(training)) throw new Error(`${where}: SAE config 'training' must be an object`);
  const record: Record<string, number | string | boolean | readonly number[]> = {};
  for (const [k, v] of Object.entries(training)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') record[k] = v;
    else if (Array.isArray(v) && v.every((x): x is number => typeof x === 'number')) record[k] = v.filter((x): x is number => typeof x === 'number');
    else throw new Error(`${where}: SAE config 'training.${k}' must be a number, string, boolean or list of numbers`);
  }
  return checkSAEConfig({ ...config, training: record }, where);
}
