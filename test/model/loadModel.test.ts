/** loadModel's behaviour around the parity-tested core: options, caching, batching and its errors. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { GraphBuilder } from '../../src/onnx/GraphBuilder';
import { readModelProto } from '../../src/onnx/readModelProto';
import { loadModel } from '../../src/model/loadModel';
import { normalizeWaveform } from '../../src/model/normalizeWaveform';
import { copyModelDir, refActivation, refAudio, refIndex, relMaxError } from './modelFixtures';

const dirs: string[] = [];
const copy = (model: string) => {
  const d = copyModelDir(model);
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('the exposed graph is cached beside the model, keyed by its hash and options, and reused', async () => {
  const dir = copy('hubert');
  const file = path.join(dir, 'model.onnx');
  const a = await loadModel(file, { threads: 1 });
  await a.release();
  expect(path.dirname(a.info.runPath)).toBe(dir);
  expect(path.basename(a.info.runPath)).toBe(`model.layerwise-v6-${a.hash.slice(0, 16)}.onnx`);
  const mtime = fs.statSync(a.info.runPath).mtimeMs;
  const b = await loadModel(file, { threads: 1 });
  await b.release();
  expect(b.info.runPath).toBe(a.info.runPath);
  expect(fs.statSync(b.info.runPath).mtimeMs).toBe(mtime);
  const c = await loadModel(file, { threads: 1, ffn: [2, 1], local: false });
  expect(path.basename(c.info.runPath)).toBe(`model.layerwise-v6-${a.hash.slice(0, 16)}-ffn1_2-nolocal.onnx`);
  expect(c.layerNames).toEqual(['hidden.0', 'hidden.1', 'hidden.2', 'ffn.1', 'ffn.2']);
  await c.release();
  const d = await loadModel(file, { threads: 1, cacheExposed: false, ffn: [1] });
  expect(d.info.runPath).toBe('(in memory)');
  await d.release();
  expect(fs.readdirSync(dir).filter((f) => f.includes('.layerwise-')).sort()).toHaveLength(2);
});

test('the cached exposed graph reads its weights from the original file instead of copying them', async () => {
  const dir = copy('hubert');
  const file = path.join(dir, 'model.onnx');
  const cached = await loadModel(file, { threads: 1 });
  const inMemory = await loadModel(file, { threads: 1, cacheExposed: false });
  try {
    const proto = readModelProto(cached.info.runPath);
    const inits = proto.graph?.initializer ?? [];
    const external = inits.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
    // every weight of the original (all stored as raw bytes by torch.onnx) is a reference into model.onnx
    const original = (readModelProto(file).graph?.initializer ?? []).filter((t) => (t.rawData?.length ?? 0) > 0);
    expect(external.length).toBe(original.length);
    for (const t of external) expect(t.externalData?.find((e) => e.key === 'location')?.value).toBe('model.onnx');
    // the referenced bytes are not in the cached file: with them it would be larger than the original
    const referenced = external.reduce((sum, t) => sum + Number(t.externalData?.find((e) => e.key === 'length')?.value), 0);
    expect(referenced).toBe(original.reduce((sum, t) => sum + (t.rawData?.length ?? 0), 0));
    expect(fs.statSync(cached.info.runPath).size).toBeLessThan(fs.statSync(file).size - referenced / 2);
    // and it computes what the graph holding its own copy computes
    const clip = refAudio(refIndex().clips[0] as string);
    const a = await cached.run(clip, { layers: cached.layerNames });
    const b = await inMemory.run(clip, { layers: cached.layerNames });
    for (const name of cached.layerNames) expect(Array.from(a.get(name).data)).toEqual(Array.from(b.get(name).data));
  } finally {
    await cached.release();
    await inMemory.release();
  }
});

test('a symlinked model.onnx loads, its cached exposed graph holding the weights itself', async () => {
  const dir = copy('hubert');
  const real = path.join(dir, 'real.onnx');
  fs.renameSync(path.join(dir, 'model.onnx'), real);
  fs.symlinkSync(real, path.join(dir, 'model.onnx'));
  const file = path.join(dir, 'model.onnx');
  const linked = await loadModel(file, { threads: 1 });
  const direct = await loadModel(real, { threads: 1, cacheExposed: false });
  try {
    const inits = readModelProto(linked.info.runPath).graph?.initializer ?? [];
    expect(inits.some((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)).toBe(false);
    const clip = refAudio(refIndex().clips[0] as string);
    const a = await linked.run(clip);
    const b = await direct.run(clip);
    for (const name of linked.layerNames.filter((n) => n.startsWith('hidden.'))) expect(Array.from(a.get(name).data)).toEqual(Array.from(b.get(name).data));
  } finally {
    await linked.release();
    await direct.release();
  }
  // the second load reuses that cache and runs
  const again = await loadModel(file, { threads: 1 });
  expect(again.info.runPath).toBe(linked.info.runPath);
  await again.release();
});

test('a directory loads its onnx/model.onnx with the configs at the root; runBatch equals run clip by clip', async () => {
  const dir = copy('w2v2_preln');
  fs.mkdirSync(path.join(dir, 'onnx'));
  fs.renameSync(path.join(dir, 'model.onnx'), path.join(dir, 'onnx', 'model.onnx'));
  const m = await loadModel(dir, { threads: 1 });
  try {
    expect(m.info.onnxPath).toBe(path.join(dir, 'onnx', 'model.onnx'));
    expect(m.info.configFile).toBe(path.join(dir, 'config.json'));
    const clip = refIndex().clips[0] as string;
    const a = refAudio(clip);
    const b = Float32Array.from(a, (v, i) => 0.5 * v + 0.01 * Math.sin(i / 7));
    const layers = ['hidden.3', 'local.7'];
    const [ba, bb] = await m.runBatch([a, b], { layers });
    const sa = await m.run(a, { layers });
    const sb = await m.run(b, { layers });
    for (const name of layers) {
      expect(relMaxError(ba?.get(name) ?? sa.get(name), sa.get(name))).toBeLessThan(1e-5);
      expect(relMaxError(bb?.get(name) ?? sa.get(name), sb.get(name))).toBeLessThan(1e-5);
      expect(relMaxError(sa.get(name), refActivation('w2v2_preln', clip, name))).toBeLessThan(1e-4);
    }
    // the two clips really differ, so the batch did not just repeat one of them
    expect(relMaxError(sb.get('hidden.3'), sa.get('hidden.3'))).toBeGreaterThan(1e-2);
    expect(await m.runBatch([])).toEqual([]);
    await expect(m.runBatch([a, a.subarray(1)])).rejects.toThrow(/runBatch needs clips of equal length; clip 0 has 8000 samples, clip 1 has 7999/);
  } finally {
    await m.release();
  }
});

test('runMeans: each layer averaged inside the graph equals the mean of the PyTorch reference frames, alone and batched', async () => {
  const m = await loadModel(copy('w2v2_preln'), { threads: 1 });
  try {
    const runMeans = m.runMeans;
    if (runMeans === undefined) throw new Error('an exposed ONNX graph should offer runMeans');
    const clip = refIndex().clips[0] as string;
    const a = refAudio(clip);
    const b = Float32Array.from(a, (v, i) => 0.5 * v + 0.01 * Math.sin(i / 7));
    const layers = ['hidden.0', 'hidden.3', 'local.7'];
    const [alone] = await runMeans([a], { layers });
    const [ba, bb] = await runMeans([a, b], { layers });
    const sb = await m.run(b, { layers });
    if (alone === undefined || ba === undefined || bb === undefined) throw new Error('runMeans returned too few results');
    for (const name of layers) {
      const ref = refActivation('w2v2_preln', clip, name);
      // the reference mean, in float64
      const want = new Float64Array(ref.cols);
      for (let t = 0; t < ref.rows; t++) for (let j = 0; j < ref.cols; j++) want[j] = (want[j] ?? 0) + (ref.data[t * ref.cols + j] ?? 0) / ref.rows;
      const asRow = (data: Float32Array | Float64Array | undefined) => ({ rows: 1, cols: ref.cols, data: data ?? new Float32Array(ref.cols) });
      expect(alone.frames.get(name)).toBe(ref.rows);
      expect(relMaxError(asRow(alone.means.get(name)), asRow(want))).toBeLessThan(1e-4);
      expect(relMaxError(asRow(ba.means.get(name)), asRow(alone.means.get(name)))).toBeLessThan(1e-5);
      // the second clip of the batch against its own frames from run
      const frames = sb.get(name);
      const own = new Float64Array(frames.cols);
      for (let t = 0; t < frames.rows; t++) for (let j = 0; j < frames.cols; j++) own[j] = (own[j] ?? 0) + (frames.data[t * frames.cols + j] ?? 0) / frames.rows;
      expect(relMaxError(asRow(bb.means.get(name)), asRow(own))).toBeLessThan(1e-5);
      expect(bb.frames.get(name)).toBe(frames.rows);
    }
    await expect(runMeans([a, a.subarray(1)])).rejects.toThrow(/runMeans needs clips of equal length/);
    await expect(runMeans([a], { layers: ['hidden.99'] })).rejects.toThrow(/no activation 'hidden.99'/);
  } finally {
    await m.release();
  }
});

test('normalize: false feeds the clip as is (a pre-normalised clip then gives the normalised result)', async () => {
  // w2v2_preln: its layer-norm conv encoder with conv bias is not invariant to the input's scale and offset,
  // unlike the group-norm encoders of the other fixtures
  const dir = copy('w2v2_preln');
  const clip = refIndex().clips[2] as string;
  const raw = refAudio(clip);
  const m = await loadModel(path.join(dir, 'model.onnx'), { threads: 1, normalize: false });
  try {
    expect(m.info.normalize).toBe(false);
    const pre = await m.run(normalizeWaveform(raw));
    expect(relMaxError(pre.get('hidden.2'), refActivation('w2v2_preln', clip, 'hidden.2'))).toBeLessThan(1e-4);
    const scaled = await m.run(Float32Array.from(raw, (v) => 3 * v + 0.5));
    expect(relMaxError(scaled.get('hidden.2'), refActivation('w2v2_preln', clip, 'hidden.2'))).toBeGreaterThan(1e-3);
  } finally {
    await m.release();
  }
});

test('errors: too-short input, unknown layers, bad sources, unmappable graphs, conflicting configs', async () => {
  const dir = copy('w2v2_postln');
  const m = await loadModel(path.join(dir, 'model.onnx'), { threads: 1 });
  try {
    await expect(m.run(new Float32Array(399))).rejects.toThrow(/has 399 samples \(0\.0249 s at 16000 Hz\) but the model needs at least 400 samples for one frame/);
    const one = await m.run(refAudio(refIndex().clips[0] as string).subarray(0, 400), { layers: ['hidden.3'] });
    expect([one.get('hidden.3').rows, one.get('hidden.3').cols]).toEqual([1, 32]);
    await expect(m.run(new Float32Array(800), { layers: ['hidden.9'] })).rejects.toThrow(/has no activation 'hidden\.9'; it offers hidden\.0, hidden\.1, hidden\.2, hidden\.3, local\.1/);
    await expect(m.run(new Float32Array(800), { layers: ['ffn.1'] })).rejects.toThrow(/has no activation 'ffn\.1'/);
    const bad = new Float32Array(800);
    bad[17] = Number.POSITIVE_INFINITY;
    await expect(m.run(bad)).rejects.toThrow(/contains Infinity at sample 17/);
  } finally {
    await m.release();
  }
  await expect(loadModel('no such thing.onnx')).rejects.toThrow(/'no such thing\.onnx' \(resolved from .+ to .+no such thing\.onnx\) is neither an existing file or directory nor a repository id/);

  const g = new GraphBuilder('toy');
  const x = g.input('input_values', 'float32', [1, 'n']);
  g.output(g.op('Relu', [x]), 'y', 'float32', [1, 'n']);
  const toy = path.join(dir, 'toy.onnx');
  fs.writeFileSync(toy, g.toBytes());
  await expect(loadModel(toy)).rejects.toThrow(/toy\.onnx: cannot map the encoder layers: found 0 residual Adds[\s\S]*candidate tensors:\n {2}\(no residual Adds or LayerNorms found\)/);

  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ conv_kernel: [10, 3, 3, 3, 3, 2, 2], conv_stride: [5, 2, 2, 2, 2, 2, 1] }));
  await expect(loadModel(path.join(dir, 'model.onnx'))).rejects.toThrow(/config\.json conv_stride \[5, 2, 2, 2, 2, 2, 1\] disagrees with the graph's conv strides \[5, 2, 2, 2, 2, 2, 2\]/);
});

test('a model without preprocessor_config.json loads with a warning naming the assumed values', async () => {
  const dir = copy('hubert');
  fs.rmSync(path.join(dir, 'preprocessor_config.json'));
  const warnings: string[] = [];
  const m = await loadModel(path.join(dir, 'model.onnx'), { threads: 1, onWarning: (w) => warnings.push(w) });
  await m.release();
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/no preprocessor_config\.json beside the model; assuming wav2vec2-base's feature extractor: sampling_rate 16000, do_normalize true\. HuBERT .* normalize: false \(--no-normalize\)/);
  expect(m.normalize).toBe(true);
  // Given explicitly, nothing is assumed and nothing is said.
  const quiet: string[] = [];
  const n = await loadModel(path.join(dir, 'model.onnx'), { threads: 1, normalize: false, sampleRate: 16000, onWarning: (w) => quiet.push(w) });
  await n.release();
  expect(quiet).toEqual([]);
  expect(n.normalize).toBe(false);
  // With the file present, no warning either.
  const withFile: string[] = [];
  const o = await loadModel(path.join(copy('hubert'), 'model.onnx'), { threads: 1, onWarning: (w) => withFile.push(w) });
  await o.release();
  expect(withFile).toEqual([]);
});
