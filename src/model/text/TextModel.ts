/**
 * A loaded BERT-family text encoder (`loadTextModel`): its tokenizer, and a forward pass over one token
 * sequence that returns every hidden state as an `ActivationCache` (`hidden.0` = the embeddings' output, Hugging
 * Face `hidden_states[0]`, to `hidden.L`), each `[tokens, hidden]`.
 */
import type { TextTokenizer } from './TextTokenizer';
import { tensor, type Session, type TensorValue } from '../../backend/ort';
import { ActivationCache, type ActivationEntry } from '../ActivationCache';
import { parseActivationName, resolveActivationName } from '../activationNames';
import { tokenizeWords, type TokenizedWords } from './tokenizeWords';
import type { TextFamily } from './textArchitecture';

/** What a text model is and where it came from. */
export interface TextModelInfo {
  readonly family: TextFamily;
  /** Transformer layers L (hidden states are 0..L). */
  readonly layers: number;
  readonly hidden: number;
  /** Longest token sequence one run takes, special tokens included; longer transcripts run in windows (`embedWords`). */
  readonly maxTokens: number;
  /** The checkpoint has untrained weights (the bundled demo model); figures must say so. */
  readonly randomWeights: boolean;
  /** What a figure should say about the weights ('random weights'), if anything. */
  readonly caveat: string | undefined;
  /** 'onnx': an export whose layers were exposed; 'weights': a graph built from the checkpoint. */
  readonly source: 'onnx' | 'weights';
  /** The export or checkpoint, and the graph that runs. */
  readonly file: string;
  readonly runPath: string;
  readonly configFile: string;
  readonly tokenizerFile: string;
}

/** What a text model's activation cache records about its run. */
export interface TextRunMeta {
  readonly modelId: string;
  /** The tokens the model read, special tokens included. */
  readonly tokens: readonly string[];
}

/** Which of the optional inputs the graph reads. */
export interface TextGraphInputs {
  readonly positionIds: boolean;
  readonly tokenTypeIds: boolean;
  readonly attentionMask: boolean;
}

/** See the file comment; made by `loadTextModel`. */
export class TextModel {
  /** `hidden.0` .. `hidden.L`. */
  readonly layerNames: readonly string[];

  constructor(
    /** The path or repo id it was loaded from. */
    readonly id: string,
    /** sha256 of the export, or of the checkpoint and config.json. */
    readonly hash: string,
    readonly info: TextModelInfo,
    readonly tokenizer: TextTokenizer,
    private readonly session: Session,
    private readonly inputs: TextGraphInputs,
    private readonly firstPosition: number,
    private readonly vocabSize: number,
  ) {
    this.layerNames = Array.from({ length: info.layers + 1 }, (_, i) => `hidden.${i}`);
  }

  /** The words of one transcript as tokens, with the word of each token (`tokenizeWords`). */
  tokenizeWords(words: readonly string[], what = 'transcript'): TokenizedWords {
    return tokenizeWords(this.tokenizer, words, `${this.id}: ${what}`);
  }

  /**
   * One forward pass over `ids` (at most `info.maxTokens`, special tokens included); `layers` limits the
   * activations kept (default every hidden state).
   */
  async run(ids: readonly number[], opts: { readonly layers?: readonly string[] } = {}): Promise<ActivationCache<TextRunMeta>> {
    const n = ids.length;
    if (n < 1) throw new Error(`${this.id}: run needs at least one token`);
    if (n > this.info.maxTokens) throw new Error(`${this.id}: ${n} tokens, but the model's positions hold ${this.info.maxTokens}; embedWords runs long transcripts in windows`);
    ids.forEach((id, i) => {
      if (!(Number.isInteger(id) && id >= 0 && id < this.vocabSize)) throw new Error(`${this.id}: token ${i} has id ${id}, outside the vocabulary of ${this.vocabSize}`);
    });
    const layers = (opts.layers ?? this.layerNames).map((l) => resolveActivationName(l, this.layerNames, this.id));
    const long = (f: (i: number) => number): TensorValue => tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(f(i))), [1, n]);
    const feeds: Record<string, TensorValue> = { input_ids: long((i) => ids[i] ?? 0) };
    if (this.inputs.positionIds) feeds['position_ids'] = long((i) => this.firstPosition + i);
    if (this.inputs.tokenTypeIds) feeds['token_type_ids'] = long(() => 0);
    if (this.inputs.attentionMask) feeds['attention_mask'] = long(() => 1);
    const out = await this.session.run(feeds, layers);
    const entries: ActivationEntry[] = layers.map((name) => {
      const t = out[name];
      if (t === undefined || !(t.data instanceof Float32Array) || t.dims.length !== 3 || t.dims[1] !== n) {
        throw new Error(`${this.id}: output '${name}' is not a float32 [1, ${n}, hidden] tensor`);
      }
      const { kind, index } = parseActivationName(name);
      return { name, kind, index, value: { rows: n, cols: t.dims[2] ?? 0, data: t.data } };
    });
    const tokens = ids.map((id) => this.tokenizer.id_to_token(id) ?? `<${id}>`);
    return new ActivationCache<TextRunMeta>(entries, { modelId: this.id, tokens });
  }

  /** Free the runtime session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
