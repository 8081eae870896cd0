/**
 * Load an SAE from a safetensors file written by `saveSAE` (config from its metadata) or by other tools, or
 * from a PyTorch `state_dict` checkpoint (`.pt`, zip format, as the seed's `sae-resid-layer-6.pt`) whose
 * tensors are read without executing pickle code. The file kind is told by its bytes, not its name.
 *
 * Files without a layerwise config are taken to be the seed's architecture (relu-l1 on raw inputs, no
 * pre-encoder bias); `config` overrides that for checkpoints of other variants.
 */
import { readSourceBytes } from '../data/readSourceBytes';
import { SAE } from './SAE';
import { checkSAEConfig, type SAEConfig } from './SAEConfig';
import { decodeSafetensors, type NamedTensor } from './safetensors';
import { SAE_CONFIG_METADATA_KEY } from './saveSAE';
import { SAE_PARAMETER_NAMES, SAE_PARAMETERS, saeParameterShape, type SAEParameter } from './SAEWeights';
import { readTorchStateDict } from './readTorchStateDict';

export interface LoadSAEOptions {
  /** Config fields to use instead of those stored or inferred (inputDim and latents always come from the weights). */
  readonly config?: Partial<Omit<SAEConfig, 'inputDim' | 'latents'>>;
}

function parseConfig(json: string, where: string): Partial<SAEConfig> {
  let c: unknown;
  try {
    c = JSON.parse(json);
  } catch (e) {
    throw new Error(`${where}: metadata '${SAE_CONFIG_METADATA_KEY}' is not valid JSON (${(e as Error).message})`);
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new Error(`${where}: metadata '${SAE_CONFIG_METADATA_KEY}' is not a JSON object`);
  return c as Partial<SAEConfig>;
}

/** Build an SAE from named tensors (state_dict names); `stored` is a config read from the file, if any. */
export function saeFromTensors(tensors: ReadonlyMap<string, NamedTensor>, stored: Partial<SAEConfig>, where: string, opts: LoadSAEOptions = {}): SAE {
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
  return new SAE(checkSAEConfig(config, where), arrays);
}

/** Load the SAE at `path` (safetensors or a torch zip checkpoint). */
export function loadSAE(path: string, opts: LoadSAEOptions = {}): SAE {
  const { bytes } = readSourceBytes(path);
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const isLegacyTorch = bytes.length >= 2 && bytes[0] === 0x80 && (bytes[1] as number) <= 5;
  if (isZip || isLegacyTorch) return saeFromTensors(readTorchStateDict(bytes, path), {}, path, opts);
  const st = decodeSafetensors(bytes, path);
  const json = st.metadata[SAE_CONFIG_METADATA_KEY];
  return saeFromTensors(st.tensors, json === undefined ? {} : parseConfig(json, path), path, opts);
}
