/**
 * `layerwise extract` end to end on a real ONNX fixture (wav2vec2 post-LN, random weights): WAV files on disk
 * -> decode -> normalise -> every layer -> pooling -> store, checked against the PyTorch hidden states of the
 * same weights and clips (test/fixtures/models/build_models.py).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../src/cli/extract';
import { detectDatasetLayout } from '../../src/data/datasets/loadDataset';
import { encodeWav } from '../../src/data/audio/encodeWav';
import { loadManifest } from '../../src/data/datasets/loadManifest';
import type { Matrix } from '../../src/matrix';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { copyModelDir, refActivation, refAudio, refIndex, relMaxError } from '../model/modelFixtures';
import { at } from '../../src/util/at';

const MODEL = 'w2v2_postln';
let work: string;
let modelDir: string;
let manifest: string;
let stderr: jest.SpyInstance;
const clips = refIndex().clips;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-extract-cli-'));
  modelDir = copyModelDir(MODEL);
  const data = path.join(work, 'data');
  fs.mkdirSync(data);
  const rows = ['id,path,label'];
  clips.forEach((c, k) => {
    fs.writeFileSync(path.join(data, `${c}.wav`), encodeWav(refAudio(c), 16000, { bitDepth: 32 }));
    rows.push(`${c},${c}.wav,${k === 1 ? 'tone' : 'noise'}`);
  });
  manifest = path.join(data, 'manifest.csv');
  fs.writeFileSync(manifest, `${rows.join('\n')}\n`);
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterAll(() => {
  stderr.mockRestore();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(modelDir, { recursive: true, force: true });
});

function meanOver(m: Matrix): number[] {
  const out = new Array<number>(m.cols).fill(0);
  for (let t = 0; t < m.rows; t++) for (let j = 0; j < m.cols; j++) out[j] = at(out, j) + at(m.data, t * m.cols + j) / m.rows;
  return out;
}

test('mean pooling of every hidden state and conv layer matches the PyTorch frame means within 1e-4', async () => {
  const out = path.join(work, 'mean');
  const code = await run(['--model', path.join(modelDir, 'model.onnx'), '--data', manifest, '--out', out, '--layers', 'all,local', '--threads', '1', '--no-progress']);
  expect(code).toBe(0);
  const store = openFeatureStore(out);
  const info = refIndex().models[MODEL];
  expect(store.itemIds).toEqual(clips);
  expect(store.labels).toEqual(['noise', 'tone', 'noise']);
  expect(store.layerNames.filter((n) => n.startsWith('hidden.'))).toHaveLength((info?.layers ?? 0) + 1);
  expect(store.meta.frameSeconds).toBeCloseTo(0.02, 10);
  for (const name of store.layerNames) {
    const m = store.layer(name);
    clips.forEach((c, i) => {
      if (name.startsWith('local.') && i > 0) return; // conv references exist for the first clip only
      const want = meanOver(refActivation(MODEL, c, name));
      const got = { rows: 1, cols: m.cols, data: m.data.slice(i * m.cols, (i + 1) * m.cols) };
      expect(relMaxError(got, { rows: 1, cols: want.length, data: Float32Array.from(want) })).toBeLessThan(1e-4);
    });
  }
  expect(fs.existsSync(path.join(out, 'layer_00.npy'))).toBe(true);
  expect(fs.existsSync(path.join(out, 'local_01.npy'))).toBe(true);
  // A second identical command finds the finished store and changes nothing.
  const before = fs.readFileSync(path.join(out, 'meta.json'));
  expect(await run(['--model', path.join(modelDir, 'model.onnx'), '--data', manifest, '--out', out, '--layers', 'all,local', '--threads', '1', '--no-progress'])).toBe(0);
  expect(Buffer.compare(before, fs.readFileSync(path.join(out, 'meta.json')))).toBe(0);
});

test('frame pooling keeps every frame of the selected layers, equal to PyTorch within 1e-4', async () => {
  const out = path.join(work, 'frames');
  expect(await run(['--model', modelDir, '--data', manifest, '--out', out, '--pooling', 'frames', '--layers', '0,2', '--threads', '1', '--no-progress'])).toBe(0);
  const store = openFeatureStore(out);
  expect(store.layerNames).toEqual(['hidden.0', 'hidden.2']);
  for (const c of clips) {
    for (const name of ['hidden.0', 'hidden.2']) expect(relMaxError(store.framesOf(c, name), refActivation(MODEL, c, name))).toBeLessThan(1e-4);
  }
});

test('--limit and --seed select items as Dataset.shuffle(seed).select(limit)', async () => {
  const out = path.join(work, 'limited');
  expect(await run(['--model', modelDir, '--data', manifest, '--out', out, '--limit', '2', '--seed', '3', '--layers', '1', '--threads', '1', '--no-progress'])).toBe(0);
  const want = loadManifest(manifest).shuffle(3).select(2).column('id');
  expect(openFeatureStore(out).itemIds).toEqual(want);
});

test('bad arguments are rejected with the flag named', async () => {
  await expect(run(['--model', modelDir, '--data', manifest])).rejects.toThrow(/--model, --data and --out are required/);
  await expect(run(['--model', modelDir, '--data', manifest, '--out', path.join(work, 'x'), '--pooling', 'max'])).rejects.toThrow(/--pooling must be mean or frames/);
  await expect(run(['--model', modelDir, '--data', manifest, '--out', path.join(work, 'x'), '--limit', '0'])).rejects.toThrow(/--limit must be an integer >= 1/);
  await expect(run(['--model', modelDir, '--data', path.join(work, 'nope'), '--out', path.join(work, 'x')])).rejects.toThrow(/data '.*nope': no such file/);
});

test('dataset layouts are told apart: manifest, LibriSpeech tree, labelled folders', () => {
  expect(detectDatasetLayout(manifest)).toBe('manifest');
  const libri = path.join(work, 'libri', 'dev-clean', '84', '121123');
  fs.mkdirSync(libri, { recursive: true });
  fs.writeFileSync(path.join(libri, '84-121123.trans.txt'), '84-121123-0000 HELLO\n');
  expect(detectDatasetLayout(path.join(work, 'libri'))).toBe('librispeech');
  expect(detectDatasetLayout(path.join(work, 'libri', 'dev-clean'))).toBe('librispeech');
  const words = path.join(work, 'words', 'yes');
  fs.mkdirSync(words, { recursive: true });
  fs.writeFileSync(path.join(words, 'a_nohash_0.wav'), encodeWav(refAudio(at(clips, 0)), 16000));
  expect(detectDatasetLayout(path.join(work, 'words'))).toBe('labelled-folders');
  const txt = path.join(work, 'list.txt');
  fs.writeFileSync(txt, 'x');
  expect(() => detectDatasetLayout(txt)).toThrow(/manifest/);
});
