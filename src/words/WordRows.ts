/**
 * The rows every model's word matrix shares: the (utterance, position) occurrences that all the compared models
 * have a vector for, in a fixed order (utterances sorted, then position), so that row r of one model's matrix is
 * the same spoken word as row r of another's. `first` (default, seed 002) keeps the first occurrence of each
 * word in each utterance; `all` keeps every occurrence. The list is saved with the matrices (`saveWordRows`),
 * so a later session rebuilds exactly the same rows.
 */
import type { Matrix } from '../matrix';
import { readJSONFile, writeJSONFile } from '../util/jsonFile';
import { occurrenceKey, type WordEmbeddings, type WordOccurrence } from './WordEmbeddings';

/** Which occurrences become rows. */
export type OccurrenceRule = 'first' | 'all';

/** The shared rows, and what they were made from. */
export interface WordRows {
  /** Names of the models whose common occurrences these are. */
  readonly models: readonly string[];
  readonly occurrences: OccurrenceRule;
  readonly rows: readonly WordOccurrence[];
}

/** Options of `commonWordRows`. */
export interface CommonWordRowsOptions {
  /** Default 'first' (seed 002). */
  readonly occurrences?: OccurrenceRule;
}

/** The occurrences all of `sets` have, in order (see the file comment). */
export function commonWordRows(sets: readonly WordEmbeddings[], opts: CommonWordRowsOptions = {}): WordRows {
  const rule = opts.occurrences ?? 'first';
  if (rule !== 'first' && rule !== 'all') throw new Error(`commonWordRows: occurrences must be 'first' or 'all', got ${JSON.stringify(rule)}`);
  const first = sets[0];
  if (first === undefined) throw new Error('commonWordRows: no word embeddings given');
  const sorted = [...first.occurrences].sort((a, b) => (a.utterance < b.utterance ? -1 : a.utterance > b.utterance ? 1 : a.position - b.position));
  const rows: WordOccurrence[] = [];
  const seen = new Set<string>();
  for (const o of sorted) {
    let inAll = true;
    for (const s of sets) {
      const r = s.rowOf(o);
      if (r === undefined) {
        inAll = false;
        break;
      }
      const other = s.occurrences[r];
      if (other !== undefined && other.word.toLowerCase() !== o.word.toLowerCase()) {
        throw new Error(
          `commonWordRows: occurrence ${o.position} of utterance '${o.utterance}' is '${o.word}' in ${first.name} but '${other.word}' in ${s.name}; the embeddings were made from different alignments`,
        );
      }
    }
    if (!inAll) continue;
    const wordKey = `${o.utterance}\u0000${o.word.toLowerCase()}`;
    if (rule === 'first') {
      if (seen.has(wordKey)) continue;
      seen.add(wordKey);
    }
    rows.push(o);
  }
  if (rows.length === 0) throw new Error(`commonWordRows: ${sets.map((s) => s.name).join(', ')} share no word occurrence`);
  return { models: sets.map((s) => s.name), occurrences: rule, rows };
}

/** One model's `[rows, dim]` matrix of `layer` over the shared rows. */
export function wordMatrix(set: WordEmbeddings, rows: WordRows, layer: string | number): Matrix<Float32Array> {
  const m = set.layer(layer);
  const out = new Float32Array(rows.rows.length * m.cols);
  rows.rows.forEach((o, i) => {
    const r = set.rowOf(o);
    if (r === undefined) throw new Error(`wordMatrix: ${set.name} has no vector for '${o.word}' (utterance '${o.utterance}', position ${o.position}); make the rows with commonWordRows over every model compared`);
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  });
  return { rows: rows.rows.length, cols: m.cols, data: out };
}

/** Write the rows as JSON (atomically: a half-written list never stands in for the rows). */
export function saveWordRows(file: string, rows: WordRows): void {
  writeJSONFile(file, { format: 'layerwise-word-rows', version: 1, ...rows });
}

/** Read rows written by `saveWordRows`; a malformed file is an error naming it. */
export function readWordRows(file: string): WordRows {
  const json = readJSONFile(file, 'word rows');
  const bad = (why: string): Error => new Error(`${file}: not a word-row list written by saveWordRows (${why})`);
  if (typeof json !== 'object' || json === null) throw bad('not an object');
  const r = json as Record<string, unknown>;
  if (r['format'] !== 'layerwise-word-rows' || r['version'] !== 1) throw bad('format or version');
  const models = r['models'];
  const occ = r['occurrences'];
  const list = r['rows'];
  if (!Array.isArray(models) || !models.every((m): m is string => typeof m === 'string')) throw bad('models');
  if (occ !== 'first' && occ !== 'all') throw bad('occurrences');
  if (!Array.isArray(list)) throw bad('rows');
  const rows: WordOccurrence[] = list.map((x: unknown, i) => {
    const o = typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {};
    const { utterance, position, word } = o;
    if (typeof utterance !== 'string' || typeof word !== 'string' || typeof position !== 'number' || !Number.isInteger(position) || position < 0) throw bad(`row ${i}`);
    return { utterance, position, word };
  });
  const keys = new Set(rows.map(occurrenceKey));
  if (keys.size !== rows.length) throw bad('a row appears twice');
  return { models, occurrences: occ, rows };
}
