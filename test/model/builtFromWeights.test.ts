/**
 * Models built from their weights: for every family fixture (test/fixtures/models/build_families.py: random
 * weights, Hugging Face key names, PyTorch references), loaded from `model.safetensors` and from the torch zip
 * `pytorch_model.bin`, every hidden state, every conv layer and one FFN activation equal PyTorch within 1e-4
 * relative, for 0.5 / 1 / 1.37 s clips (Whisper: those clips padded to 30 s, and a 30 s clip).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { checkpointFormat, readCheckpoint } from '../../src/checkpoint/readCheckpoint';
import { hashCheckpoint } from '../../src/model/build/cachedGraphBuild';
import { writeSafetensors } from '../../src/checkpoint/safetensors';
import type { Matrix } from '../../src/matrix';
import { Session, tensor } from '../../src/backend/ort';
import { loadModel } from '../../src/model/loadModel';
import { extractFeatures } from '../../src/store/extractFeatures';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { WHISPER_SAMPLES, whisperLogMel } from '../../src/model/whisperFrontEnd';
import { GraphBuilder } from '../../src/onnx/GraphBuilder';
import { FAMILIES, familyIndex, familyRef, refAudio, relMaxError } from './modelFixtures';
import { at } from '../../src/util/at';

const TOL = 1e-4;
const index = familyIndex();
const ref = familyRef;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A copy of a family's folder holding only `keep` (the built graph is cached beside the checkpoint). */
function copyFamily(model: string, keep: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `layerwise-family-${model}-`));
  dirs.push(dir);
  for (const f of ['config.json', 'preprocessor_config.json', ...keep]) fs.copyFileSync(path.join(FAMILIES, model, f), path.join(dir, f));
  return dir;
}

function check(model: string, what: string, got: Matrix, want: Matrix): void {
  const err = relMaxError(got, want);
  if (!(err <= TOL)) throw new Error(`${model} ${what}: relative error ${err}`);
}

const CONV_FAMILIES: [string, string, 'post' | 'pre'][] = [
  ['w2v2_base', 'wav2vec2', 'post'],
  ['w2v2_large', 'wav2vec2', 'pre'],
  ['hubert', 'hubert', 'post'],
  ['wavlm', 'wavlm', 'post'],
  ['wavlm_large', 'wavlm', 'pre'],
  ['data2vec', 'data2vec-audio', 'post'],
];

describe.each(CONV_FAMILIES)('%s (%s)', (model, _family, norm) => {
  test.each(['model.safetensors', 'pytorch_model.bin'])('from %s: every hidden state, conv layer and FFN activation matches PyTorch', async (file) => {
    const dir = copyFamily(model, [file]);
    const m = await loadModel(dir, { ffn: [index.ffnLayer], threads: 1 });
    try {
      expect(m.info.map.source).toBe('built');
      expect(m.info.map.norm).toBe(norm);
      expect(m.info.builtFrom).toBe(file.endsWith('.safetensors') ? 'safetensors' : 'torch-zip');
      expect(m.info.onnxPath).toBe(path.join(dir, file));
      const hidden = Array.from({ length: index.layers + 1 }, (_, i) => `hidden.${i}`);
      const local = Array.from({ length: 7 }, (_, i) => `local.${i + 1}`);
      expect(m.layerNames).toEqual([...hidden, ...local, `ffn.${index.ffnLayer}`]);
      expect([m.frameSeconds, m.minSamples, m.normalize]).toEqual([0.02, 400, true]);
      for (const [ci, clip] of index.clips.entries()) {
        const names = ci === 0 ? [...m.layerNames] : hidden;
        const cache = await m.run(refAudio(clip), { layers: names });
        for (const name of names) check(model, `${file} ${clip} ${name}`, cache.get(name), ref(model, clip, name));
      }
      // the graph's own means over frames against the PyTorch frames' means (float64)
      const runMeans = m.runMeans;
      if (runMeans === undefined) throw new Error(`${model}: a built conv-encoder graph should offer runMeans`);
      const clip = at(index.clips, 0);
      const [means] = await runMeans([refAudio(clip)], { layers: [...m.layerNames] });
      for (const name of m.layerNames) {
        const r = ref(model, clip, name);
        const want = new Float64Array(r.cols);
        for (let t = 0; t < r.rows; t++) for (let j = 0; j < r.cols; j++) want[j] = at(want, j) + at(r.data, t * r.cols + j) / r.rows;
        expect(means?.frames.get(name)).toBe(r.rows);
        check(model, `${file} ${clip} mean of ${name}`, { rows: 1, cols: r.cols, data: means?.means.get(name) ?? new Float32Array(r.cols) }, { rows: 1, cols: r.cols, data: want });
      }
    } finally {
      await m.release();
    }
  });
});

test('the built graph is cached beside the checkpoint and reused; another FFN choice is another graph', async () => {
  const dir = copyFamily('hubert', ['model.safetensors']);
  const first = await loadModel(dir, { threads: 1 });
  await first.release();
  const built = fs.readdirSync(dir).filter((f) => f.includes('.layerwise-built-'));
  expect(built.sort()).toEqual([expect.stringMatching(/^model\.layerwise-built-v2-[0-9a-f]{16}\.onnx$/), expect.stringMatching(/\.onnx\.data$/)]);
  const mtime = fs.statSync(path.join(dir, at(built.filter((f) => f.endsWith('.onnx')), 0))).mtimeMs;
  const second = await loadModel(dir, { threads: 1 });
  expect(second.info.runPath).toBe(first.info.runPath);
  expect(second.hash).toBe(first.hash);
  await second.release();
  expect(fs.statSync(first.info.runPath).mtimeMs).toBe(mtime);
  const third = await loadModel(dir, { threads: 1, ffn: [1] });
  expect(third.info.runPath).not.toBe(first.info.runPath);
  expect(third.info.runPath).toMatch(/-ffn1\.onnx$/);
  await third.release();
  const off = await loadModel(dir, { threads: 1, cacheExposed: false, local: false });
  expect(fs.existsSync(off.info.runPath)).toBe(false);
  expect(off.layerNames).toEqual(['hidden.0', 'hidden.1', 'hidden.2']);
  await off.release();
});

test('the cache key hashes the checkpoint in chunks; the format comes from the first chunk, whatever the size', () => {
  const file = path.join(FAMILIES, 'hubert', 'pytorch_model.bin');
  const whole = hashCheckpoint(file, 'cfg');
  const small = hashCheckpoint(file, 'cfg', 64);
  expect(small.hash).toBe(whole.hash);
  expect(small.hash).toBe(crypto.createHash('sha256').update(fs.readFileSync(file)).update('\0config\0').update('cfg').digest('hex'));
  expect(checkpointFormat(small.head)).toBe('torch-zip');
  expect(hashCheckpoint(file, 'other').hash).not.toBe(whole.hash);
});

test('the legacy (non-zip) torch format reads to the same tensors as the zip archive and builds the same model', async () => {
  const zip = readCheckpoint(path.join(FAMILIES, 'w2v2_base', 'pytorch_model.bin'));
  const legacy = readCheckpoint(path.join(FAMILIES, 'w2v2_base', 'pytorch_model_legacy.bin'));
  expect([zip.format, legacy.format]).toEqual(['torch-zip', 'torch-legacy']);
  expect([...legacy.tensors.keys()].sort()).toEqual([...zip.tensors.keys()].sort());
  for (const [k, t] of zip.tensors) expect({ k, same: Buffer.compare(Buffer.from(new Float32Array(t.data).buffer), Buffer.from(new Float32Array(legacy.tensors.get(k)?.data ?? []).buffer)) === 0 }).toEqual({ k, same: true });
  const dir = copyFamily('w2v2_base', ['pytorch_model_legacy.bin']);
  const m = await loadModel(dir, { file: 'pytorch_model_legacy.bin', threads: 1 });
  try {
    expect(m.info.builtFrom).toBe('torch-legacy');
    const clip = at(index.clips, 2);
    const cache = await m.run(refAudio(clip));
    check('w2v2_base', 'legacy hidden.2', cache.get('hidden.2'), ref('w2v2_base', clip, 'hidden.2'));
  } finally {
    await m.release();
  }
});

describe('whisper encoder', () => {
  const longClip = (): Float32Array => {
    const out = new Float32Array(480000);
    for (let i = 0; i < out.length; i++) {
      const t = i / 16000;
      out[i] = 0.3 * Math.sin(2 * Math.PI * (150 * t + 20 * t * t)) + 0.1 * Math.sin(2 * Math.PI * 1234 * t);
    }
    return out;
  };

  test.each(['model.safetensors', 'pytorch_model.bin'])('from %s: layers of clips padded to 30 s keep the frames that cover the audio and match PyTorch', async (file) => {
    const dir = copyFamily('whisper', [file]);
    const m = await loadModel(dir, { ffn: [index.ffnLayer], threads: 1 });
    try {
      expect(m.info.frontEnd).toBe('whisper');
      // its 30 s outputs keep only the frames covering the clip: means over all of them would be wrong
      expect(m.runMeans).toBeUndefined();
      expect([m.frameSeconds, m.normalize, m.minSamples]).toEqual([0.02, false, 1]);
      expect(m.layerNames).toEqual(['hidden.0', 'hidden.1', 'hidden.2', 'local.1', 'local.2', 'ffn.2']);
      for (const [ci, clip] of index.clips.entries()) {
        const audio = refAudio(clip);
        const names = ci === 0 ? [...m.layerNames] : ['hidden.0', 'hidden.1', 'hidden.2'];
        const cache = await m.run(audio, { layers: names });
        expect(cache.get('hidden.2').rows).toBe(Math.ceil(audio.length / 320));
        for (const name of names) check('whisper', `${file} ${clip} ${name}`, cache.get(name), ref('whisper', clip, name));
      }
      const long = await m.run(longClip(), { layers: ['hidden.0', 'hidden.2'] });
      expect(long.get('hidden.2').rows).toBe(1500);
      for (const name of ['hidden.0', 'hidden.2']) check('whisper', `30 s ${name}`, long.get(name), ref('whisper', 'long_30.00s', name));
      await expect(m.run(new Float32Array(480001))).rejects.toThrow(/at most 30 s/);
    } finally {
      await m.release();
    }
  });

  test('a feature store of Whisper layers says that only the frames covering the audio are kept', async () => {
    const dir = copyFamily('whisper', ['model.safetensors']);
    const m = await loadModel(dir, { threads: 1 });
    try {
      const out = path.join(dir, 'store');
      const clip = refAudio(at(index.clips, 2));
      await extractFeatures(m, [{ id: 'chirp', samples: clip }], { out, pooling: 'frames', layers: ['hidden.2'] });
      const store = openFeatureStore(out);
      expect(store.meta.options.frames).toMatch(/zero-padded to 30 s .* ceil\(samples \/ 320\) frames covering the audio/);
      expect(store.meta.items.map((i) => i.frames)).toEqual([Math.ceil(clip.length / 320)]);
      check('whisper', 'store hidden.2', store.framesOf('chirp', 'hidden.2'), ref('whisper', at(index.clips, 2), 'hidden.2'));
    } finally {
      await m.release();
    }
  });

  test('without embed_positions in the checkpoint, the sinusoids are computed (and equal the stored table)', async () => {
    const dir = copyFamily('whisper', []);
    const ck = readCheckpoint(path.join(FAMILIES, 'whisper', 'model.safetensors'));
    const tensors = new Map([...ck.tensors].filter(([k]) => k !== 'model.encoder.embed_positions.weight'));
    expect(tensors.size).toBe(ck.tensors.size - 1);
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
    const m = await loadModel(dir, { threads: 1 });
    try {
      const clip = at(index.clips, 1);
      const cache = await m.run(refAudio(clip));
      for (const name of ['hidden.0', 'hidden.2']) check('whisper', `sinusoids ${name}`, cache.get(name), ref('whisper', clip, name));
    } finally {
      await m.release();
    }
  });
});

describe('configs and checkpoints the builder refuses, by name', () => {
  const cases: [string, (cfg: Record<string, unknown>) => void, RegExp][] = [
    ['an unknown model_type', (c) => (c['model_type'] = 'sew'), /model_type "sew" has no graph builder/],
    ['a conformer', (c) => (c['position_embeddings_type'] = 'rotary'), /'position_embeddings_type' = "rotary" \(a conformer encoder\) is not supported/],
    ['another activation', (c) => (c['hidden_act'] = 'relu'), /'hidden_act' is "relu"/],
    ['another feature-encoder norm', (c) => (c['feat_extract_norm'] = 'batch'), /'feat_extract_norm' must be 'group' or 'layer'/],
    ['a wider model than the weights', (c) => (c['hidden_size'] = 64), /is \[32, 8\], config\.json implies \[64, 8\]|config\.json implies/],
    ['fewer layers than the weights', (c) => (c['num_hidden_layers'] = 1), /encoder weight\(s\) that the hubert architecture .* does not use \(hubert\.encoder\.layers\.1\./],
  ];
  test.each(cases)('%s', async (_what, edit, message) => {
    const dir = copyFamily('hubert', ['model.safetensors']);
    const cfgFile = path.join(dir, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
    edit(cfg);
    fs.writeFileSync(cfgFile, JSON.stringify(cfg));
    await expect(loadModel(dir, { threads: 1 })).rejects.toThrow(message);
  });

  test('a checkpoint of another architecture', async () => {
    const dir = copyFamily('hubert', []);
    fs.copyFileSync(path.join(FAMILIES, 'whisper', 'model.safetensors'), path.join(dir, 'model.safetensors'));
    await expect(loadModel(dir, { threads: 1 })).rejects.toThrow(/no 'feature_projection\.projection\.weight' among the checkpoint's \d+ tensors/);
  });

  test('a checkpoint without config.json', async () => {
    const dir = copyFamily('hubert', ['model.safetensors']);
    fs.rmSync(path.join(dir, 'config.json'));
    await expect(loadModel(dir, { threads: 1 })).rejects.toThrow(/building its graph needs the model's config\.json/);
  });
});

describe('the public ONNX exports of the same weights map structurally and match PyTorch', () => {
  /** A family folder holding only its `onnx/` export and configs (loadModel then picks the export). */
  function copyExport(model: string, file: string): string {
    const dir = copyFamily(model, []);
    fs.mkdirSync(path.join(dir, 'onnx'));
    fs.copyFileSync(path.join(FAMILIES, model, 'onnx', file), path.join(dir, 'onnx', file));
    return path.join(dir, 'onnx', file);
  }

  test("WavLM's opset-12 export (gated relative position bias, last_hidden_state only)", async () => {
    const m = await loadModel(copyExport('wavlm', 'model.onnx'), { ffn: [index.ffnLayer], threads: 1 });
    try {
      expect([m.info.map.source, m.info.map.norm, m.info.builtFrom]).toEqual(['structure', 'post', undefined]);
      for (const [ci, clip] of index.clips.entries()) {
        const names = ci === 0 ? [...m.layerNames] : m.layerNames.filter((n) => n.startsWith('hidden.'));
        const cache = await m.run(refAudio(clip), { layers: names });
        for (const name of names) check('wavlm', `onnx ${clip} ${name}`, cache.get(name), ref('wavlm', clip, name));
      }
    } finally {
      await m.release();
    }
  });

  test("Whisper's encoder_model.onnx (input_features): the log-mel front end goes in front; layers cover the audio", async () => {
    const m = await loadModel(copyExport('whisper', 'encoder_model.onnx'), { ffn: [index.ffnLayer], threads: 1 });
    try {
      expect([m.info.frontEnd, m.info.map.source, m.info.map.norm, m.frameSeconds, m.normalize]).toEqual(['whisper', 'structure', 'pre', 0.02, false]);
      expect(m.layerNames).toEqual(['hidden.0', 'hidden.1', 'hidden.2', 'local.1', 'local.2', 'ffn.2']);
      for (const [ci, clip] of index.clips.entries()) {
        const names = ci === 0 ? [...m.layerNames] : ['hidden.0', 'hidden.2'];
        const cache = await m.run(refAudio(clip), { layers: names });
        for (const name of names) check('whisper', `encoder_model.onnx ${clip} ${name}`, cache.get(name), ref('whisper', clip, name));
      }
    } finally {
      await m.release();
    }
  });
});

test("the in-graph Whisper front end equals the NumPy log-mel spectrogram (HF's definition) within 1e-4", async () => {
  const g = new GraphBuilder('front');
  const x = g.input('x', 'float32', [1, WHISPER_SAMPLES]);
  g.output(whisperLogMel(g, x, 80), 'mel', 'float32', [1, 80, 3000]);
  const s = await Session.create(g.toBytes());
  try {
    const clip = at(index.clips, 0);
    const padded = new Float32Array(WHISPER_SAMPLES);
    padded.set(refAudio(clip));
    const out = (await s.run({ x: tensor('float32', padded, [1, WHISPER_SAMPLES]) }))['mel'];
    if (out === undefined) throw new Error('no output');
    const want = ref('whisper', clip, 'mel');
    // [80, 3000] -> the first 60 frames, frame-major like the reference.
    const data = out.data as Float32Array;
    const got = new Float32Array(want.rows * want.cols);
    for (let t = 0; t < want.rows; t++) for (let b = 0; b < want.cols; b++) got[t * want.cols + b] = data[b * 3000 + t] ?? NaN;
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs((got[i] ?? NaN) - (want.data[i] ?? NaN)));
    expect(worst).toBeLessThan(1e-4);
  } finally {
    await s.release();
  }
});
