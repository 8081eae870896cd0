/**
 * Alignments of a whole corpus: the Lugosch et al. LibriSpeech layout (`<speaker>/<chapter>/<utt>.TextGrid`,
 * tiers `words` and `phones`), or layerwise-analysis's `alignment_{word|phone}_{split}.tsv` pair, as one
 * `Alignment` per utterance with the peer's label normalisation (see `normalizeLabels.ts`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { at } from '../../util/at';
import { checkSpans, type AlignedSpan, type Alignment } from './Alignment';
import { normalizeSpans, type LabelRules } from './normalizeLabels';
import { readTextGrid } from './readTextGrid';

/** Options of `loadAlignments`. */
export interface LoadAlignmentsOptions {
  /** Label rules (default: the peer's). */
  readonly labels?: LabelRules;
  /** Tier names (default `words` and `phones`, as MFA writes them). */
  readonly wordTier?: string;
  readonly phoneTier?: string;
}

/** The alignment in one TextGrid file, its utterance named after the file. */
export function alignmentFromTextGrid(file: string, opts: LoadAlignmentsOptions = {}): Alignment {
  const grid = readTextGrid(file);
  const tier = (name: string): AlignedSpan[] => {
    const t = grid.tiers.find((x) => x.name === name);
    if (t === undefined) throw new Error(`${file}: no tier '${name}' (tiers: ${grid.tiers.map((x) => x.name).join(', ') || 'none'})`);
    if (t.kind !== 'interval') throw new Error(`${file}: tier '${name}' is a point tier; alignments need intervals`);
    return t.intervals.map((iv) => ({ label: iv.text, start: iv.xmin, end: iv.xmax }));
  };
  const words = normalizeSpans(tier(opts.wordTier ?? 'words'), false, opts.labels);
  const phones = normalizeSpans(tier(opts.phoneTier ?? 'phones'), true, opts.labels);
  checkSpans(words, `${file}: tier '${opts.wordTier ?? 'words'}'`);
  checkSpans(phones, `${file}: tier '${opts.phoneTier ?? 'phones'}'`);
  return { utterance: path.basename(file).replace(/\.TextGrid$/i, ''), words, phones, source: file };
}

function textGridsUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.TextGrid$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Every utterance's alignment under `dir` (TextGrids anywhere below it), by utterance id. */
export function loadAlignments(dir: string, opts: LoadAlignmentsOptions = {}): Map<string, Alignment> {
  if (!fs.existsSync(dir)) throw new Error(`${dir}: no such alignment folder`);
  const out = new Map<string, Alignment>();
  for (const file of textGridsUnder(dir)) {
    const a = alignmentFromTextGrid(file, opts);
    const seen = out.get(a.utterance);
    if (seen !== undefined) throw new Error(`${file}: utterance '${a.utterance}' is aligned twice (also ${seen.source})`);
    out.set(a.utterance, a);
  }
  if (out.size === 0) throw new Error(`${dir}: no .TextGrid files found`);
  return out;
}

/** Lines `utt<TAB>start<TAB>end<TAB>label` of layerwise-analysis's `alignment_{word|phone}_{split}.tsv`. */
export function alignmentTsv(alignments: Iterable<Alignment>, tier: 'words' | 'phones'): string {
  const lines: string[] = [];
  for (const a of alignments) for (const s of a[tier]) lines.push(`${a.utterance}\t${s.start}\t${s.end}\t${s.label}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * layerwise-analysis's `alignment_{word|phone}_{split}.json`: `{label: [[utt, path, start, end], ...]}`, with
 * `pathOf(utt)` the audio path it records (`<dir>/<spk>/<chap>/<utt>.flac`).
 */
export function alignmentJson(alignments: Iterable<Alignment>, tier: 'words' | 'phones', pathOf: (utterance: string) => string): Record<string, [string, string, number, number][]> {
  const out: Record<string, [string, string, number, number][]> = {};
  for (const a of alignments) {
    for (const s of a[tier]) {
      const list = out[s.label] ?? [];
      list.push([a.utterance, pathOf(a.utterance), s.start, s.end]);
      out[s.label] = list;
    }
  }
  return out;
}

/** Read a pair of peer TSV files (words, phones) back into alignments; `source` names them in errors. */
export function alignmentsFromTsv(wordsTsv: string, phonesTsv: string, source: string): Map<string, Alignment> {
  const tiers = new Map<string, { words: AlignedSpan[]; phones: AlignedSpan[] }>();
  const read = (text: string, tier: 'words' | 'phones', file: string): void => {
    text.split('\n').forEach((line, n) => {
      if (line.trim() === '') return;
      const f = line.split('\t');
      if (f.length !== 4) throw new Error(`${file}: line ${n + 1} has ${f.length} fields, expected utt, start, end, label`);
      const utt = at(f, 0);
      const start = Number(at(f, 1));
      const end = Number(at(f, 2));
      const entry = tiers.get(utt) ?? { words: [], phones: [] };
      entry[tier].push({ label: at(f, 3), start, end });
      tiers.set(utt, entry);
    });
  };
  read(wordsTsv, 'words', `${source} (words)`);
  read(phonesTsv, 'phones', `${source} (phones)`);
  const out = new Map<string, Alignment>();
  for (const [utterance, t] of tiers) {
    checkSpans(t.words, `${source}: '${utterance}' words`);
    checkSpans(t.phones, `${source}: '${utterance}' phones`);
    out.set(utterance, { utterance, words: t.words, phones: t.phones, source });
  }
  return out;
}
