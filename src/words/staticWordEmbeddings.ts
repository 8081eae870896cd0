/**
 * Static word vectors (GloVe, word2vec text files; a JSON map) over aligned utterances, as seed 002 uses GloVe:
 * words lower-cased, the same vector for every occurrence, one layer called `static`. The file is read as a
 * stream keeping only the corpus's words (`readWordVectors`); words it lacks are reported, by occurrence in
 * `skipped` and as a sorted list in `outOfVocabulary`, never dropped silently.
 */
import type { Alignment } from '../data/alignments/Alignment';
import { readWordVectors } from '../experiments/readWordVectors';
import { utteranceWords } from './utteranceWords';
import { WordEmbeddings, type SkippedWord, type WordOccurrence } from './WordEmbeddings';

/** Options of `staticWordEmbeddings`. */
export interface StaticWordEmbeddingsOptions {
  /** Look words up lower-cased, and lower-case the file's words (default true, as seed 002 with GloVe). */
  readonly lowerCase?: boolean;
  /** Name in figures (default the file's name). */
  readonly name?: string;
  /** What figures must say about the vectors (the demo's 'random vectors'), if anything. */
  readonly caveat?: string;
}

/** Static embeddings and the words the file does not have. */
export interface StaticWordEmbeddingsResult {
  readonly embeddings: WordEmbeddings;
  /** Distinct corpus words without a vector, sorted. */
  readonly outOfVocabulary: readonly string[];
}

/** Static vectors from `file` for the aligned words (see the file comment). */
export async function staticWordEmbeddings(file: string, alignments: ReadonlyMap<string, Alignment>, opts: StaticWordEmbeddingsOptions = {}): Promise<StaticWordEmbeddingsResult> {
  const lower = opts.lowerCase ?? true;
  const key = (w: string): string => (lower ? w.toLowerCase() : w);
  const utterances = utteranceWords(alignments);
  const wanted = new Set(utterances.flatMap((u) => u.words.map((w) => key(w.word))));
  const vectors = await readWordVectors(file, { words: wanted, lowerCase: lower });
  const occurrences: WordOccurrence[] = [];
  const skipped: SkippedWord[] = [];
  const rows: Float32Array[] = [];
  for (const u of utterances) {
    for (const w of u.words) {
      const v = vectors.vectors.get(key(w.word));
      if (v === undefined) skipped.push({ ...w, reason: `not in ${file}` });
      else {
        occurrences.push(w);
        rows.push(v);
      }
    }
  }
  const data = new Float32Array(rows.length * vectors.dim);
  rows.forEach((v, i) => data.set(v, i * vectors.dim));
  const name = opts.name ?? file.split(/[\\/]/).pop() ?? file;
  const embeddings = new WordEmbeddings({
    name,
    kind: 'static',
    occurrences,
    layers: new Map([['static', { rows: rows.length, cols: vectors.dim, data }]]),
    caveat: opts.caveat,
    skipped,
  });
  return { embeddings, outOfVocabulary: [...new Set(skipped.map((s) => key(s.word)))].sort() };
}
