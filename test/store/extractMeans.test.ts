/**
 * Mean-pooled extraction with a model that pools inside its graph (`runMeans`): the store equals the frame
 * store's per-item means, alone and batched, and the frames never come out through `run`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel } from '../../src/model/loadModel';
import type { LoadedSpeechModel } from '../../src/model/loadModel';
import type { ActivationCache } from '../../src/model/ActivationCache';
import type { ClipMeans, RunOptions, SpeechModel } from '../../src/model/SpeechModel';
import { extractFeatures, type ExtractItem } from '../../src/store/extractFeatures';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { at } from '../../src/util/at';

let tmp: string;
let model: LoadedSpeechModel;
const items: ExtractItem[] = [];
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-means-'));
  model = await loadModel('demo:wav2vec2-tiny-random', { threads: 1 });
  // clips 1 and 2 have one length, so batchSize 2 runs them together
  for (const [i, n] of [8000, 12000, 12000, 6400].entries()) {
    items.push({ id: `clip${i}`, samples: Float32Array.from({ length: n }, (_, t) => 0.3 * Math.sin((2 * Math.PI * (120 + 45 * i) * t) / 16000) + 0.05 * Math.cos(t / (3 + i))) });
  }
}, 120_000);
afterAll(async () => {
  await model.release();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test.each([1, 2])('batchSize %i: the mean store equals the frame store averaged item by item', async (batchSize) => {
  expect(model.runMeans).toBeDefined();
  const frameDir = path.join(tmp, `frames-${batchSize}`);
  const meanDir = path.join(tmp, `means-${batchSize}`);
  await extractFeatures(model, { items }, { out: frameDir, pooling: 'frames', layers: 'all' });
  const run = jest.spyOn(model, 'run');
  try {
    await extractFeatures(model, { items }, { out: meanDir, pooling: 'mean', layers: 'all', batchSize });
    // every clip's means came from the graph
    expect(run).not.toHaveBeenCalled();
  } finally {
    run.mockRestore();
  }
  const frames = openFeatureStore(frameDir);
  const means = openFeatureStore(meanDir);
  expect(means.meta.items.map((it) => [it.id, it.frames])).toEqual(frames.meta.items.map((it) => [it.id, it.frames]));
  expect(means.meta.layers).toHaveLength(13);
  for (const { name: layer } of means.meta.layers) {
    const m = means.layer(layer);
    items.forEach((it, i) => {
      const f = frames.framesOf(it.id, layer);
      for (let j = 0; j < f.cols; j++) {
        let sum = 0;
        for (let t = 0; t < f.rows; t++) sum += at(f.data, t * f.cols + j);
        const want = sum / f.rows;
        expect(Math.abs(at(m.data, i * m.cols + j) - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
      }
    });
  }
});

/** A model of the user's own whose runMeans is an ordinary method (it reads `this`). */
class Delegating implements SpeechModel {
  readonly id: string;
  readonly hash: string;
  readonly sampleRate: number;
  readonly frameSeconds: number;
  readonly normalize: boolean;
  readonly minSamples: number;
  readonly layerNames: readonly string[];
  constructor(private readonly inner: LoadedSpeechModel) {
    ({ id: this.id, hash: this.hash, sampleRate: this.sampleRate, frameSeconds: this.frameSeconds, normalize: this.normalize, minSamples: this.minSamples, layerNames: this.layerNames } = inner);
  }
  run(samples: Float32Array, opts?: RunOptions): Promise<ActivationCache> {
    return this.inner.run(samples, opts);
  }
  runMeans(clips: readonly Float32Array[], opts?: RunOptions): Promise<ClipMeans[]> {
    const own = this.inner.runMeans;
    if (own === undefined) throw new Error('the inner model has no runMeans');
    return own(clips, opts);
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

test("a model's own runMeans method is called on the model", async () => {
  const out = path.join(tmp, 'delegating');
  const res = await extractFeatures(new Delegating(model), { items }, { out, pooling: 'mean', layers: ['hidden.2'] });
  expect(res.meta.items).toHaveLength(items.length);
});
