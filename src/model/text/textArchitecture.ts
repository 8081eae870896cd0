/**
 * What `config.json` says about a BERT-family text encoder, checked: BERT (`bert-base-uncased`, seed 002's text
 * model) and RoBERTa, whose module trees are the same apart from RoBERTa's position ids (they start after the
 * padding index) and its single token type. Anything else (another `model_type`, an activation other than
 * GELU, relative position embeddings) is an error naming the key.
 */

/** The BERT-family encoders layerwise builds from weights. */
export type TextFamily = 'bert' | 'roberta';

/** A BERT-family encoder's shape, from config.json. */
export interface TextArchitecture {
  readonly family: TextFamily;
  readonly vocabSize: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  /** Rows of the position table (`max_position_embeddings`). */
  readonly maxPositions: number;
  readonly typeVocab: number;
  readonly layerNormEps: number;
  /** Position id of the first token: 0 for BERT, `pad_token_id + 1` for RoBERTa. */
  readonly firstPosition: number;
  /** Longest token sequence, special tokens included: the positions the table holds from `firstPosition` on. */
  readonly maxTokens: number;
  /** `layerwise_random_weights` (the bundled demo model): figures made with it must say so. */
  readonly randomWeights: boolean;
}

type Json = Readonly<Record<string, unknown>>;

function positiveInt(cfg: Json, key: string, where: string, fallback?: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${where}: '${key}' must be a positive integer, got ${JSON.stringify(cfg[key])}`);
  return v;
}

/** Read a text encoder's architecture from a parsed config.json (`where` names the file in errors). */
export function readTextArchitecture(json: unknown, where: string): TextArchitecture {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${where}: config.json must be a JSON object`);
  const cfg = json as Json;
  const type = cfg['model_type'];
  if (type !== 'bert' && type !== 'roberta') {
    throw new Error(`${where}: model_type ${JSON.stringify(type)} is not a text encoder layerwise builds from weights (bert, roberta); export it to ONNX instead`);
  }
  const act = cfg['hidden_act'] ?? 'gelu';
  if (act !== 'gelu') throw new Error(`${where}: hidden_act ${JSON.stringify(act)}: the builder implements 'gelu' (erf) only`);
  const pos = cfg['position_embedding_type'] ?? 'absolute';
  if (pos !== 'absolute') throw new Error(`${where}: position_embedding_type ${JSON.stringify(pos)}: the builder implements 'absolute' only`);
  const hidden = positiveInt(cfg, 'hidden_size', where);
  const heads = positiveInt(cfg, 'num_attention_heads', where);
  if (hidden % heads !== 0) throw new Error(`${where}: hidden_size ${hidden} is not a multiple of num_attention_heads ${heads}`);
  const eps = cfg['layer_norm_eps'] ?? 1e-12;
  if (typeof eps !== 'number' || !(eps > 0)) throw new Error(`${where}: 'layer_norm_eps' must be a positive number, got ${JSON.stringify(cfg['layer_norm_eps'])}`);
  const pad = cfg['pad_token_id'] ?? (type === 'roberta' ? 1 : 0);
  if (typeof pad !== 'number' || !Number.isInteger(pad) || pad < 0) throw new Error(`${where}: 'pad_token_id' must be a non-negative integer, got ${JSON.stringify(pad)}`);
  const maxPositions = positiveInt(cfg, 'max_position_embeddings', where);
  const firstPosition = type === 'roberta' ? pad + 1 : 0;
  if (maxPositions <= firstPosition) throw new Error(`${where}: max_position_embeddings ${maxPositions} leaves no position after the padding index ${pad}`);
  const rw = cfg['layerwise_random_weights'] ?? false;
  if (typeof rw !== 'boolean') throw new Error(`${where}: 'layerwise_random_weights' must be true or false, got ${JSON.stringify(rw)}`);
  return {
    family: type,
    vocabSize: positiveInt(cfg, 'vocab_size', where),
    hidden,
    layers: positiveInt(cfg, 'num_hidden_layers', where),
    heads,
    intermediate: positiveInt(cfg, 'intermediate_size', where),
    maxPositions,
    typeVocab: positiveInt(cfg, 'type_vocab_size', where, 2),
    layerNormEps: eps,
    firstPosition,
    maxTokens: maxPositions - firstPosition,
    randomWeights: rw,
  };
}
