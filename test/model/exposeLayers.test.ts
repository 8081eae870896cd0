/**
 * exposeLayers on files: the rewritten graph runs in a bare onnxruntime session and gives the PyTorch
 * activations; external data files are linked beside the output; `layerwise layers` lists and exposes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session, tensor } from '../../src/backend/ort';
import { exposeLayers } from '../../src/model/exposeLayers';
import { loadModel } from '../../src/model/loadModel';
import { normalizeWaveform } from '../../src/model/normalizeWaveform';
import { readModelProto } from '../../src/onnx/readModelProto';
import { run as layersCli } from '../../src/cli/layers';
import { FIXTURES, refActivation, refAudio, refIndex, relMaxError, writeWithExternalData } from './modelFixtures';
import { at } from '../../src/util/at';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-expose-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const clip = () => refIndex().clips[0] as string;

test('the exposed stock export runs in a bare session and outputs [batch, frames, features] activations equal to PyTorch', async () => {
  const out = path.join(tmp, 'w2v2_exposed.onnx');
  const r = exposeLayers(path.join(FIXTURES, 'w2v2_postln', 'model.onnx'), out, { ffn: [2] });
  const names = ['hidden.0', 'hidden.1', 'hidden.2', 'hidden.3', ...Array.from({ length: 7 }, (_, i) => `local.${i + 1}`), 'ffn.2'];
  expect(r.names).toEqual(names);
  expect(r.linkedData).toEqual([]);
  const s = await Session.create(out, { threads: 1 });
  try {
    expect(s.outputNames).toEqual(['last_hidden_state', ...names]);
    const audio = normalizeWaveform(refAudio(clip()));
    const res = await s.run({ input_values: tensor('float32', audio, [1, audio.length]) });
    for (const n of names) {
      const t = res[n];
      if (t === undefined) throw new Error(n);
      const ref = refActivation('w2v2_postln', clip(), n);
      expect(t.dims).toEqual([1, ref.rows, ref.cols]);
      expect(relMaxError({ rows: ref.rows, cols: ref.cols, data: t.data as Float32Array }, ref)).toBeLessThan(1e-4);
    }
  } finally {
    await s.release();
  }
});

test('exposing an exposed graph changes nothing; writing over the input is refused', () => {
  const once = path.join(tmp, 'once.onnx');
  const twice = path.join(tmp, 'twice.onnx');
  exposeLayers(path.join(FIXTURES, 'hubert', 'model.onnx'), once);
  const r = exposeLayers(once, twice);
  expect(r.map.source).toBe('outputs');
  const outs = (f: string) => readModelProto(f).graph?.output?.map((o) => o.name);
  expect(outs(twice)).toEqual(outs(once));
  expect(() => exposeLayers(once, once)).toThrow(/would overwrite the input model/);
  expect(() => exposeLayers(path.join(FIXTURES, 'hubert', 'model.onnx'), path.join(tmp, 'x.onnx'), { ffn: [5] })).toThrow(/ffn layer 5 does not exist; the model has transformer layers 1\.\.2/);
});

test('models with external data: the output gets the data file beside it, and loads and runs', async () => {
  const src = path.join(tmp, 'ext', 'src', 'model.onnx');
  writeWithExternalData(readModelProto(path.join(FIXTURES, 'hubert', 'model.onnx')), src);
  // the weights really moved out of the graph file
  expect(fs.statSync(path.join(tmp, 'ext', 'src', 'weights.bin')).size).toBeGreaterThan(50000);
  expect(fs.statSync(src).size + 50000).toBeLessThan(fs.statSync(path.join(FIXTURES, 'hubert', 'model.onnx')).size);
  const out = path.join(tmp, 'ext', 'out', 'exposed.onnx');
  const r = exposeLayers(src, out);
  expect(r.linkedData).toEqual([path.join(tmp, 'ext', 'out', 'weights.bin')]);
  expect(fs.readFileSync(at(r.linkedData, 0)).equals(fs.readFileSync(path.join(tmp, 'ext', 'src', 'weights.bin')))).toBe(true);
  // No config files beside these copies: wav2vec2-base defaults (normalise) and conv geometry from the graph.
  for (const file of [out, src]) {
    const m = await loadModel(file, { threads: 1 });
    try {
      expect(m.info.configFile).toBeUndefined();
      expect(m.frameSeconds).toBeCloseTo(0.02, 12);
      const cache = await m.run(refAudio(clip()));
      for (const n of cache.names) expect(relMaxError(cache.get(n), refActivation('hubert', clip(), n))).toBeLessThan(1e-4);
    } finally {
      await m.release();
    }
  }
  fs.rmSync(path.join(tmp, 'ext', 'src', 'weights.bin'));
  expect(() => exposeLayers(src, path.join(tmp, 'ext', 'out2', 'e.onnx'))).toThrow(/external data file .*weights\.bin is missing/);
});

test('layerwise layers lists the mapping and --expose writes the exposed model', async () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    expect(await layersCli([path.join(FIXTURES, 'w2v2_preln', 'model.onnx')])).toBe(0);
    // A model folder is accepted as loadModel accepts it (it used to fail with EISDIR).
    expect(await layersCli([path.join(FIXTURES, 'w2v2_preln')])).toBe(0);
    const out = path.join(tmp, 'cli.onnx');
    expect(await layersCli(['--expose', path.join(FIXTURES, 'torchaudio', 'model.onnx'), out, '--ffn', '1,2', '--no-local'])).toBe(0);
    const outs = readModelProto(out).graph?.output?.map((o) => o.name);
    expect(outs).toEqual(['last_hidden_state', 'hidden.0', 'hidden.1', 'hidden.2', 'ffn.1', 'ffn.2']);
  } finally {
    spy.mockRestore();
  }
  const text = written.join('');
  expect(text).toMatch(/3 transformer layers \(pre-LN\), hidden states found by graph structure/);
  expect(text).toMatch(/hidden\.3\s+last_hidden_state\s+\(final encoder LayerNorm \/encoder\/layer_norm\/LayerNormalization after residual Add \/encoder\/layers\.2\/Add_1\)/);
  expect(text).toMatch(/local\.7\s+\/feature_extractor\/conv_layers\.6\/activation\/Mul_1_output_0/);
  expect(text).toMatch(/wrote .*cli\.onnx with outputs hidden\.0, hidden\.1, hidden\.2, ffn\.1, ffn\.2/);
});
