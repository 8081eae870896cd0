/**
 * The experiment suite end to end on Festival speech with exact alignments and the bundled random-weight
 * model: each experiment's score for a layer is recomputed here from the store by the steps the peer
 * describes (independent assembly of the rows, then the reference-checked kernels), and the result files are
 * checked as the peer writes them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAlignments } from '../../src/data/alignments/loadAlignments';
import { sampleSegments } from '../../src/data/alignments/sampleSegments';
import { loadLibriSpeech } from '../../src/data/datasets/loadLibriSpeech';
import { loadAudio } from '../../src/data/audio/loadAudio';
import { synthesizeAlignedSpeech } from '../../src/data/synth/synthesizeAlignedSpeech';
import { ccaEmbeddings, ccaIntra, ccaLabels, ccaMel } from '../../src/experiments/ccaExperiments';
import { experimentJson, layerId, writeExperimentResult } from '../../src/experiments/ExperimentResult';
import { miLabels } from '../../src/experiments/miLabels';
import { readWordSimBenchmark } from '../../src/experiments/readWordSimBenchmark';
import { readWordVectors } from '../../src/experiments/readWordVectors';
import { wordSimilarity } from '../../src/experiments/wordSimilarity';
import { boxFilterLocal } from '../../src/store/boxFilterLocal';
import { crossValidatedPwcca, oneHot } from '../../src/kernels/crossValidatedPwcca';
import { kmeans } from '../../src/kernels/kmeans';
import { melFeatures } from '../../src/kernels/melFeatures';
import { mutualInformation } from '../../src/kernels/mutualInformation';
import { spearman } from '../../src/kernels/spearman';
import type { Matrix } from '../../src/matrix';
import { Random } from '../../src/random';
import { loadModel } from '../../src/model/loadModel';
import type { SpeechModel } from '../../src/model/SpeechModel';
import { extractFeatures } from '../../src/store/extractFeatures';
import { openFeatureStore, type FeatureStore } from '../../src/store/FeatureStore';
import { requireTool } from '../data/helpers';
import { run as runScoreCli } from '../../src/cli/score';

const REPO = path.resolve(__dirname, '..', '..');
const CV = { folds: 5, pairs: 2, maxPairs: 2, candidates: 2 };
let work: string;
let frames: FeatureStore;
let frames10: FeatureStore;
let phones: FeatureStore;
let words: FeatureStore;
let model: SpeechModel;

beforeAll(async () => {
  requireTool('festival');
  requireTool('flac');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-experiments-'));
  const corpus = await synthesizeAlignedSpeech({ outDir: path.join(work, 'corpus'), speakers: 2, utterancesPerChapter: 5 });
  const ds = loadLibriSpeech(corpus.splitDir);
  const al = loadAlignments(corpus.alignmentDir);
  model = await loadModel(path.join(REPO, 'models', 'wav2vec2-tiny-random', 'model.onnx'), { threads: 1, cacheExposed: false });
  await extractFeatures(model, ds, { out: path.join(work, 'frames'), pooling: 'frames', layers: ['local', 0, 1, 6, 12] });
  await extractFeatures(model, ds, { out: path.join(work, 'phones'), span: 'phone', alignments: al, layers: [0, 6, 12] });
  const wordSample = sampleSegments(al, { span: 'word', seed: 1 });
  await extractFeatures(model, ds, { out: path.join(work, 'words'), span: 'word', alignments: wordSample.alignments, layers: [0, 6, 12] });
  await extractFeatures(model, ds, { out: path.join(work, 'frames10'), pooling: 'frames', layers: ['local', 6], localGrid: '10ms' });
  frames = openFeatureStore(path.join(work, 'frames'));
  frames10 = openFeatureStore(path.join(work, 'frames10'));
  phones = openFeatureStore(path.join(work, 'phones'));
  words = openFeatureStore(path.join(work, 'words'));
}, 120_000);

afterAll(async () => {
  await model.release();
  fs.rmSync(work, { recursive: true, force: true });
});

function rowsOf(m: Matrix<Float32Array>, first: number, count: number): Matrix<Float32Array> {
  return { rows: count, cols: m.cols, data: m.data.slice(first * m.cols, (first + count) * m.cols) };
}

function stack(parts: Matrix<Float32Array>[]): Matrix<Float32Array> {
  const cols = parts[0]?.cols ?? 0;
  const data = new Float32Array(parts.reduce((t, p) => t + p.rows, 0) * cols);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { rows: data.length / cols, cols, data };
}

describe('experiments', () => {
  it('cca-mel: C1..C7 and T1..TL; C3 and T6 equal the peer pairing assembled here', async () => {
    const r = await ccaMel(frames, { seed: 4, cv: CV });
    expect(r.layers).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'T1', 'T6', 'T12']);
    for (const [name, id] of [['local.3', 'C3'], ['hidden.6', 'T6']] as const) {
      const xs: Matrix<Float32Array>[] = [];
      const ys: Matrix<Float32Array>[] = [];
      for (const it of frames.meta.items) {
        const fb = await melFeatures((await loadAudio(it.source?.path ?? '', { sampleRate: 16000 })).samples);
        const own = frames.framesOf(it.id, name);
        const x = name === 'local.3' ? boxFilterLocal(own, 3, it.numSamples) : own;
        // Downsampled fbank for transformer layers: frames 0, 2, 4, ...
        const y = name === 'local.3' ? fb : { rows: Math.ceil(fb.rows / 2), cols: 80, data: Float32Array.from({ length: Math.ceil(fb.rows / 2) * 80 }, (_, q) => fb.data[2 * Math.floor(q / 80) * 80 + (q % 80)] ?? NaN) };
        const T = Math.min(x.rows, y.rows);
        xs.push(rowsOf(x, 0, T));
        ys.push(rowsOf(y, 0, T));
      }
      const want = await crossValidatedPwcca(stack(xs), stack(ys), { ...CV, seed: 4 });
      expect([id, r.scores[id]]).toEqual([id, want.value]);
      expect(r.rows[id]).toBe(stack(xs).rows);
    }
    expect(Object.values(r.scores).every((v) => v !== null && v > 0 && v <= 1)).toBe(true);
  }, 120_000);

  it('a frame store with conv layers on the 10 ms grid: the rows boxFilterLocal gives, the same cca-mel scores', async () => {
    const it0 = frames.meta.items[0];
    if (it0 === undefined) throw new Error('no item');
    for (const l of [1, 3, 6]) {
      const want = boxFilterLocal(frames.framesOf(it0.id, `local.${l}`), l, it0.numSamples);
      const got = frames10.framesOf(it0.id, `local.${l}`);
      expect([l, got.rows, Array.from(got.data)]).toEqual([l, want.rows, Array.from(want.data)]);
    }
    expect(frames10.framesOf(it0.id, 'local.7').rows).toBe(frames.framesOf(it0.id, 'local.7').rows);
    expect(frames10.meta.options.localGrid).toBe('10ms');
    const a = await ccaMel(frames10, { seed: 4, cv: CV, layers: ['local.3', 'local.7', 6] });
    const b = await ccaMel(frames, { seed: 4, cv: CV, layers: ['local.3', 'local.7', 6] });
    expect(a.scores).toEqual(b.scores);
  }, 60_000);

  it('cca-intra: T0 against each layer', async () => {
    const r = await ccaIntra(frames, { seed: 1, cv: CV });
    expect(r.layers).toEqual(['T1', 'T6', 'T12']);
    const want = await crossValidatedPwcca(frames.frames(0).matrix, frames.frames(6).matrix, { ...CV, seed: 1 });
    expect(r.scores.T6).toBe(want.value);
  }, 60_000);

  it('cca-phone: one-hot over every phone (SIL included), stratified; the peer JSON file', async () => {
    const r = await ccaLabels(phones, { seed: 2, cv: CV });
    expect(r.experiment).toBe('cca-phone');
    expect(r.layers).toEqual(['T0', 'T6', 'T12']);
    const labels = phones.labels.map(String);
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const list = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([l]) => l);
    expect(list).toContain('SIL');
    const want = await crossValidatedPwcca(phones.layer(12), oneHot(labels, list), { ...CV, seed: 2, labels });
    expect(r.scores.T12).toBe(want.value);
    const file = writeExperimentResult(r, work, { split: 'dev', sample: 3 });
    expect(path.basename(file)).toBe('cca_phone_dev_sample3.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(experimentJson(r));
    expect(Object.keys(experimentJson(r))).toEqual(['T0', 'T6', 'T12']);
  }, 60_000);

  it('mi-phone: k-means on one store, predicted on the other, I/H(labels) averaged over seeds', async () => {
    const r = await miLabels(phones, phones, { k: 8, iterations: 2, seed: 5, layers: [6] });
    const labels = phones.labels.map(String);
    let sum = 0;
    for (const seed of [5, 6]) {
      const km = await kmeans(phones.layer(6), { k: 8, seed });
      sum += mutualInformation(await km.predict(phones.layer(6)), labels).miOverHLabels ?? NaN;
    }
    expect(r.scores.T6).toBeCloseTo(sum / 2, 12);
    await expect(miLabels(phones, words, { k: 8 })).rejects.toThrow(/holds phone segments but .* word/);
    await expect(miLabels(phones, phones, { k: 100000 })).rejects.toThrow(/k must be an integer in \[2, \d+\]/);
  }, 60_000);

  it('wordsim: mean word vectors, cosine, Spearman per benchmark, micro and macro', async () => {
    const vocab = [...new Set(words.labels.map(String))].sort();
    const rng = new Random(3);
    const lines = ['word1 word2 score'];
    for (let i = 0; i < 12; i++) lines.push(`${vocab[rng.int(vocab.length)] ?? ''} ${vocab[rng.int(vocab.length)] ?? ''} ${(rng.uniform() * 10).toFixed(2)}`);
    lines.push('notaword other 3.0');
    const bench = path.join(work, 'toy-sim.txt');
    fs.writeFileSync(bench, `${lines.join('\n')}\n`);
    const b = readWordSimBenchmark(bench);
    expect([b.name, b.pairs.length]).toEqual(['toy-sim', 13]);
    const r = await wordSimilarity(words, [b], { layers: [12] });
    // Independent: per-word means from the store's rows.
    const m = words.layer(12);
    const labels = words.labels.map(String);
    const mean = (w: string): number[] => {
      const rows = labels.flatMap((l, i) => (l === w ? [i] : []));
      return Array.from({ length: m.cols }, (_, j) => rows.reduce((t, i) => t + (m.data[i * m.cols + j] ?? NaN), 0) / rows.length);
    };
    const cos = (a: number[], c: number[]): number => a.reduce((t, x, j) => t + x * (c[j] ?? NaN), 0) / Math.sqrt(a.reduce((t, x) => t + x * x, 0) * c.reduce((t, x) => t + x * x, 0));
    const kept = b.pairs.filter((p) => vocab.includes(p.a) && vocab.includes(p.b));
    const rho = spearman(kept.map((p) => cos(mean(p.a), mean(p.b))), kept.map((p) => p.score));
    expect(r.scores.T12).toBeCloseTo(rho ?? NaN, 10);
    expect(r.rows.T12).toBe(kept.length);
  });

  it('cca-glove: word vectors read from a GloVe text file, words without a vector dropped', async () => {
    const vocab = [...new Set(words.labels.map(String))].sort();
    const rng = new Random(8);
    const withVector = vocab.slice(0, Math.max(3, vocab.length - 2));
    const file = path.join(work, 'glove.txt');
    fs.writeFileSync(file, withVector.map((w) => `${w} ${Array.from({ length: 6 }, () => rng.normal().toFixed(5)).join(' ')}`).join('\n') + '\nzz top 1 2 3 4 5 6\n');
    const vectors = await readWordVectors(file, { words: vocab });
    expect(vectors.dim).toBe(6);
    expect([...vectors.vectors.keys()].sort()).toEqual(withVector);
    const r = await ccaEmbeddings(words, vectors, { seed: 3, cv: CV, layers: [6] });
    const labels = words.labels.map(String);
    const keep = labels.flatMap((l, i) => (vectors.vectors.has(l) ? [i] : []));
    const m = words.layer(6);
    const X = { rows: keep.length, cols: m.cols, data: Float32Array.from(keep.flatMap((i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)))) };
    const Y = { rows: keep.length, cols: 6, data: Float32Array.from(keep.flatMap((i) => Array.from(vectors.vectors.get(labels[i] ?? '') ?? []))) };
    const want = await crossValidatedPwcca(X, Y, { ...CV, seed: 3, labels: keep.map((i) => labels[i] ?? '') });
    expect(r.scores.T6).toBe(want.value);
  });

  it('layerwise score writes the same scores as the API, and names a store of the wrong kind', async () => {
    const out = path.join(work, 'scores');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await runScoreCli(['--exp', 'cca-phone', '--store', path.join(work, 'phones'), '--folds', '5', '--pairs', '2', '--candidates', '2', '--seed', '2', '--layers', '12', '--out', out, '--sample', '1']);
      expect(code).toBe(0);
      const api = await ccaLabels(phones, { seed: 2, cv: CV, layers: [12] });
      expect(JSON.parse(fs.readFileSync(path.join(out, 'cca_phone_dev_sample1.json'), 'utf8'))).toEqual(experimentJson(api));
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toMatch(/T12 +0\.\d{4}/);
      await expect(runScoreCli(['--exp', 'cca-word', '--store', path.join(work, 'phones')])).rejects.toThrow(/needs a word segment store; .* holds phone/);
      await expect(runScoreCli(['--exp', 'cca-glove', '--store', path.join(work, 'words')])).rejects.toThrow(/needs --vectors FILE/);
      await expect(runScoreCli(['--exp', 'nope', '--store', path.join(work, 'words')])).rejects.toThrow(/--exp must be one of cca-mel/);
    } finally {
      write.mockRestore();
      err.mockRestore();
    }
  });

  it('refuses the wrong kind of store, naming it and what is needed', async () => {
    await expect(ccaMel(phones)).rejects.toThrow(/is a segments store; this experiment needs a frame store/);
    await expect(ccaLabels(frames)).rejects.toThrow(/is a frames store; this experiment needs a segment store/);
    expect(() => layerId('ffn.3')).toThrow(/neither a conv layer/);
  });
});

describe('readWordVectors', () => {
  it('reads GloVe text (words with spaces, word2vec header) and JSON maps; keeps only wanted words', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-vectors-'));
    try {
      const txt = path.join(dir, 'v.txt');
      fs.writeFileSync(txt, '3 2\nthe 0.5 1\nNew York 2 -1\nCat 3 4\n');
      const v = await readWordVectors(txt);
      expect([...v.vectors.keys()]).toEqual(['the', 'New York', 'Cat']);
      expect(Array.from(v.vectors.get('New York') ?? [])).toEqual([2, -1]);
      const lower = await readWordVectors(txt, { lowerCase: true, words: ['cat'] });
      expect([...lower.vectors.keys()]).toEqual(['cat']);
      const json = path.join(dir, 'agwe.json');
      fs.writeFileSync(json, JSON.stringify({ cat: [1, 2, 3], dog: [0, 0, 1] }));
      expect((await readWordVectors(json)).dim).toBe(3);
      fs.writeFileSync(txt, 'a 1 2\nb 1 x\n');
      await expect(readWordVectors(txt)).rejects.toThrow(/line 2: value 2 'x' is not a finite number/);
      await expect(readWordVectors(json, { words: ['zebra'] })).rejects.toThrow(/none of the 1 wanted words has a vector/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('spearman', () => {
  it('equals scipy.stats.spearmanr, ties averaged', () => {
    // Values from scipy 1.10 (Debian python3-scipy): spearmanr([1,2,3,4,5],[5,6,7,8,7]) and the second pair.
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 14);
    expect(spearman([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8])).toBeCloseTo(0.19885368120992467, 14);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});
