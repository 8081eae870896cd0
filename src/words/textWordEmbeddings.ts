/**
 * A text model's word embeddings over aligned utterances: each utterance's transcript (its aligned words, in
 * order, `utteranceWords`) run through the model (`embedWords`: mean of each word's subword tokens, or the first
 * token; sliding windows past the model's length), every layer.
 */
import type { Alignment } from '../data/alignments/Alignment';
import type { Matrix } from '../matrix';
import { embedWords, type EmbedWordsOptions } from '../model/text/embedWords';
import type { TextModel } from '../model/text/TextModel';
import { at } from '../util/at';
import { utteranceWords } from './utteranceWords';
import { WordEmbeddings, type SkippedWord, type WordOccurrence } from './WordEmbeddings';

/** Options of `textWordEmbeddings`. */
export interface TextWordEmbeddingsOptions extends Pick<EmbedWordsOptions, 'pooling' | 'maxTokens'> {
  /** Layers to keep (default `hidden.1`..`hidden.L`, as seed 002: the embedding output `hidden.0` is left out). */
  readonly layers?: readonly string[];
  /** Name in figures (default the model's id). */
  readonly name?: string;
  /** Called after each utterance with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Word embeddings of `model` over the aligned utterances (see the file comment). */
export async function textWordEmbeddings(model: TextModel, alignments: ReadonlyMap<string, Alignment>, opts: TextWordEmbeddingsOptions = {}): Promise<WordEmbeddings> {
  const layers = opts.layers ?? model.layerNames.slice(1);
  const utterances = utteranceWords(alignments);
  const occurrences: WordOccurrence[] = [];
  const skipped: SkippedWord[] = [];
  const parts: Float32Array[][] = layers.map(() => []);
  let done = 0;
  for (const { utterance, words } of utterances) {
    if (words.length > 0) {
      const embedOpts: EmbedWordsOptions = { layers, what: `utterance '${utterance}'`, ...(opts.pooling !== undefined ? { pooling: opts.pooling } : {}), ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}) };
      const got = await embedWords(model, words.map((w) => w.word), embedOpts);
      for (const i of got.empty) skipped.push({ ...at(words, i), reason: 'the tokenizer gives no token for it' });
      for (const i of got.wordIndex) occurrences.push(at(words, i));
      got.vectors.forEach((m, l) => at(parts, l).push(m.data));
    }
    opts.onProgress?.(++done, utterances.length);
  }
  const hidden = model.info.hidden;
  const matrices = new Map<string, Matrix<Float32Array>>();
  layers.forEach((name, l) => {
    const data = new Float32Array(occurrences.length * hidden);
    let offset = 0;
    for (const p of at(parts, l)) {
      data.set(p, offset);
      offset += p.length;
    }
    matrices.set(name, { rows: occurrences.length, cols: hidden, data });
  });
  return new WordEmbeddings({ name: opts.name ?? model.id, kind: 'text', occurrences, layers: matrices, caveat: model.info.caveat, skipped });
}
