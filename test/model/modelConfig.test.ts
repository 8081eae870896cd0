/** Conv frame arithmetic, feature-extractor normalisation and config parsing, against closed forms. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convFrames, convHop, convMinSamples } from '../../src/model/convGeometry';
import { normalizeWaveform } from '../../src/model/normalizeWaveform';
import { parseSpeechModelConfig, readSpeechModelConfig } from '../../src/model/readSpeechModelConfig';
import { FIXTURES, refActivation, refIndex } from './modelFixtures';

const W2V2 = { kernels: [10, 3, 3, 3, 3, 2, 2], strides: [5, 2, 2, 2, 2, 2, 2], pads: [0, 0, 0, 0, 0, 0, 0] };

test('wav2vec2 conv geometry: 320-sample hop, 400-sample receptive field, frame counts', () => {
  expect(convHop(W2V2)).toBe(320);
  expect(convMinSamples(W2V2)).toBe(400);
  expect(convFrames(399, W2V2).at(-1)).toBe(0);
  expect(convFrames(400, W2V2).at(-1)).toBe(1);
  // (16000 - 10) / 5 + 1 = 3199, then (n - 3) / 2 + 1 four times, (n - 2) / 2 + 1 twice
  expect(convFrames(16000, W2V2)).toEqual([3199, 1599, 799, 399, 199, 99, 49]);
  // the PyTorch references agree on every layer's frame count
  for (const clip of refIndex().clips) {
    const n = refActivation('w2v2_postln', clip, 'hidden.0').rows;
    const samples = { 'noise_0.50s': 8000, 'sine_1.00s': 16000, 'chirp_1.37s': 21920 }[clip] as number;
    expect(convFrames(samples, W2V2).at(-1)).toBe(n);
  }
  const local = convFrames(8000, W2V2);
  for (let i = 0; i < 7; i++) expect(refActivation('w2v2_postln', 'noise_0.50s', `local.${i + 1}`).rows).toBe(local[i]);
  // padding lets a frame come from fewer samples: kernel 3 with one sample of padding each side needs 1 sample
  expect(convMinSamples({ kernels: [3], strides: [1], pads: [2] })).toBe(1);
  expect(convFrames(5, { kernels: [3], strides: [2], pads: [2] })).toEqual([3]);
  expect(() => convHop({ kernels: [3, 2], strides: [2], pads: [0, 0] }, 'cfg')).toThrow(/cfg: conv geometry needs one kernel, stride and pad per layer, got 2\/1\/2/);
});

test('normalisation is (x - mean) / sqrt(var + 1e-7) with the population variance, and leaves the input alone', () => {
  const x = Float32Array.of(1, 2, 3, 4);
  const y = normalizeWaveform(x);
  const s = Math.sqrt(1.25 + 1e-7);
  expect(Array.from(y)).toEqual(Array.from(Float32Array.of(-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s)));
  expect(Array.from(x)).toEqual([1, 2, 3, 4]);
  // a constant clip stays finite: zero, not NaN
  expect(Array.from(normalizeWaveform(Float32Array.of(0.3, 0.3, 0.3)))).toEqual([0, 0, 0]);
  expect(() => normalizeWaveform(Float32Array.of(1, Number.NaN), 'clip 7')).toThrow(/clip 7: contains NaN at sample 1/);
  expect(() => normalizeWaveform(new Float32Array(0))).toThrow(/empty clip/);
});

test('configs: defaults without files, values from HF files, errors naming the file and key', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-cfg-'));
  const none = readSpeechModelConfig([empty]);
  fs.rmSync(empty, { recursive: true });
  expect([none.sampleRate, none.normalize, none.conv, none.configFile]).toEqual([16000, true, undefined, undefined]);
  const cfg = readSpeechModelConfig([path.join(FIXTURES, 'w2v2_postln')]);
  expect(cfg.conv).toEqual(W2V2);
  expect([cfg.sampleRate, cfg.normalize, cfg.modelType, cfg.numHiddenLayers]).toEqual([16000, true, 'wav2vec2', 3]);
  expect(parseSpeechModelConfig(undefined, { do_normalize: false, sampling_rate: 8000 }).normalize).toBe(false);
  expect(() => parseSpeechModelConfig(undefined, { do_normalize: 'yes' }, undefined, 'p.json')).toThrow(/p\.json: 'do_normalize' must be true or false, got "yes"/);
  expect(() => parseSpeechModelConfig({ conv_kernel: [10, 3], conv_stride: [5] }, undefined, 'c.json')).toThrow(/c\.json: 'conv_kernel' has 2 entries but 'conv_stride' has 1/);
  expect(() => parseSpeechModelConfig({ conv_kernel: [10, 0], conv_stride: [5, 2] }, undefined, 'c.json')).toThrow(/c\.json: 'conv_kernel' must be a non-empty list of positive integers/);
});
