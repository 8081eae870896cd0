/**
 * A word-similarity benchmark file as the word-benchmarks collection ships them (monolingual/en: wordsim353,
 * simlex999, men, rg-65, ...): one pair per line, `word1 word2 score`, separated by spaces, tabs or commas;
 * blank lines and `#` comments skipped, and a first line whose score is not a number taken as a header.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One benchmark: its name (the file's base name) and its pairs. */
export interface WordSimBenchmark {
  readonly name: string;
  readonly pairs: readonly { readonly a: string; readonly b: string; readonly score: number }[];
}

/** Read a benchmark file; words are lower-cased (the aligned words are). */
export function readWordSimBenchmark(file: string): WordSimBenchmark {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such benchmark file`);
  const pairs: { a: string; b: string; score: number }[] = [];
  fs.readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const f = line.split(/[\s,]+/);
      const [a, b, s] = f;
      if (f.length < 3 || a === undefined || b === undefined || s === undefined) throw new Error(`${file}: line ${i + 1} is not 'word1 word2 score'`);
      const score = Number(s);
      if (!Number.isFinite(score)) {
        if (pairs.length === 0 && i === 0) return;
        throw new Error(`${file}: line ${i + 1}: score '${s}' is not a number`);
      }
      pairs.push({ a: a.toLowerCase(), b: b.toLowerCase(), score });
    });
  if (pairs.length === 0) throw new Error(`${file}: no word pairs`);
  return { name: path.basename(file).replace(/\.(txt|csv|tsv)$/i, ''), pairs };
}
