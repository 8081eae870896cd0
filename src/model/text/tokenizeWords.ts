/**
 * A transcript's words as a text model's tokens, with the word each token belongs to. The tokenizer is the
 * model's own `tokenizer.json`, run by @huggingface/tokenizers; the word of each token comes from tokenizing the
 * words one at a time (each after a space but the first, as they stand in the transcript) and checking that
 * the pieces put together are exactly the tokens of the whole transcript, so the mapping never guesses: a
 * tokenizer whose tokens cross word boundaries is an error naming the transcript.
 *
 * The unit is the transcript's (alignment's) word: "don't" is one word whose tokens are don, ', t. (Seed 002
 * groups by the tokenizer's pre-tokenised words instead, so that its "don't" becomes three words that no
 * alignment interval matches.)
 */
import type { TextTokenizer } from './TextTokenizer';

/** Tokens of one transcript (see the file comment). */
export interface TokenizedWords {
  /** Token ids, the model's special tokens included (`[CLS] ... [SEP]`, `<s> ... </s>`). */
  readonly ids: readonly number[];
  readonly tokens: readonly string[];
  /** Per token, the index of its word in the word list; -1 for special tokens. */
  readonly wordOfToken: readonly number[];
  /** Special tokens before and after the words: what every window of a long transcript starts and ends with. */
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
}

function sameIds(a: readonly number[], from: number, b: readonly number[]): boolean {
  for (let i = 0; i < b.length; i++) if (a[from + i] !== b[i]) return false;
  return true;
}

/** Tokenize `words` (one transcript, in order); `what` names it in errors. */
export function tokenizeWords(tokenizer: TextTokenizer, words: readonly string[], what: string): TokenizedWords {
  words.forEach((w, i) => {
    if (w === '' || /\s/.test(w)) throw new Error(`${what}: word ${i} ${JSON.stringify(w)} is empty or holds white space; words are the transcript's whitespace-separated units`);
  });
  const whole = tokenizer.encode(words.join(' '));
  const content: number[] = [];
  const wordOf: number[] = [];
  words.forEach((w, i) => {
    const ids = tokenizer.encode(i === 0 ? w : ` ${w}`, { add_special_tokens: false }).ids;
    for (const id of ids) {
      content.push(id);
      wordOf.push(i);
    }
  });
  let start = -1;
  for (let p = 0; p + content.length <= whole.ids.length; p++) {
    if (sameIds(whole.ids, p, content)) {
      start = p;
      break;
    }
  }
  if (start < 0) {
    throw new Error(
      `${what}: the words tokenized one by one (${content.length} tokens) are not the tokens of the whole transcript (${whole.ids.length}: ${whole.tokens.slice(0, 12).join(' ')}${whole.tokens.length > 12 ? ' ...' : ''}); ` +
        'this tokenizer merges across word boundaries, so its tokens cannot be assigned to words',
    );
  }
  const end = start + content.length;
  return {
    ids: whole.ids,
    tokens: whole.tokens,
    wordOfToken: whole.ids.map((_, t) => (t >= start && t < end ? (wordOf[t - start] ?? -1) : -1)),
    prefix: whole.ids.slice(0, start),
    suffix: whole.ids.slice(end),
  };
}
