/**
 * Alignments: Praat TextGrids in the long and short text formats (UTF-8 and UTF-16), the layerwise-analysis
 * label rules, the Lugosch/MFA corpus layout, the peer's TSV/JSON files, and joining to a dataset. Expected
 * values are hand-computed from the TextGrid format (Praat's manual) and the peer's rules (shared/specs).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { alignmentFromTextGrid, alignmentJson, alignmentsFromTsv, alignmentTsv, loadAlignments } from '../../src/data/alignments/loadAlignments';
import { joinAlignments } from '../../src/data/alignments/joinAlignments';
import { normalizeSpans } from '../../src/data/alignments/normalizeLabels';
import { parseTextGrid } from '../../src/data/alignments/readTextGrid';
import { spanFrames } from '../../src/data/alignments/spanFrames';
import { parseCtm, readCtm } from '../../src/data/alignments/readCtm';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-align-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Iv = [number, number, string];
const WORDS: Iv[] = [[0, 0.25, ''], [0.25, 0.5, 'THE'], [0.5, 0.61, ''], [0.61, 1.03, 'Cat'], [1.03, 1.2, '<unk>']];
const PHONES: Iv[] = [[0, 0.25, 'sil'], [0.25, 0.32, 'DH'], [0.32, 0.5, 'AH0'], [0.5, 0.61, 'sp'], [0.61, 0.7, 'K'], [0.7, 0.9, 'AE1'], [0.9, 1.03, 'T'], [1.03, 1.2, 'spn']];

/** The long text format, as MFA writes it. */
function longFormat(tiers: [string, Iv[]][], xmax = 1.2): string {
  const out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', '', 'xmin = 0 ', `xmax = ${xmax} `, 'tiers? <exists> ', `size = ${tiers.length} `, 'item []: '];
  tiers.forEach(([name, ivs], k) => {
    out.push(`    item [${k + 1}]:`, '        class = "IntervalTier" ', `        name = "${name}" `, '        xmin = 0 ', `        xmax = ${xmax} `, `        intervals: size = ${ivs.length} `);
    ivs.forEach(([a, b, t], j) => out.push(`        intervals [${j + 1}]:`, `            xmin = ${a} `, `            xmax = ${b} `, `            text = "${t.replace(/"/g, '""')}" `));
  });
  return `${out.join('\n')}\n`;
}

/** The short text format: the same values, one per line. */
function shortFormat(tiers: [string, Iv[]][], xmax = 1.2): string {
  const out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', '', '0', String(xmax), '<exists>', String(tiers.length)];
  for (const [name, ivs] of tiers) {
    out.push('"IntervalTier"', `"${name}"`, '0', String(xmax), String(ivs.length));
    for (const [a, b, t] of ivs) out.push(String(a), String(b), `"${t.replace(/"/g, '""')}"`);
  }
  return `${out.join('\n')}\n`;
}

test('long and short formats, UTF-8 and UTF-16, give the same tiers', () => {
  const tiers: [string, Iv[]][] = [['words', WORDS], ['phones', PHONES]];
  const a = parseTextGrid(longFormat(tiers), 'long');
  const b = parseTextGrid(shortFormat(tiers), 'short');
  expect(b).toEqual(a);
  expect(a.xmax).toBe(1.2);
  expect(a.tiers.map((t) => [t.name, t.kind, t.intervals.length])).toEqual([['words', 'interval', 5], ['phones', 'interval', 8]]);
  expect(a.tiers[1]?.intervals[2]).toEqual({ xmin: 0.32, xmax: 0.5, text: 'AH0' });
  // A quote inside a label is written doubled.
  expect(parseTextGrid(shortFormat([['words', [[0, 1, 'say "hi"']]]]), 'q').tiers[0]?.intervals[0]?.text).toBe('say "hi"');
  for (const [bom, enc] of [[[0xff, 0xfe], 'utf16le'], [[0xfe, 0xff], 'utf16be']] as const) {
    const text = longFormat(tiers);
    const body = enc === 'utf16le' ? Buffer.from(text, 'utf16le') : Buffer.from(text, 'utf16le').swap16();
    const file = path.join(dir, `${enc}.TextGrid`);
    fs.writeFileSync(file, Buffer.concat([Buffer.from(bom), body]));
    expect(alignmentFromTextGrid(file).phones.length).toBe(6);
  }
});

test("the peer's label rules: SIL, stress digits, lower case, sp/spn and empty intervals dropped", () => {
  const file = path.join(dir, '84-121123-0000.TextGrid');
  fs.writeFileSync(file, longFormat([['words', WORDS], ['phones', PHONES]]));
  const a = alignmentFromTextGrid(file);
  expect(a.utterance).toBe('84-121123-0000');
  expect(a.words).toEqual([{ label: 'the', start: 0.25, end: 0.5 }, { label: 'cat', start: 0.61, end: 1.03 }, { label: '<unk>', start: 1.03, end: 1.2 }]);
  expect(a.phones.map((p) => p.label)).toEqual(['SIL', 'dh', 'ah', 'k', 'ae', 't']);
  // Each rule can be turned off.
  const spans = PHONES.map(([start, end, label]) => ({ label, start, end }));
  expect(normalizeSpans(spans, true, { stripStress: false, lowerCase: false, drop: [] }).map((p) => p.label)).toEqual(['SIL', 'DH', 'AH0', 'sp', 'K', 'AE1', 'T', 'spn']);
  expect(normalizeSpans(spans, true, { silence: false }).map((p) => p.label)[0]).toBe('sil');
});

test('broken files and intervals are errors naming the file and the interval', () => {
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const overlap = write('overlap.TextGrid', longFormat([['words', [[0, 0.5, 'a'], [0.4, 0.9, 'b']]], ['phones', [[0, 0.9, 'AA1']]]], 0.9));
  expect(() => alignmentFromTextGrid(overlap)).toThrow(/overlap\.TextGrid: tier 'words': interval 'b' \[0\.4, 0\.9\] overlaps the previous interval 'a' ending at 0\.5/);
  const reversed = write('reversed.TextGrid', longFormat([['words', [[0.5, 0.2, 'a']]], ['phones', [[0, 0.9, 'AA1']]]], 0.9));
  expect(() => alignmentFromTextGrid(reversed)).toThrow(/reversed\.TextGrid: tier 'words': interval 'a' \[0\.5, 0\.2\] does not end after it starts/);
  const negative = write('negative.TextGrid', longFormat([['words', [[-0.1, 0.2, 'a']]], ['phones', [[0, 0.9, 'AA1']]]], 0.9));
  expect(() => alignmentFromTextGrid(negative)).toThrow(/starts before 0/);
  const noPhones = write('nophones.TextGrid', longFormat([['words', [[0, 0.2, 'a']]]], 0.9));
  expect(() => alignmentFromTextGrid(noPhones)).toThrow(/nophones\.TextGrid: no tier 'phones' \(tiers: words\)/);
  expect(() => parseTextGrid('File type = "ooTextFile"\nObject class = "Sound"\n', 'sound')).toThrow(/sound: not a TextGrid: the object class is not 'TextGrid'/);
  expect(() => parseTextGrid(shortFormat([['words', WORDS]]).replace(/\n"the"?\n[^]*$/i, '\n'), 'cut')).toThrow(/cut: not a TextGrid/);
});

test('a corpus in the Lugosch layout loads by utterance id; peer TSV and JSON round-trip', () => {
  const root = path.join(dir, 'corpus');
  for (const [spk, ch, utt] of [['84', '121123', '0000'], ['84', '121123', '0001'], ['174', '50561', '0000']] as const) {
    fs.mkdirSync(path.join(root, spk, ch), { recursive: true });
    fs.writeFileSync(path.join(root, spk, ch, `${spk}-${ch}-${utt}.TextGrid`), longFormat([['words', WORDS], ['phones', PHONES]]));
  }
  const all = loadAlignments(root);
  expect([...all.keys()]).toEqual(['174-50561-0000', '84-121123-0000', '84-121123-0001']);
  const tsvWords = alignmentTsv(all.values(), 'words');
  expect(tsvWords.split('\n')[0]).toBe('174-50561-0000\t0.25\t0.5\tthe');
  const back = alignmentsFromTsv(tsvWords, alignmentTsv(all.values(), 'phones'), 'peer');
  for (const [utt, a] of all) expect({ utt, words: back.get(utt)?.words, phones: back.get(utt)?.phones }).toEqual({ utt, words: a.words, phones: a.phones });
  const json = alignmentJson(all.values(), 'phones', (u) => `dev-clean/${u.split('-').slice(0, 2).join('/')}/${u}.flac`);
  expect(json['ae']?.[0]).toEqual(['174-50561-0000', 'dev-clean/174/50561/174-50561-0000.flac', 0.7, 0.9]);
  expect(Object.keys(json).sort()).toEqual(['SIL', 'ae', 'ah', 'dh', 'k', 't']);
  fs.copyFileSync(path.join(root, '84', '121123', '84-121123-0000.TextGrid'), path.join(root, '174', '84-121123-0000.TextGrid'));
  expect(() => loadAlignments(root)).toThrow(/utterance '84-121123-0000' is aligned twice/);
});

test('joining to a dataset: missing partners are listed or skipped, intervals past the audio are errors', () => {
  const root = path.join(dir, 'join');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'a.TextGrid'), longFormat([['words', WORDS], ['phones', PHONES]]));
  fs.writeFileSync(path.join(root, 'b.TextGrid'), longFormat([['words', WORDS], ['phones', PHONES]]));
  const alignments = loadAlignments(root);
  const items = [{ id: 'a', seconds: 1.2 }, { id: 'c', seconds: 2 }];
  expect(() => joinAlignments(items, alignments, (i) => i.seconds)).toThrow(/no alignment for c; no audio for the alignments of b; pass missing: 'skip'/);
  const j = joinAlignments(items, alignments, (i) => i.seconds, { missing: 'skip' });
  expect(j.pairs.map((p) => p.item.id)).toEqual(['a']);
  expect([j.itemsWithoutAlignment, j.alignmentsWithoutItem]).toEqual([['c'], ['b']]);
  expect(() => joinAlignments([{ id: 'a', seconds: 1.0 }], alignments, (i) => i.seconds, { missing: 'skip' })).toThrow(/a\.TextGrid: words interval '<unk>' \[1\.03, 1\.2\] ends past the end of 'a' \(1\.000 s of audio\)/);
});

test("span frames follow both peers' rules exactly (a Python transcription of each, on 2,000 random spans)", () => {
  const spans: [number, number][] = [[0.5, 0.52], [0.25, 0.5], [0, 0.02], [1.98, 2.0], [0.1, 0.11]];
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  while (spans.length < 2000) {
    const a = Math.round(rnd() * 2000) / 1000;
    const len = Math.round(rnd() * 400 + 1) / 1000;
    spans.push([a, Math.round((a + len) * 1000) / 1000]);
  }
  const T = 100; // 2.0 s of 20 ms frames, spans may run past it
  const file = path.join(dir, 'spans.json');
  fs.writeFileSync(file, JSON.stringify(spans));
  const out = execFileSync('/usr/bin/python3', ['-c', `
import json, math, sys
spans = json.load(open(sys.argv[1])); T = 100; stride = 0.02
def peer(start, end, phone):
    # layerwise-analysis codes/prepare/model_utils.py get_segment_idx, as shared/specs describes it
    s = math.floor(start / stride); e = math.ceil(end / stride)
    if phone:
        o = math.floor((e - s + 1) / 3); s += o; e -= o
    if e == s: e += 1
    if e == T + 1: e = T
    return [s, min(e, T)]
def seed002(start, end):
    s = int(start / stride); e = int(end / stride)
    return [s, min(e + 1, T)]
print(json.dumps([[peer(a, b, False), peer(a, b, True), seed002(a, b)] for a, b in spans]))
`, file], { encoding: 'utf8' });
  const want = JSON.parse(out) as [[number, number], [number, number], [number, number]][];
  let checked = 0;
  spans.forEach(([a, b], i) => {
    const w = want[i];
    if (w === undefined) throw new Error('missing reference');
    const cases = [
      [w[0], { stride: 0.02, frames: T }],
      [w[1], { stride: 0.02, frames: T, middleThird: true }],
      [w[2], { stride: 0.02, frames: T, rule: 'truncate-inclusive' as const }],
    ] as const;
    for (const [[s, e], o] of cases) {
      if (s >= e) {
        expect(() => spanFrames(a, b, o, `span ${i}`)).toThrow(new RegExp(`span ${i}: .* covers no frame`));
      } else {
        expect({ i, got: spanFrames(a, b, o) }).toEqual({ i, got: { first: s, end: e } });
        checked++;
      }
    }
  });
  expect(checked).toBeGreaterThan(5000);
  // The boundary case the peers share: 0.14 / 0.02 is a hair above 7, so the span runs to frame 8 (exclusive).
  expect(spanFrames(0.1, 0.14, { stride: 0.02, frames: T })).toEqual({ first: 5, end: 8 });
});

test('CTM files: one tier for many utterances, in time order, broken lines named', () => {
  const text = [';; words', 'u1 1 0.61 0.42 cat 0.98', 'u1 1 0.25 0.25 the', 'u2 A 0 0.5 dog', ''].join('\n');
  const tiers = parseCtm(text, 'w.ctm');
  expect([...tiers.keys()]).toEqual(['u1', 'u2']);
  expect(tiers.get('u1')).toEqual([{ label: 'the', start: 0.25, end: 0.5 }, { label: 'cat', start: 0.61, end: 0.61 + 0.42 }]);
  expect(() => parseCtm('u1 1 0.5 cat', 'bad.ctm')).toThrow(/bad\.ctm: line 1 has 4 fields/);
  expect(() => parseCtm('u1 1 x 0.2 cat', 'nan.ctm')).toThrow(/nan\.ctm: line 1: start 'x'/);
  expect(() => parseCtm('u1 1 0 0.5 a\nu1 1 0.4 0.5 b', 'o.ctm')).toThrow(/o\.ctm: 'u1': interval 'b' \[0\.4, 0\.9\] overlaps/);
  const file = path.join(dir, 'w.ctm');
  fs.writeFileSync(file, text);
  expect(readCtm(file).get('u2')).toEqual([{ label: 'dog', start: 0, end: 0.5 }]);
});
