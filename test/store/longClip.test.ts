/**
 * Long clips: self-attention memory grows with the square of the length, so a clip too long for the machine is
 * refused before it runs (naming the clip, its length and the limit), and the estimate behind the refusal is
 * never below what a forward pass really takes (peak resident memory of a child process running the model).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel, type LoadedSpeechModel } from '../../src/model/loadModel';
import { extractFeatures } from '../../src/store/extractFeatures';
import { LOCK_FILE } from '../../src/util/dirLock';

const REPO = path.resolve(__dirname, '..', '..');
const MODEL = path.join(REPO, 'models', 'wav2vec2-tiny-random', 'model.onnx');
let model: LoadedSpeechModel;
let tmp = '';

beforeAll(async () => {
  model = await loadModel(MODEL, { threads: 1, cacheExposed: false });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-long-'));
});
afterAll(async () => {
  await model.release();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function tone(seconds: number): Float32Array {
  const x = new Float32Array(seconds * 16000);
  for (let i = 0; i < x.length; i++) x[i] = 0.1 * Math.sin(i / 9);
  return x;
}

test('a 10-minute clip is refused within a second, naming the clip, its length and the option', async () => {
  const out = path.join(tmp, 'ten-minutes');
  const long = tone(600);
  const t0 = Date.now();
  await expect(extractFeatures(model, [{ id: 'lecture', samples: long }, { id: 'short', samples: tone(2) }], { out, maxClipBytes: 8 * 2 ** 30 })).rejects.toThrow(
    /item 'lecture': 600\.0 s of audio needs about \d+\.\d GiB to run in one piece .*above the limit of 8\.0 GiB \(maxClipBytes, --max-clip-memory\)/,
  );
  expect(Date.now() - t0).toBeLessThan(1000);
  // Nothing is presented as complete, and the folder is free for a rerun.
  expect(fs.existsSync(path.join(out, 'meta.json'))).toBe(false);
  expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  const estimate = model.estimateRunBytes(long.length);
  expect(estimate).toBeGreaterThan(24 * 2 ** 30); // more than this machine has: it would have been killed
});

test('the estimate grows with the square of the length and is not below the measured peak memory', () => {
  const e60 = model.estimateRunBytes(60 * 16000);
  const e120 = model.estimateRunBytes(120 * 16000);
  expect(e120 / e60).toBeGreaterThan(2.2);
  // A child process runs the model on a 60 s clip and reports its peak resident set size.
  const script = `
    const { loadModel } = require(${JSON.stringify(path.join(REPO, 'dist', 'model', 'loadModel.js'))});
    (async () => {
      const m = await loadModel(${JSON.stringify(MODEL)}, { threads: 1, cacheExposed: false });
      const x = new Float32Array(60 * 16000);
      for (let i = 0; i < x.length; i++) x[i] = 0.1 * Math.sin(i / 9);
      await m.run(x, { layers: m.layerNames });
      process.stdout.write(String(process.resourceUsage().maxRSS * 1024));
      await m.release();
    })();`;
  const peak = Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
  expect(peak).toBeGreaterThan(100 * 2 ** 20);
  expect(peak).toBeLessThan(e60);
  // ... and not wildly above it either: a limit that refuses clips the machine could run is no use.
  expect(e60).toBeLessThan(1.5 * peak);
});

test('the same 10-minute clip in 30 s windows finishes under 1.5 GiB of peak memory with every frame', () => {
  const out = path.join(tmp, 'windows');
  const script = `
    const { loadModel } = require(${JSON.stringify(path.join(REPO, 'dist', 'model', 'loadModel.js'))});
    const { extractFeatures } = require(${JSON.stringify(path.join(REPO, 'dist', 'store', 'extractFeatures.js'))});
    (async () => {
      const m = await loadModel(${JSON.stringify(MODEL)}, { threads: 2, cacheExposed: false });
      const x = new Float32Array(600 * 16000);
      for (let i = 0; i < x.length; i++) x[i] = 0.1 * Math.sin(i / 9);
      const r = await extractFeatures(m, [{ id: 'lecture', samples: x }], { out: ${JSON.stringify(out)}, chunk: { seconds: 30, overlapSeconds: 2 } });
      const it = r.meta.items[0];
      process.stdout.write(JSON.stringify({ windows: it.windows, frames: it.frames, peak: process.resourceUsage().maxRSS * 1024 }));
      await m.release();
    })();`;
  const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { windows: number; frames: number; peak: number };
  // 600 s in cores of 26 s: 24 windows; frames as in one piece: floor((9,600,000 - 400) / 320) + 1.
  expect(r.windows).toBe(24);
  expect(r.frames).toBe(29999);
  expect(r.peak).toBeLessThan(1.5 * 2 ** 30);
});
