/**
 * The bundled demo models. The trained one (models/train_demo_model.py) is the file its model card records
 * (sha256), says what it was trained on, and reproduces the hidden states PyTorch computed for it at the end
 * of training (reference.json / reference.bin beside it), from its ONNX export and from its weights; the
 * random-weight control says it is random.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Matrix } from '../../src/matrix';
import { loadModel } from '../../src/model/loadModel';
import { refAudio, relMaxError } from './modelFixtures';

const MODELS = path.join(__dirname, '..', '..', 'models');
const DIR = path.join(MODELS, 'wav2vec2-tiny-synthetic');

interface DemoReference {
  readonly clip: string;
  readonly tensors: Record<string, { readonly offset: number; readonly shape: readonly [number, number] }>;
}

function readReference(): { clip: string; tensors: Map<string, Matrix<Float32Array>> } {
  const index = JSON.parse(fs.readFileSync(path.join(DIR, 'reference.json'), 'utf8')) as DemoReference;
  const bin = fs.readFileSync(path.join(DIR, 'reference.bin'));
  const tensors = new Map<string, Matrix<Float32Array>>();
  for (const [name, { offset, shape }] of Object.entries(index.tensors)) {
    const [rows, cols] = shape;
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = bin.readFloatLE(offset + 4 * i);
    tensors.set(name, { rows, cols, data });
  }
  return { clip: index.clip, tensors };
}

const reference = readReference();
const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});

test('models/wav2vec2-tiny-synthetic/model.onnx is the file MODEL_CARD.md records', () => {
  const card = fs.readFileSync(path.join(DIR, 'MODEL_CARD.md'), 'utf8');
  const recorded = /sha256 of model\.onnx: `([0-9a-f]{64})`/.exec(card)?.[1];
  const bytes = fs.readFileSync(path.join(DIR, 'model.onnx'));
  expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(recorded);
  expect(bytes.length).toBeLessThan(8 * 1024 * 1024);
});

test.each([
  ['its ONNX export', 'model.onnx'],
  ['its weights (built graph)', 'pytorch_model.bin'],
])('the trained model, loaded from %s, says what it was trained on and matches PyTorch', async (_what, file) => {
  // A copy, so that the layer-exposed or built graph cached beside the file stays out of the repository.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-demo-'));
  tmp.push(dir);
  for (const f of ['config.json', 'preprocessor_config.json', file]) fs.copyFileSync(path.join(DIR, f), path.join(dir, f));
  const m = await loadModel(path.join(dir, file), { threads: 1 });
  try {
    expect([m.info.randomWeights, m.info.trainedOn, m.info.caveat]).toEqual([false, 'synthetic speech', 'trained on synthetic speech']);
    expect(m.layerNames.filter((n) => n.startsWith('hidden.'))).toEqual(Array.from({ length: 13 }, (_, i) => `hidden.${i}`));
    const names = [...reference.tensors.keys()];
    expect(names).toEqual(['hidden.0', 'hidden.6', 'hidden.12']);
    const cache = await m.run(refAudio(reference.clip), { layers: names });
    for (const [name, want] of reference.tensors) {
      const err = relMaxError(cache.get(name), want);
      if (!(err <= 1e-4)) throw new Error(`${file} ${name}: relative error ${err}`);
    }
  } finally {
    await m.release();
  }
});

test('the random-weight control keeps its caveat', async () => {
  const m = await loadModel(path.join(MODELS, 'wav2vec2-tiny-random', 'model.onnx'), { threads: 1, cacheExposed: false });
  try {
    expect([m.info.randomWeights, m.info.trainedOn, m.info.caveat]).toEqual([true, undefined, 'random weights']);
  } finally {
    await m.release();
  }
});
