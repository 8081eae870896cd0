/**
 * Save an SAE as one safetensors file: the four parameters under their `state_dict` names (float32, PyTorch
 * layouts, so `safetensors.torch.load_file` + `load_state_dict` restores the seed's module) and the config as
 * JSON in the header's `__metadata__` under the key `layerwise.sae.config` (plus `format: pt`). No sidecar
 * file: one file carries everything.
 */
import { writeFileAtomic } from '../data/writeFileAtomic';
import type { SAE } from './SAE';
import { encodeSafetensors, type NamedTensor } from './safetensors';
import { SAE_PARAMETER_NAMES, SAE_PARAMETERS, saeParameterShape } from './SAEWeights';

/** Metadata key that holds the JSON config. */
export const SAE_CONFIG_METADATA_KEY = 'layerwise.sae.config';

export function encodeSAE(sae: SAE): Uint8Array {
  const w = sae.weights;
  const tensors = new Map<string, NamedTensor>();
  for (const p of SAE_PARAMETERS) tensors.set(SAE_PARAMETER_NAMES[p], { shape: saeParameterShape(p, sae.inputDim, sae.latents), data: w[p] });
  return encodeSafetensors(tensors, { format: 'pt', [SAE_CONFIG_METADATA_KEY]: JSON.stringify(sae.config) });
}

/** Write `sae` to `path` (conventionally `*.safetensors`), atomically. */
export function saveSAE(sae: SAE, path: string): void {
  writeFileAtomic(path, encodeSAE(sae));
}
