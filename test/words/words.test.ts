/**
 * Word embeddings across models (seed 002): rows shared by every model, word matrices, and A x B layer
 * comparisons, checked against hand-computed rows, closed forms (1-D linear CKA is the squared Pearson
 * correlation; CKA of a layer with itself is 1, and is invariant to rotation and scale), the frame means of a
 * closed-form test model, and the BERT fixture's PyTorch word vectors.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Alignment } from '../../src/data/alignments/Alignment';
import type { Matrix } from '../../src/matrix';
import { embedWords } from '../../src/model/text/embedWords';
import { loadTextModel } from '../../src/model/text/loadTextModel';
import { extractFeatures, type ExtractItem } from '../../src/store/extractFeatures';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { at } from '../../src/util/at';
import { compareWordLayers } from '../../src/words/compareWordLayers';
import { compareWordModels } from '../../src/words/compareWordModels';
import { speechWordEmbeddings } from '../../src/words/speechWordEmbeddings';
import { staticWordEmbeddings } from '../../src/words/staticWordEmbeddings';
import { textWordEmbeddings } from '../../src/words/textWordEmbeddings';
import { WordEmbeddings, type WordOccurrence } from '../../src/words/WordEmbeddings';
import { commonWordRows, readWordRows, saveWordRows, wordMatrix } from '../../src/words/WordRows';
import { modelComparisonHeatmap, modelComparisonPanel } from '../../src/viz/modelComparisonHeatmap';
import { wordFrameJson } from '../../src/data/alignments/wordFrameJson';
import { HIDDEN, hiddenValue, makeTestModel, testClip } from '../store/extractTestModel';

const made: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-words-'));
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

const occ = (utterance: string, position: number, word: string): WordOccurrence => ({ utterance, position, word });

/** A set whose row i holds [i * scale + offset] in its one layer 'static' (or the given columns). */
function set(name: string, occurrences: WordOccurrence[], cols: (i: number) => number[] = (i) => [i]): WordEmbeddings {
  const d = at(occurrences.map((_, i) => cols(i)), 0).length;
  const data = new Float32Array(occurrences.length * d);
  occurrences.forEach((_, i) => data.set(cols(i), i * d));
  return new WordEmbeddings({ name, kind: 'static', occurrences, layers: new Map([['static', { rows: occurrences.length, cols: d, data }]]) });
}

describe('commonWordRows and wordMatrix', () => {
  // u2 sorts after u10 as strings; positions count the word tier.
  const a = set('A', [occ('u2', 0, 'dog'), occ('u10', 0, 'the'), occ('u10', 1, 'cat'), occ('u10', 2, 'The'), occ('u10', 3, 'end')]);
  const b = set('B', [occ('u10', 3, 'end'), occ('u10', 0, 'the'), occ('u10', 2, 'the'), occ('u2', 0, 'dog')]);

  it('keeps the occurrences every model has, utterances sorted, first occurrence of each word per utterance', () => {
    expect(commonWordRows([a, b]).rows).toEqual([occ('u10', 0, 'the'), occ('u10', 3, 'end'), occ('u2', 0, 'dog')]);
    expect(commonWordRows([a, b], { occurrences: 'all' }).rows).toEqual([occ('u10', 0, 'the'), occ('u10', 2, 'The'), occ('u10', 3, 'end'), occ('u2', 0, 'dog')]);
    // The order does not depend on which model comes first.
    expect(commonWordRows([b, a], { occurrences: 'all' }).rows.map((o) => `${o.utterance}:${o.position}`)).toEqual(['u10:0', 'u10:2', 'u10:3', 'u2:0']);
  });

  it('gathers each model’s rows in that order; the row list survives a file', () => {
    const rows = commonWordRows([a, b], { occurrences: 'all' });
    // A's rows: u10:0 is row 1, u10:2 row 3, u10:3 row 4, u2:0 row 0; B's: 1, 2, 0, 3.
    expect(Array.from(wordMatrix(a, rows, 'static').data)).toEqual([1, 3, 4, 0]);
    expect(Array.from(wordMatrix(b, rows, 'static').data)).toEqual([1, 2, 0, 3]);
    const file = path.join(tmp(), 'rows.json');
    saveWordRows(file, rows);
    expect(readWordRows(file)).toEqual(rows);
    fs.writeFileSync(file, JSON.stringify({ format: 'layerwise-word-rows', version: 1, models: [], occurrences: 'first', rows: [{ utterance: 'u', position: -1, word: 'x' }] }));
    expect(() => readWordRows(file)).toThrow(/rows\.json: not a word-row list written by saveWordRows \(row 0\)/);
  });

  it('names what does not line up', () => {
    const c = set('C', [occ('u10', 0, 'a')]);
    expect(() => commonWordRows([a, c])).toThrow(/occurrence 0 of utterance 'u10' is 'the' in A but 'a' in C; the embeddings were made from different alignments/);
    expect(() => commonWordRows([a, set('D', [occ('x', 0, 'the')])])).toThrow(/A, D share no word occurrence/);
    const rows = commonWordRows([a, b]);
    expect(() => wordMatrix(set('E', [occ('u10', 0, 'the')]), rows, 'static')).toThrow(/E has no vector for 'end' \(utterance 'u10', position 3\)/);
    expect(() => set('F', [occ('u', 0, 'x'), occ('u', 1, 'y')], (i) => [i === 1 ? NaN : 0])).toThrow(/F: layer 'static' holds NaN for 'y' \(utterance 'u', position 1\)/);
    expect(() => set('G', [occ('u', 0, 'x'), occ('u', 0, 'x')])).toThrow(/G: occurrence 0 of utterance 'u' appears twice/);
  });
});

describe('compareWordLayers', () => {
  const n = 40;
  const words = Array.from({ length: n }, (_, i) => occ('u', i, `w${i}`));
  // Two models with two 1-D layers each: linear CKA of 1-D features is the squared Pearson correlation.
  const x1 = (i: number) => Math.sin(i);
  const x2 = (i: number) => i * i;
  const y1 = (i: number) => Math.sin(i) + 0.3 * Math.cos(3 * i);
  const y2 = (i: number) => Math.sqrt(i);
  function twoLayers(name: string, f: (i: number) => number, g: (i: number) => number): WordEmbeddings {
    const col = (h: (i: number) => number): Matrix<Float32Array> => ({ rows: n, cols: 1, data: Float32Array.from(words, (_, i) => h(i)) });
    return new WordEmbeddings({ name, kind: 'static', occurrences: words, layers: new Map([['hidden.1', col(f)], ['hidden.2', col(g)]]), caveat: name === 'B' ? 'random weights' : undefined });
  }
  function pearson2(f: (i: number) => number, g: (i: number) => number): number {
    const a = Array.from({ length: n }, (_, i) => Math.fround(f(i)));
    const b = Array.from({ length: n }, (_, i) => Math.fround(g(i)));
    const ma = a.reduce((s, v) => s + v, 0) / n;
    const mb = b.reduce((s, v) => s + v, 0) / n;
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = 0; i < n; i++) {
      sab += (at(a, i) - ma) * (at(b, i) - mb);
      saa += (at(a, i) - ma) ** 2;
      sbb += (at(b, i) - mb) ** 2;
    }
    return (sab * sab) / (saa * sbb);
  }

  it('gives linear CKA between every layer pair (the squared correlation for 1-D layers), the best pair and the caveats', async () => {
    const A = twoLayers('A', x1, x2);
    const B = twoLayers('B', y1, y2);
    const c = await compareWordLayers(A, B, 'linearCKA', { precision: 'float64' });
    const want = [
      [pearson2(x1, y1), pearson2(x1, y2)],
      [pearson2(x2, y1), pearson2(x2, y2)],
    ];
    c.values.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(at(at(want, i), j), 10)));
    expect([c.modelA, c.modelB, c.rows, c.names, c.columnNames, c.caveats]).toEqual(['A', 'B', n, ['hidden.1', 'hidden.2'], ['hidden.1', 'hidden.2'], ['B: random weights']]);
    const flat = want.flat();
    const bestIndex = flat.indexOf(Math.max(...flat));
    expect(c.best).toEqual({ layerA: `hidden.${Math.floor(bestIndex / 2) + 1}`, layerB: `hidden.${(bestIndex % 2) + 1}`, value: c.values[Math.floor(bestIndex / 2)]?.[bestIndex % 2] });
    const fig = modelComparisonHeatmap(c);
    const trace = at(fig.data, 0);
    expect(trace.type === 'heatmap' ? [trace.x, trace.y, trace.z] : null).toEqual([['1', '2'], ['1', '2'], c.values]);
    expect(fig.layout.title?.text).toBe(`linearCKA: A x B, ${n} words<br><sup>B: random weights</sup>`);
    expect(fig.layout.xaxis?.title?.text).toBe('B layer');
    expect(fig.layout.yaxis?.title?.text).toBe('A layer');
    expect(modelComparisonPanel(c, 'CKA')).toEqual({ title: 'CKA', values: c.values, xNames: ['1', '2'], yNames: ['1', '2'], xTitle: 'B layer', yTitle: 'A layer' });
  });

  it('a model against itself has a unit diagonal, also after a rotation and scaling of its vectors', async () => {
    const base = (i: number) => [Math.sin(i), Math.cos(2 * i), i / n];
    const layers = (rot: boolean) =>
      new Map(
        [1, 2].map((l) => {
          const data = new Float32Array(n * 3);
          for (let i = 0; i < n; i++) {
            const [p = 0, q = 0, r = 0] = base(i + l).map((v) => v * l);
            // A rotation in the (p, q) plane by 0.7 rad and a scale of 3.
            const row = rot ? [3 * (Math.cos(0.7) * p - Math.sin(0.7) * q), 3 * (Math.sin(0.7) * p + Math.cos(0.7) * q), 3 * r] : [p, q, r];
            data.set(row, i * 3);
          }
          return [`hidden.${l}`, { rows: n, cols: 3, data }] as const;
        }),
      );
    const A = new WordEmbeddings({ name: 'A', kind: 'speech', occurrences: words, layers: layers(false) });
    const R = new WordEmbeddings({ name: 'R', kind: 'speech', occurrences: words, layers: layers(true) });
    const self = await compareWordLayers(A, A, 'linearCKA');
    const rotated = await compareWordLayers(A, R, 'linearCKA');
    for (let i = 0; i < 2; i++) {
      expect(self.values[i]?.[i]).toBeCloseTo(1, 5);
      for (let j = 0; j < 2; j++) expect(rotated.values[i]?.[j]).toBeCloseTo(self.values[i]?.[j] ?? NaN, 4);
    }
    const many = await compareWordModels([A, R, twoLayers('B', y1, y2)], 'linearCKA');
    expect(many.summary.map((s) => [s.modelA, s.modelB, s.words])).toEqual([['A', 'R', n], ['A', 'B', n], ['R', 'B', n]]);
    expect(at(many.summary, 0).value).toBeCloseTo(1, 4);
  });
});

describe('speech, text and static word embeddings', () => {
  it('speech: one row per word interval, the mean of frames int(start / 0.02)..int(end / 0.02) inclusive, layers 1..L', async () => {
    const x = testClip(8000, 0);
    const items: ExtractItem[] = [{ id: 'u0', samples: x }];
    const alignments = new Map<string, Alignment>([
      ['u0', { utterance: 'u0', source: 'u0.TextGrid', phones: [], words: [{ label: 'ab', start: 0.05, end: 0.14 }, { label: 'SIL', start: 0.14, end: 0.2 }, { label: 'cd', start: 0.2, end: 0.39 }] }],
    ]);
    const out = tmp();
    await extractFeatures(makeTestModel(), items, { out, span: 'word', alignments, frameRule: 'truncate-inclusive', layers: [0, 1, 2] });
    const w = speechWordEmbeddings(openFeatureStore(out), { caveat: 'closed form' });
    expect(w.layerNames).toEqual(['hidden.1', 'hidden.2']);
    expect(w.occurrences).toEqual([occ('u0', 0, 'ab'), occ('u0', 1, 'SIL'), occ('u0', 2, 'cd')]);
    // 'ab' [0.05, 0.14]: trunc(2.5) = 2, trunc(7.000000000000001) = 7 -> frames 2..7; 'cd' [0.2, 0.39]: 10..19 (19.5).
    const ranges = [[2, 8], [7, 11], [10, 20]] as const;
    for (const l of [1, 2]) {
      const m = w.layer(l);
      ranges.forEach(([first, end], r) => {
        for (let j = 0; j < HIDDEN; j++) {
          let s = 0;
          for (let t = first; t < end; t++) s += hiddenValue(l, t, j, x);
          expect(m.data[r * HIDDEN + j]).toBeCloseTo(s / (end - first), 4);
        }
      });
    }
  });

  const alignments = new Map<string, Alignment>([
    ['b', { utterance: 'b', source: 'b.TextGrid', phones: [], words: [{ label: 'SIL', start: 0, end: 0.1 }, { label: 'ruth', start: 0.1, end: 0.3 }, { label: 'took', start: 0.3, end: 0.5 }, { label: 'the', start: 0.5, end: 0.6 }, { label: 'book', start: 0.6, end: 0.9 }] }],
    ['a', { utterance: 'a', source: 'a.TextGrid', phones: [], words: [{ label: 'the', start: 0, end: 0.2 }, { label: 'young', start: 0.2, end: 0.5 }, { label: 'boy', start: 0.5, end: 0.8 }] }],
  ]);

  it('text: each utterance’s aligned words (silence left out) through the model, positions of the word tier', async () => {
    const m = await loadTextModel(path.join(__dirname, '..', 'fixtures', 'models', 'text', 'bert', 'onnx', 'model.onnx'), { threads: 1, cacheExposed: false });
    try {
      const w = await textWordEmbeddings(m, alignments);
      expect(w.layerNames).toEqual(['hidden.1', 'hidden.2']);
      expect(w.occurrences).toEqual([occ('a', 0, 'the'), occ('a', 1, 'young'), occ('a', 2, 'boy'), occ('b', 1, 'ruth'), occ('b', 2, 'took'), occ('b', 3, 'the'), occ('b', 4, 'book')]);
      const direct = await embedWords(m, ['ruth', 'took', 'the', 'book'], { layers: ['hidden.2'] });
      expect(Array.from(w.layer(2).data.slice(3 * 32))).toEqual(Array.from(at(direct.vectors, 0).data));
    } finally {
      await m.release();
    }
  });

  it('static: lower-cased lookups, the same vector for each occurrence, and every out-of-vocabulary word reported', async () => {
    const file = path.join(tmp(), 'vectors.txt');
    fs.writeFileSync(file, 'The 1 2\nbook 3 4\ntook 5 6\nyoung -1 0.5\n');
    const { embeddings, outOfVocabulary } = await staticWordEmbeddings(file, alignments);
    expect(outOfVocabulary).toEqual(['boy', 'ruth']);
    expect(embeddings.skipped.map((s) => [s.utterance, s.position, s.word])).toEqual([['a', 2, 'boy'], ['b', 1, 'ruth']]);
    expect(embeddings.skipped[0]?.reason).toBe(`not in ${file}`);
    expect(embeddings.occurrences.map((o) => `${o.utterance}:${o.word}`)).toEqual(['a:the', 'a:young', 'b:took', 'b:the', 'b:book']);
    expect(Array.from(embeddings.layer('static').data)).toEqual([1, 2, -1, 0.5, 5, 6, 1, 2, 3, 4]);
  });
});

test('wordFrameJson writes seed 002’s alignment file: truncated frame indices, the end inclusive, per word every occurrence', () => {
  const alignments = new Map<string, Alignment>([
    ['84-121123-0001', { utterance: '84-121123-0001', source: 'x.TextGrid', phones: [], words: [{ label: 'SIL', start: 0, end: 0.05 }, { label: 'go', start: 0.05, end: 0.139 }, { label: 'do', start: 0.14, end: 0.58 }, { label: 'go', start: 0.6, end: 0.9 }] }],
  ]);
  // In doubles: 0.05 / 0.02 = 2.5 -> 2; 0.139 / 0.02 = 6.95 -> 6; 0.14 / 0.02 = 7.000000000000001 -> 7;
  // 0.58 / 0.02 = 28.999999999999996 -> 28; 0.6 / 0.02 = 30 and 0.9 / 0.02 = 45 exactly.
  expect(wordFrameJson(alignments, { stride: 0.02, pathOf: (u) => `dev-clean/84/121123/${u}` })).toEqual({
    'dev-clean/84/121123/84-121123-0001': { transcript_audio: 'go do go', go: [[2, 6], [30, 45]], do: [[7, 28]] },
  });
});
