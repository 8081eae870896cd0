/**
 * Word vectors from a user's file, for the cca-glove / cca-agwe experiments: GloVe's text format (`word v1 v2
 * ... vd` per line; glove.840B.300d is 5.6 GB, so it is read as a stream and only the wanted words are kept),
 * or a JSON object `{word: [v1, ..., vd]}` (how an AGWE map is easily exported). GloVe 840B is cased and has a
 * few entries whose word contains spaces; a line's last d fields are the vector, the rest is the word.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { errorMessage } from '../util/describeError';
import { describePath, resolveDemo } from '../util/packagePaths';

/** Options of `readWordVectors`. */
export interface ReadWordVectorsOptions {
  /** Keep only these words (default: all; pass the words you need for large files). */
  readonly words?: Iterable<string>;
  /** Lower-case the file's words (GloVe 840B is cased; the aligned words are lower case). First occurrence wins. Default false. */
  readonly lowerCase?: boolean;
}

/** Word -> vector (all the same width). */
export interface WordVectors {
  readonly dim: number;
  readonly vectors: ReadonlyMap<string, Float32Array>;
  readonly file: string;
}

function parseVector(fields: readonly string[], file: string, line: number): Float32Array {
  const v = new Float32Array(fields.length);
  fields.forEach((f, i) => {
    const x = Number(f);
    if (f === '' || !Number.isFinite(x)) throw new Error(`${file}: line ${line}: value ${i + 1} '${f}' is not a finite number`);
    v[i] = x;
  });
  return v;
}

/** Read word vectors (see the file comment). */
export async function readWordVectors(source: string, opts: ReadWordVectorsOptions = {}): Promise<WordVectors> {
  // `demo:word-vectors-demo/vectors.txt` names the bundled demo vectors wherever the notebook runs
  const file = resolveDemo(source) ?? source;
  if (!fs.existsSync(file)) throw new Error(`${describePath(file)}: no such word-vector file`);
  const wanted = opts.words === undefined ? null : new Set(opts.words);
  const lower = opts.lowerCase ?? false;
  const out = new Map<string, Float32Array>();
  let dim = -1;
  const keep = (word: string, v: Float32Array, where: string): void => {
    const w = lower ? word.toLowerCase() : word;
    if (wanted !== null && !wanted.has(w)) return;
    if (dim < 0) dim = v.length;
    if (v.length !== dim) throw new Error(`${file}: ${where}: '${word}' has ${v.length} values, earlier words ${dim}`);
    if (!out.has(w)) out.set(w, v);
  };
  if (/\.json$/i.test(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${errorMessage(e)})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected a JSON object {word: [numbers]}`);
    for (const [word, value] of Object.entries(parsed)) {
      if (!Array.isArray(value)) throw new Error(`${file}: '${word}' is not a list of numbers`);
      keep(word, parseVector(value.map((x: unknown) => (typeof x === 'number' ? String(x) : '')), file, 0), `word '${word}'`);
    }
  } else {
    const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let n = 0;
    let width = -1;
    for await (const raw of rl) {
      n++;
      const line = raw.trimEnd();
      if (line === '') continue;
      const fields = line.split(' ');
      // word2vec text files start with "<count> <dim>"; GloVe's do not.
      if (n === 1 && fields.length === 2 && /^\d+$/.test(fields[0] ?? '') && /^\d+$/.test(fields[1] ?? '')) continue;
      if (width < 0) {
        // The width from the first line: the longest numeric tail.
        let k = fields.length;
        while (k > 1 && Number.isFinite(Number(fields[k - 1])) && fields[k - 1] !== '') k--;
        width = fields.length - k;
        if (width < 1) throw new Error(`${file}: line 1 has no numbers after the word`);
      }
      if (fields.length <= width) throw new Error(`${file}: line ${n} has ${fields.length} fields, expected a word and ${width} numbers`);
      const word = fields.slice(0, fields.length - width).join(' ');
      if (wanted !== null && !wanted.has(lower ? word.toLowerCase() : word)) continue;
      keep(word, parseVector(fields.slice(fields.length - width), file, n), `line ${n}`);
    }
  }
  if (out.size === 0) throw new Error(`${file}: none of the ${wanted === null ? '' : `${wanted.size} `}wanted words has a vector`);
  return { dim, vectors: out, file };
}
