/**
 * What `config.json` says about a speech model's architecture, checked: the families layerwise builds graphs
 * for from their weights (wav2vec2, HuBERT, WavLM, data2vec-audio, Whisper's encoder, in their base, large and
 * XLSR sizes), and an error naming the key for anything else: another `model_type`, an activation other than
 * GELU, a conformer or adapter option, a feature-encoder norm that is not 'group' or 'layer'.
 */

/** The conv-feature-encoder families (wav2vec2's module tree, with their differences as options). */
export type ConvEncoderFamily = 'wav2vec2' | 'hubert' | 'wavlm' | 'data2vec-audio';

/** A wav2vec2-style model: conv feature encoder, feature projection, positional conv, transformer layers. */
export interface ConvEncoderArchitecture {
  readonly family: ConvEncoderFamily;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly layerNormEps: number;
  /** 'group': GroupNorm after the first conv only (base models); 'layer': LayerNorm after every conv. */
  readonly featExtractNorm: 'group' | 'layer';
  readonly convDim: readonly number[];
  readonly convKernel: readonly number[];
  readonly convStride: readonly number[];
  readonly convBias: boolean;
  /** Pre-LN layers with a final encoder LayerNorm (`do_stable_layer_norm`: large-lv60, XLSR, WavLM large). */
  readonly stableLayerNorm: boolean;
  /** The feature projection's LayerNorm (HuBERT's `feat_proj_layer_norm`; always on for the others). */
  readonly featProjLayerNorm: boolean;
  /** Positional conv: kernel, groups, and how many conv layers (1 with weight norm; data2vec-audio: 5 with LayerNorm). */
  readonly posConvKernel: number;
  readonly posConvGroups: number;
  readonly posConvLayers: number;
  /** WavLM's relative position buckets and their largest distance. */
  readonly numBuckets: number;
  readonly maxBucketDistance: number;
}

/** Whisper's encoder: two convs over the log-mel spectrogram, sinusoidal positions, pre-LN layers. */
export interface WhisperEncoderArchitecture {
  readonly family: 'whisper';
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly melBins: number;
  /** Encoder frames for 30 s (1500): the positional table's length. */
  readonly maxSourcePositions: number;
  readonly layerNormEps: number;
}

export type SpeechArchitecture = ConvEncoderArchitecture | WhisperEncoderArchitecture;

type Json = Readonly<Record<string, unknown>>;

function int(cfg: Json, key: string, where: string, fallback?: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${where}: '${key}' must be a positive integer, got ${JSON.stringify(cfg[key])}`);
  return v;
}

function num(cfg: Json, key: string, where: string, fallback: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new Error(`${where}: '${key}' must be a positive number, got ${JSON.stringify(cfg[key])}`);
  return v;
}

function bool(cfg: Json, key: string, where: string, fallback: boolean): boolean {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'boolean') throw new Error(`${where}: '${key}' must be true or false, got ${JSON.stringify(cfg[key])}`);
  return v;
}

function ints(cfg: Json, key: string, where: string, fallback: readonly number[]): number[] {
  const v = cfg[key] ?? fallback;
  if (!Array.isArray(v) || v.length === 0 || !v.every((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1)) {
    throw new Error(`${where}: '${key}' must be a non-empty list of positive integers, got ${JSON.stringify(cfg[key])}`);
  }
  return v;
}

function gelu(cfg: Json, key: string, where: string): void {
  const v = cfg[key] ?? 'gelu';
  if (v !== 'gelu') throw new Error(`${where}: '${key}' is ${JSON.stringify(v)}; graphs built from weights support 'gelu' (every checkpoint of these families uses it)`);
}

/** Options that change the architecture and that no built graph implements: refuse them by name. */
function refuse(cfg: Json, where: string, checks: readonly [string, (v: unknown) => boolean, string][]): void {
  for (const [key, bad, what] of checks) {
    if (key in cfg && bad(cfg[key])) throw new Error(`${where}: '${key}' = ${JSON.stringify(cfg[key])} (${what}) is not supported for graphs built from weights`);
  }
}

const FAMILIES: Readonly<Record<string, ConvEncoderFamily | 'whisper'>> = {
  wav2vec2: 'wav2vec2',
  hubert: 'hubert',
  wavlm: 'wavlm',
  'data2vec-audio': 'data2vec-audio',
  whisper: 'whisper',
};

/** The architecture of the model `config` (a parsed `config.json`) describes; `where` names the file in errors. */
export function readSpeechArchitecture(config: unknown, where: string): SpeechArchitecture {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`${where}: expected a JSON object`);
  const cfg: Json = Object.fromEntries(Object.entries(config));
  const type = cfg['model_type'];
  const family = typeof type === 'string' ? FAMILIES[type] : undefined;
  if (family === undefined) {
    throw new Error(`${where}: model_type ${JSON.stringify(type)} has no graph builder; layerwise builds ${Object.keys(FAMILIES).join(', ')} from their weights (other models need an ONNX file)`);
  }
  if (family === 'whisper') {
    gelu(cfg, 'activation_function', where);
    return {
      family,
      hidden: int(cfg, 'd_model', where),
      layers: int(cfg, 'encoder_layers', where),
      heads: int(cfg, 'encoder_attention_heads', where),
      intermediate: int(cfg, 'encoder_ffn_dim', where),
      melBins: int(cfg, 'num_mel_bins', where, 80),
      maxSourcePositions: int(cfg, 'max_source_positions', where, 1500),
      layerNormEps: 1e-5,
    };
  }
  gelu(cfg, 'hidden_act', where);
  gelu(cfg, 'feat_extract_activation', where);
  refuse(cfg, where, [
    ['position_embeddings_type', (v) => v !== null && v !== undefined, 'a conformer encoder'],
    ['add_adapter', (v) => v === true, 'an adapter after the encoder'],
    ['use_intermediate_ffn_before_adapter', (v) => v === true, 'an FFN before the adapter'],
    ['conv_pos_batch_norm', (v) => v === true, 'a BatchNorm in the positional conv'],
  ]);
  const norm = cfg['feat_extract_norm'] ?? (family === 'data2vec-audio' ? 'layer' : 'group');
  if (norm !== 'group' && norm !== 'layer') throw new Error(`${where}: 'feat_extract_norm' must be 'group' or 'layer', got ${JSON.stringify(norm)}`);
  const convDim = ints(cfg, 'conv_dim', where, [512, 512, 512, 512, 512, 512, 512]);
  const convKernel = ints(cfg, 'conv_kernel', where, [10, 3, 3, 3, 3, 2, 2]);
  const convStride = ints(cfg, 'conv_stride', where, [5, 2, 2, 2, 2, 2, 2]);
  if (convDim.length !== convKernel.length || convDim.length !== convStride.length) {
    throw new Error(`${where}: conv_dim (${convDim.length}), conv_kernel (${convKernel.length}) and conv_stride (${convStride.length}) must have one entry per conv layer`);
  }
  const hidden = int(cfg, 'hidden_size', where);
  const heads = int(cfg, 'num_attention_heads', where);
  if (hidden % heads !== 0) throw new Error(`${where}: hidden_size ${hidden} is not a multiple of num_attention_heads ${heads}`);
  // data2vec-audio counts its positional conv layers in num_conv_pos_embeddings and keeps their kernel in conv_pos_kernel_size.
  const d2v = family === 'data2vec-audio';
  const posConvGroups = int(cfg, 'num_conv_pos_embedding_groups', where, 16);
  if (hidden % posConvGroups !== 0) throw new Error(`${where}: hidden_size ${hidden} is not a multiple of num_conv_pos_embedding_groups ${posConvGroups}`);
  return {
    family,
    hidden,
    layers: int(cfg, 'num_hidden_layers', where),
    heads,
    intermediate: int(cfg, 'intermediate_size', where),
    layerNormEps: num(cfg, 'layer_norm_eps', where, 1e-5),
    featExtractNorm: norm,
    convDim,
    convKernel,
    convStride,
    convBias: bool(cfg, 'conv_bias', where, false),
    stableLayerNorm: bool(cfg, 'do_stable_layer_norm', where, false),
    featProjLayerNorm: family === 'hubert' ? bool(cfg, 'feat_proj_layer_norm', where, true) : true,
    posConvKernel: d2v ? int(cfg, 'conv_pos_kernel_size', where, 19) : int(cfg, 'num_conv_pos_embeddings', where, 128),
    posConvGroups,
    posConvLayers: d2v ? int(cfg, 'num_conv_pos_embeddings', where, 5) : 1,
    numBuckets: int(cfg, 'num_buckets', where, 320),
    maxBucketDistance: int(cfg, 'max_bucket_distance', where, 800),
  };
}
