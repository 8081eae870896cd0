/**
 * Parity: every layer layerwise returns equals the PyTorch hidden states of the same weights (written by
 * test/fixtures/models/build_models.py) within 1e-4 relative (max abs error over max abs value), for the
 * stock export (layers exposed by structure) and the export that already outputs all hidden states,
 * for every fixture model and three clip lengths; conv-layer outputs and one FFN activation too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Session, tensor } from '../../src/backend/ort';
import type { Matrix } from '../../src/matrix';
import { loadModel } from '../../src/model/loadModel';
import { copyModelDir, hasRef, refActivation, refAudio, refIndex, relMaxError } from './modelFixtures';
import { at } from '../../src/util/at';

const TOL = 1e-4;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const models = Object.keys(refIndex().models);

describe.each(models)('%s', (model) => {
  const info = refIndex().models[model];
  if (info === undefined) throw new Error(model);
  const clips = refIndex().clips;

  test.each(['model.onnx', 'model_all_hidden.onnx'])('%s: every hidden state, conv layer and FFN activation matches PyTorch', async (file) => {
    const dir = copyModelDir(model);
    dirs.push(dir);
    const m = await loadModel(path.join(dir, file), { ffn: [info.ffnLayer], threads: 1 });
    try {
      expect(m.info.map.source).toBe(file === 'model.onnx' ? 'structure' : 'outputs');
      if (m.info.map.source === 'structure') expect(m.info.map.norm).toBe(info.preLN ? 'pre' : 'post');
      const hidden = Array.from({ length: info.layers + 1 }, (_, i) => `hidden.${i}`);
      const local = Array.from({ length: info.convLayers }, (_, i) => `local.${i + 1}`);
      expect(m.layerNames).toEqual([...hidden, ...local, `ffn.${info.ffnLayer}`]);
      expect(m.frameSeconds).toBeCloseTo(0.02, 12);
      expect(m.minSamples).toBe(400);
      for (const [ci, clip] of clips.entries()) {
        const audio = refAudio(clip);
        const names = ci === 0 ? [...m.layerNames] : hidden;
        const cache = await m.run(audio, { layers: names });
        expect(cache.names).toEqual(names);
        expect(cache.meta).toEqual({ modelId: path.join(dir, file), sampleRate: 16000, numSamples: audio.length, frameSeconds: 0.02 });
        for (const name of names) {
          expect(hasRef(model, clip, name)).toBe(true);
          const err = relMaxError(cache.get(name), refActivation(model, clip, name));
          if (!(err <= TOL)) throw new Error(`${model}/${file} ${clip} ${name}: relative error ${err}`);
        }
      }
    } finally {
      await m.release();
    }
  });
});

type LoadedModel = Awaited<ReturnType<typeof loadModel>>;

/**
 * Load `file` from a fresh copy of fixture `model`, hand the model to `onModel`, then call `check` with every
 * layer of the first clip and every hidden state of the others, next to PyTorch's values of the same weights.
 */
async function eachLayer(
  model: string,
  file: string,
  ffnLayer: number,
  onModel: (m: LoadedModel) => void,
  check: (clip: string, name: string, got: Matrix, want: Matrix) => void,
): Promise<void> {
  const dir = copyModelDir(model);
  dirs.push(dir);
  const m = await loadModel(path.join(dir, file), { ffn: [ffnLayer], threads: 1 });
  try {
    onModel(m);
    for (const [ci, clip] of refIndex().clips.entries()) {
      const names = ci === 0 ? [...m.layerNames] : m.layerNames.filter((n) => n.startsWith('hidden.'));
      const cache = await m.run(refAudio(clip), { layers: names });
      for (const name of names) check(clip, name, cache.get(name), refActivation(model, clip, name));
    }
  } finally {
    await m.release();
  }
}

/** Relative Frobenius error ||a - b|| / ||b||. */
function relFrobenius(a: Matrix, b: Matrix): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.data.length; i++) {
    num += (at(a.data, i) - at(b.data, i)) ** 2;
    den += at(b.data, i) ** 2;
  }
  return Math.sqrt(num / den);
}

function ffnLayerOf(model: string): number {
  const info = refIndex().models[model];
  if (info === undefined) throw new Error(model);
  return info.ffnLayer;
}

test('the int8 quantized export maps and runs: every layer within a few percent of the fp32 PyTorch model', async () => {
  // Dynamic uint8 quantization of activations and int8 weights costs about 1-3% relative (Frobenius) error
  // on these small random models; the lower bound shows the integer kernels really ran.
  await eachLayer('w2v2_postln', 'model_quantized.onnx', 2, () => undefined, (clip, name, a, b) => {
    expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
    const rel = relFrobenius(a, b);
    if (!(rel > 1e-4 && rel < 0.08)) throw new Error(`quantized ${clip} ${name}: relative error ${rel}`);
  });
});

test.each(['w2v2_postln', 'hubert'])('%s: the fp16 export (model_fp16.onnx) maps and runs: every layer, as float32, close to the fp32 PyTorch model', async (model) => {
  // test/fixtures/models/build_fp16.py: float16 weights and intermediate tensors, float32 graph input and output, as
  // transformers.js publishes `model_fp16.onnx`. Exposed layers are float16 tensors, cast to float32 on the way out.
  const worst: Record<string, number> = {};
  await eachLayer(
    model,
    'model_fp16.onnx',
    ffnLayerOf(model),
    (m) => expect(m.info.map.source).toBe('structure'),
    (_clip, name, a, b) => {
      expect(a.data).toBeInstanceOf(Float32Array);
      worst[name] = Math.max(worst[name] ?? 0, relMaxError(a, b));
    },
  );
  // float16 keeps 11 significant bits (relative rounding 4.9e-4 per operation). Measured worst errors (max abs
  // error over max abs value) on these fixtures: 4e-4 to 1.3e-3 for every layer; the bound leaves a 4x margin,
  // and the floor shows the float16 kernels really ran.
  expect(Object.keys(worst).length).toBeGreaterThan(0);
  for (const [name, err] of Object.entries(worst)) {
    if (!(err > 1e-5 && err < 5e-3)) throw new Error(`${model} fp16 ${name}: relative error ${err}`);
  }
});

test.each(['model_opset11.onnx', 'model_opset12.onnx'])('w2v2_postln %s (opset 11 / 12 exports): every layer matches PyTorch within 1e-4', async (file) => {
  // test/fixtures/models/build_opsets.py: the same weights exported at the opsets of 2023 transformers.js exports (11)
  // and WavLM's (12), where Unsqueeze/ReduceMean take axes as attributes.
  await eachLayer(
    'w2v2_postln',
    file,
    ffnLayerOf('w2v2_postln'),
    (m) => expect([m.info.map.source, m.info.map.norm]).toEqual(['structure', 'post']),
    (clip, name, a, b) => {
      const err = relMaxError(a, b);
      if (!(err <= TOL)) throw new Error(`${file} ${clip} ${name}: relative error ${err}`);
    },
  );
});

test.each(['matmul_nbits', 'matmul_bnb4'])('%s reads the 4-bit packing build_q4.py writes: one node equals A x dequantized W', async (fixture) => {
  // Checks the fixture's layout against onnxruntime itself (MatMulNBits: B [N, K/32, 16] low nibble first, scales
  // and zero points column by column; MatMulBnb4: W^T flattened, NF4 indices high nibble first, absmax per block
  // of 64), independently of any layer mapping.
  const dir = path.join(__dirname, '..', 'fixtures', 'models', 'q4_layout');
  const ref = JSON.parse(fs.readFileSync(path.join(dir, `${fixture}.json`), 'utf8')) as { a: number[][]; dequantized: number[][]; weight: number[][] };
  const s = await Session.create(path.join(dir, `${fixture}.onnx`));
  const K = ref.dequantized.length;
  const N = ref.dequantized[0]?.length ?? 0;
  const y = (await s.run({ A: tensor('float32', Float32Array.from(ref.a.flat()), [ref.a.length, K]) }))['Y'];
  const want = ref.a.flatMap((row) => Array.from({ length: N }, (_, n) => row.reduce((t, v, k) => t + v * (ref.dequantized[k]?.[n] ?? NaN), 0)));
  const got = Array.from((y?.data ?? []) as Float32Array);
  expect(got).toHaveLength(want.length);
  expect(Math.max(...got.map((v, i) => Math.abs(v - (want[i] ?? NaN))))).toBeLessThan(1e-4);
  // And the quantization is real: A x W (unquantized) differs by more than rounding.
  const exact = ref.a.flatMap((row) => Array.from({ length: N }, (_, n) => row.reduce((t, v, k) => t + v * (ref.weight[k]?.[n] ?? NaN), 0)));
  expect(Math.max(...got.map((v, i) => Math.abs(v - (exact[i] ?? NaN))))).toBeGreaterThan(1e-2);
  await s.release();
});

test.each(['model_q4.onnx', 'model_bnb4.onnx'])('the 4-bit export %s (MatMulNBits / MatMulBnb4) maps and runs: conv layers exact, transformer layers within 4-bit error', async (file) => {
  // test/fixtures/models/build_q4.py: every weight MatMul as MatMulNBits (4 bits, min-max blocks of 32) or MatMulBnb4
  // (NF4, absmax blocks of 64); convs and norms float.
  await eachLayer('w2v2_postln', file, 2, (m) => expect(m.info.map.source).toBe('structure'), (clip, name, a, b) => {
    const rel = relFrobenius(a, b);
    // Conv layers are not quantized: float32 rounding only. Transformer layers: 4-bit weights (about 10% error per
    // weight) give 2-10% relative (Frobenius) error here.
    const ok = name.startsWith('local.') ? rel < 1e-4 : rel > 1e-3 && rel < 0.15;
    if (!ok) throw new Error(`${file} ${clip} ${name}: relative error ${rel}`);
  });
});

test.each(['hubert', 'w2v2_preln'])('%s: the ORT-fused export (SkipLayerNormalization) maps and matches PyTorch within 1e-4', async (model) => {
  // test/fixtures/models/build_fused.py: every residual Add + LayerNorm fused into SkipLayerNormalization, the sum
  // as its 4th output where the (pre-LN) residual stream reads it; loadModel splits them back before mapping.
  const preLN = refIndex().models[model]?.preLN ?? false;
  await eachLayer(
    model,
    'model_fused.onnx',
    ffnLayerOf(model),
    (m) => expect([m.info.map.source, m.info.map.norm]).toEqual(['structure', preLN ? 'pre' : 'post']),
    (clip, name, a, b) => {
      const err = relMaxError(a, b);
      if (!(err <= TOL)) throw new Error(`${model} fused ${clip} ${name}: relative error ${err}`);
    },
  );
});
