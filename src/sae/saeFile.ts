/**
 * SAE files. Written: one safetensors file, the four parameters under their `state_dict` names (float32,
 * PyTorch layouts, so `safetensors.torch.load_file` + `load_state_dict` restores the seed's module) and the
 * config as JSON in the header's `__metadata__` under `layerwise.sae.config` (plus `format: pt`); no sidecar.
 * Read: such a file or one written by other tools, or a PyTorch `state_dict` checkpoint (`.pt`, zip format,
 * as the seed's `sae-resid-layer-6.pt`) whose tensors are read without executing pickle code. The file kind
 * is told by its bytes, not its name.
 *
 * Files without a layerwise config are taken to be the seed's architecture (relu-l1 on raw inputs, no
 * pre-encoder bias); `config` overrides that for checkpoints of other variants. `SAE.save` / `SAE.load` use
 * these; nothing here builds an `SAE`, so the class can depend on this file and not the other way round.
 */
import { errorMessage } from '../util/describeError';
import { checkSAEConfig, type SAEConfig } from './SAEConfig';
import { encodeSafetensors, type NamedTensor } from '../checkpoint/safetensors';
import { SAE_PARAMETER_NAMES, SAE_PARAMETERS, saeParameterShape, type SAEParameter, type SAEWeights } from './SAEWeights';
import { readCheckpoint } from '../checkpoint/readCheckpoint';

/** Metadata key that holds the JSON config. */
export const SAE_CONFIG_METADATA_KEY = 'layerwise.sae.config';

/** An SAE's config and weights, as a file holds them. */
export interface SAEParts {
  readonly config: SAEConfig;
  readonly weights: SAEWeights;
}

/** The safetensors bytes of an SAE (see the file comment). */
export function encodeSAEFile(config: SAEConfig, weights: SAEWeights): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  for (const p of SAE_PARAMETERS) tensors.set(SAE_PARAMETER_NAMES[p], { shape: saeParameterShape(p, config.inputDim, config.latents), data: weights[p] });
  return encodeSafetensors(tensors, { format: 'pt', [SAE_CONFIG_METADATA_KEY]: JSON.stringify(config) });
}

/** How `SAE.load` reads a file. */
export interface LoadSAEOptions {
  /** Config fields to use instead of those stored or inferred (inputDim and latents always come from the weights). */
  readonly config?: Partial<Omit<SAEConfig, 'inputDim' | 'latents'>>;
}

function parseConfig(json: string, where: string): Partial<SAEConfig> {
  let c: unknown;
  try {
    c = JSON.parse(json);
  } catch (e) {
    throw new Error(`${where}: metadata '${SAE_CONFIG_METADATA_KEY}' is not valid JSON (${errorMessage(e)})`);
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new Error(`${where}: metadata '${SAE_CONFIG_METADATA_KEY}' is not a JSON object`);
  return c as Partial<SAEConfig>;
}

/** An SAE's parts from named tensors (state_dict names); `stored` is a config read from the file, if any. */
export function saePartsFromTensors(tensors: ReadonlyMap<string, NamedTensor>, stored: Partial<SAEConfig>, where: string, opts: LoadSAEOptions = {}): SAEParts {
  const get = (p: SAEParameter): NamedTensor => {
    const t = tensors.get(SAE_PARAMETER_NAMES[p]);
    if (t === undefined) {
      throw new Error(`${where}: no tensor '${SAE_PARAMETER_NAMES[p]}' (found: ${[...tensors.keys()].join(', ') || 'none'}); an SAE needs ${SAE_PARAMETERS.map((q) => SAE_PARAMETER_NAMES[q]).join(', ')}`);
    }
    return t;
  };
  const dec = get('decoder');
  if (dec.shape.length !== 2) throw new Error(`${where}: decoder.weight has shape [${dec.shape.join(', ')}], expected [inputDim, latents]`);
  const [d, L] = dec.shape as [number, number];
  const arrays = {} as Record<SAEParameter, Float32Array>;
  for (const p of SAE_PARAMETERS) {
    const t = get(p);
    const want = saeParameterShape(p, d, L);
    if (t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
      throw new Error(`${where}: ${SAE_PARAMETER_NAMES[p]} has shape [${t.shape.join(', ')}], expected [${want.join(', ')}] for decoder.weight [${d}, ${L}]`);
    }
    arrays[p] = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
  }
  const config: SAEConfig = {
    variant: 'relu-l1',
    k: 0,
    preEncoderBias: false,
    inputScale: 1,
    threshold: 0,
    ...stored,
    ...opts.config,
    inputDim: d,
    latents: L,
  };
  if (stored.inputDim !== undefined && (stored.inputDim !== d || stored.latents !== L)) {
    throw new Error(`${where}: config says [${String(stored.inputDim)}, ${String(stored.latents)}] but decoder.weight is [${d}, ${L}]`);
  }
  return { config: checkSAEConfig(config, where), weights: arrays };
}

/** Read the SAE at `path` (safetensors or a torch zip checkpoint). */
export function readSAEFile(path: string, opts: LoadSAEOptions = {}): SAEParts {
  const st = readCheckpoint(path);
  const json = st.metadata[SAE_CONFIG_METADATA_KEY];
  return saePartsFromTensors(st.tensors, json === undefined ? {} : parseConfig(json, path), path, opts);
}
