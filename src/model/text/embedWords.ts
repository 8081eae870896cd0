/**
 * One vector per word of a transcript from every layer of a text model: the mean of the word's subword tokens
 * (seed 002's choice) or its first token.
 *
 * Transcripts longer than the model's positions run in sliding windows: windows of W = maxTokens - (special
 * tokens) content tokens, starting every floor(W / 2) tokens, the last one ending at the last token; each window
 * is framed by the special tokens and numbered from the first position again. Each token takes its hidden
 * states from the window in which it lies farthest from an edge (ties: the earlier window), so every token sees
 * at least W / 4 tokens of context on both sides where the transcript has them. A transcript that fits runs in
 * one piece, exactly as the model would run it.
 */
import { meanRowsInto, type Matrix } from '../../matrix';
import { at, atNum } from '../../util/at';
import type { TextModel } from './TextModel';

/** Options of `embedWords`. */
export interface EmbedWordsOptions {
  /** 'mean' of the word's tokens (default, as seed 002) or its 'first' token. */
  readonly pooling?: 'mean' | 'first';
  /** Activations to keep (default every hidden state, `hidden.0`..`hidden.L`). */
  readonly layers?: readonly string[];
  /** Longest run, special tokens included (default the model's `info.maxTokens`); smaller values force windows. */
  readonly maxTokens?: number;
  /** Names the transcript in errors. */
  readonly what?: string;
}

/** Vectors of a transcript's words. */
export interface EmbeddedWords {
  readonly layers: readonly string[];
  /** Per layer, `[words with tokens, hidden]`; row r is word `wordIndex[r]`. */
  readonly vectors: readonly Matrix<Float32Array>[];
  /** The word (index into the words given) of each row. */
  readonly wordIndex: readonly number[];
  /** Words the tokenizer turned into no token at all (characters its normaliser removes): no row, listed here. */
  readonly empty: readonly number[];
  /** Windows the transcript ran in (1 when it fits). */
  readonly windows: number;
}

/** Window starts over `n` content tokens for windows of `w` (see the file comment). */
export function windowStarts(n: number, w: number): number[] {
  if (n <= w) return [0];
  const step = Math.max(1, Math.floor(w / 2));
  const starts: number[] = [];
  for (let s = 0; s < n - w; s += step) starts.push(s);
  starts.push(n - w);
  return starts;
}

/** Embed the words of one transcript (see the file comment). */
export async function embedWords(model: TextModel, words: readonly string[], opts: EmbedWordsOptions = {}): Promise<EmbeddedWords> {
  const what = opts.what ?? 'transcript';
  const pooling = opts.pooling ?? 'mean';
  if (pooling !== 'mean' && pooling !== 'first') throw new Error(`embedWords: pooling must be 'mean' or 'first', got ${JSON.stringify(pooling)}`);
  const layers = opts.layers ?? model.layerNames;
  const tok = model.tokenizeWords(words, what);
  const maxTokens = opts.maxTokens ?? model.info.maxTokens;
  const w = maxTokens - tok.prefix.length - tok.suffix.length;
  if (!(Number.isInteger(maxTokens) && w >= 2)) throw new Error(`${model.id}: ${what}: maxTokens ${maxTokens} leaves ${w} tokens per window after the special tokens; need at least 2`);
  const contentIds = tok.ids.slice(tok.prefix.length, tok.ids.length - tok.suffix.length);
  const contentWord = tok.wordOfToken.slice(tok.prefix.length, tok.ids.length - tok.suffix.length);
  const n = contentIds.length;
  const hidden = model.info.hidden;
  // Per layer, the hidden state of every content token.
  const tokenStates = layers.map(() => new Float32Array(n * hidden));
  const starts = windowStarts(n, w);
  const owner = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let margin = -1;
    starts.forEach((s, k) => {
      const len = Math.min(w, n - s);
      if (i >= s && i < s + len) {
        const m = Math.min(i - s, s + len - 1 - i);
        if (m > margin) {
          best = k;
          margin = m;
        }
      }
    });
    owner[i] = best;
  }
  for (let k = 0; k < starts.length; k++) {
    const s = atNum(starts, k);
    const len = Math.min(w, n - s);
    const ids = [...tok.prefix, ...contentIds.slice(s, s + len), ...tok.suffix];
    const cache = await model.run(ids, { layers });
    layers.forEach((name, l) => {
      const m = cache.get(name);
      const out = at(tokenStates, l);
      for (let i = s; i < s + len; i++) {
        if (owner[i] !== k) continue;
        const row = tok.prefix.length + i - s;
        out.set(m.data.subarray(row * m.cols, (row + 1) * m.cols), i * hidden);
      }
    });
  }
  // Tokens of each word (content tokens are in word order).
  const firstToken = new Int32Array(words.length).fill(-1);
  const count = new Int32Array(words.length);
  contentWord.forEach((wi, i) => {
    if (wi < 0) return;
    if (firstToken[wi] === -1) firstToken[wi] = i;
    count[wi] = (count[wi] ?? 0) + 1;
  });
  const wordIndex: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < words.length; i++) ((count[i] ?? 0) > 0 ? wordIndex : empty).push(i);
  const vectors = tokenStates.map((states) => {
    const m = { rows: n, cols: hidden, data: states };
    const out = new Float32Array(wordIndex.length * hidden);
    wordIndex.forEach((wi, r) => {
      const first = firstToken[wi] ?? 0;
      meanRowsInto(m, first, first + (pooling === 'first' ? 1 : (count[wi] ?? 1)), out, r);
    });
    return { rows: wordIndex.length, cols: hidden, data: out };
  });
  return { layers, vectors, wordIndex, empty, windows: starts.length };
}
