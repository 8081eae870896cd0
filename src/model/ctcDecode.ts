/**
 * Greedy CTC decoding of a speech model's `logits`, as the seed prints a `Wav2Vec2ForCTC` model's
 * transcription (`processor.batch_decode(argmax(logits))`): the best token per frame, consecutive repeats
 * collapsed, then blanks (the tokenizer's pad token) and the other special tokens dropped, the word
 * delimiter (`|`) turned into a space, runs of spaces squeezed and the ends trimmed.
 *
 * Repeats collapse over the raw frame labels, before anything is dropped: in CTC a special token between
 * two equal letters separates them just as a blank does, so `B <unk> B` reads `BB`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Matrix } from '../matrix';
import { atFloat } from '../util/at';
import { errorMessage } from '../util/describeError';

/** A CTC tokenizer's vocabulary: what each logit column means. */
export interface CTCVocab {
  /** Token of each id (`undefined` for ids the vocabulary skips). */
  readonly tokens: readonly (string | undefined)[];
  /** The blank id: the tokenizer's pad token. */
  readonly blank: number;
  /** The word delimiter's id (`|`), when the vocabulary has one. */
  readonly delimiter: number | undefined;
  /** Ids dropped from the text: the blank and the other special tokens (`<s>`, `</s>`, `<unk>`). */
  readonly skip: ReadonlySet<number>;
}

/** Special tokens as `special_tokens_map.json` / `tokenizer_config.json` name them. */
export interface CTCSpecialTokens {
  readonly padToken?: string;
  readonly bosToken?: string;
  readonly eosToken?: string;
  readonly unkToken?: string;
  readonly wordDelimiterToken?: string;
}

const DEFAULT_SPECIAL: Required<CTCSpecialTokens> = { padToken: '<pad>', bosToken: '<s>', eosToken: '</s>', unkToken: '<unk>', wordDelimiterToken: '|' };

/**
 * A vocabulary from `vocab.json`'s token -> id map. The blank is the pad token's id; when the vocabulary
 * lacks it, id 0 (where CTC heads conventionally put the blank).
 */
export function parseCTCVocab(vocab: Readonly<Record<string, unknown>>, special: CTCSpecialTokens = {}, what = 'vocab'): CTCVocab {
  const sp = { ...DEFAULT_SPECIAL, ...special };
  const ids = new Map<string, number>();
  let size = 0;
  for (const [token, id] of Object.entries(vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new Error(`${what}: token '${token}' has id ${JSON.stringify(id)}, expected a non-negative integer`);
    ids.set(token, id);
    size = Math.max(size, id + 1);
  }
  if (ids.size === 0) throw new Error(`${what}: the vocabulary is empty`);
  const tokens: (string | undefined)[] = new Array<string | undefined>(size).fill(undefined);
  for (const [token, id] of ids) {
    const prev = tokens[id];
    if (prev !== undefined) throw new Error(`${what}: tokens '${prev}' and '${token}' share id ${id}`);
    tokens[id] = token;
  }
  const blank = ids.get(sp.padToken) ?? 0;
  const skip = new Set<number>([blank]);
  for (const t of [sp.bosToken, sp.eosToken, sp.unkToken]) {
    const id = ids.get(t);
    if (id !== undefined) skip.add(id);
  }
  return { tokens, blank, delimiter: ids.get(sp.wordDelimiterToken), skip };
}

function readJsonObject(file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file} as JSON: ${errorMessage(e)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: expected a JSON object`);
  return v as Record<string, unknown>;
}

/** A special token entry: a plain string or an AddedToken object `{ content: ... }`. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'content' in v) {
    const c = (v as { content: unknown }).content;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

/**
 * Read a Hugging Face CTC tokenizer's `vocab.json`; special tokens come from `special_tokens_map.json`,
 * else `tokenizer_config.json` beside it, else the Wav2Vec2CTCTokenizer defaults.
 */
export function readCTCVocab(vocabJsonPath: string): CTCVocab {
  const vocab = readJsonObject(vocabJsonPath);
  const dir = path.dirname(vocabJsonPath);
  const special: { -readonly [K in keyof CTCSpecialTokens]: string } = {};
  const keys: [keyof CTCSpecialTokens, string][] = [
    ['padToken', 'pad_token'],
    ['bosToken', 'bos_token'],
    ['eosToken', 'eos_token'],
    ['unkToken', 'unk_token'],
    ['wordDelimiterToken', 'word_delimiter_token'],
  ];
  // The map wins over the config, as transformers applies special_tokens_map.json last.
  for (const file of ['tokenizer_config.json', 'special_tokens_map.json']) {
    const f = path.join(dir, file);
    if (!fs.existsSync(f)) continue;
    const cfg = readJsonObject(f);
    for (const [ours, theirs] of keys) {
      const t = tokenText(cfg[theirs]);
      if (t !== undefined) special[ours] = t;
    }
  }
  return parseCTCVocab(vocab, special, vocabJsonPath);
}

/** Greedy CTC transcript of `logits` (`[frames, vocab]`, one row per frame). */
export function greedyCTCDecode(logits: Matrix, vocab: CTCVocab): string {
  const { rows, cols, data } = logits;
  if (data.length !== rows * cols) throw new Error(`greedyCTCDecode: logits data has ${data.length} values, expected ${rows} x ${cols}`);
  if (cols < vocab.tokens.length) throw new Error(`greedyCTCDecode: logits have ${cols} columns but the vocabulary has ${vocab.tokens.length} ids`);
  let text = '';
  let prev = -1;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let top = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = atFloat(data, r * cols + c);
      if (!Number.isFinite(v)) throw new Error(`greedyCTCDecode: logits[${r}, ${c}] is ${v}`);
      // Strictly greater: ties go to the lower id, as numpy's and torch's argmax do.
      if (v > top) {
        top = v;
        best = c;
      }
    }
    if (best === prev) continue;
    prev = best;
    if (vocab.skip.has(best)) continue;
    if (best === vocab.delimiter) {
      text += ' ';
      continue;
    }
    const token = vocab.tokens[best];
    if (token === undefined) throw new Error(`greedyCTCDecode: frame ${r} picks id ${best}, which the vocabulary does not name`);
    text += token;
  }
  return text.replace(/ +/g, ' ').trim();
}
