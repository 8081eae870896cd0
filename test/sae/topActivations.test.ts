import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpy } from '../../src/data/io/writeNpy';
import { frameItemIds, openFeatureStore } from '../../src/store/FeatureStore';
import { clipFeatureTrace, storedActivationPercentage } from '../../src/sae/featureTraces';
import { featureCardExamples } from '../../src/viz/featureCardExamples';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { Random } from '../../src/random';
import { featureStoreFrameSource } from '../../src/sae/featureStoreFrameSource';
import { SAE } from '../../src/sae/SAE';
import { topActivations, topNeuronActivations } from '../../src/sae/topActivations';
import { trainSAE } from '../../src/sae/trainSAE';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

const d = 3;
const clips = [
  { id: 'c0', frames: 3, transcript: 'ALPHA' },
  { id: 'c1', frames: 4, transcript: 'BETA' },
  { id: 'c2', frames: 2, transcript: 'GAMMA' },
  { id: 'c3', frames: 5 },
];
const total = 14;
let dir = '';
let X = new Float32Array(0);

/** A two-shard frame store written by hand in the documented layout (meta.json + layer_06/shard_*.npy). */
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-store-'));
  const rng = new Random(11);
  X = Float32Array.from({ length: total * d }, () => rng.uniform() * 1.8 - 1);
  // Column 0: clip c1 peaks twice (frames 2 and 3), then c3 (frame 4), then c0 (frame 1).
  const set = (row: number, v: number): void => {
    X[row * d] = v;
  };
  set(3 + 2, 5);
  set(3 + 3, 4);
  set(9 + 4, 3);
  set(1, 2);
  fs.mkdirSync(path.join(dir, 'layer_06'));
  writeNpy(path.join(dir, 'layer_06', 'shard_00000.npy'), { data: X.slice(0, 7 * d), shape: [7, d] });
  writeNpy(path.join(dir, 'layer_06', 'shard_00001.npy'), { data: X.slice(7 * d), shape: [7, d] });
  let offset = 0;
  const items = clips.map((c) => {
    const it = { ...c, numSamples: c.frames * 320 + 80, frameOffset: offset };
    offset += c.frames;
    return it;
  });
  const meta = {
    formatVersion: 1,
    pooling: 'frames',
    padding: null,
    model: { id: 'test', hash: '0' },
    sampleRate: 16000,
    frameSeconds: 0.02,
    layers: [{ name: 'hidden.6', file: 'layer_06', dim: d }],
    items,
    skipped: [],
    shards: [
      { file: 'shard_00000.npy', firstItem: 0, items: 2, firstFrame: 0, frames: 7 },
      { file: 'shard_00001.npy', firstItem: 2, items: 2, firstFrame: 7, frames: 7 },
    ],
    totalFrames: total,
    fingerprint: '',
    options: { modelHash: '0', sampleRate: 16000, normalize: true, pooling: 'frames', layers: ['hidden.6'], padding: null, skipShort: false, shardItems: 2, shardFrames: 0, itemKeys: clips.map((c) => c.id) },
  };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Identity encoder; decoder column norms 2, 1, 1 (so normalised activations of latent 0 are doubled). */
function identitySAE(): SAE {
  return new SAE(
    { variant: 'relu-l1', inputDim: d, latents: d, k: 0, preEncoderBias: false, inputScale: 1, threshold: 0 },
    { encoder: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), decoder: Float32Array.of(2, 0, 0, 0, 1, 0, 0, 0, 1), encoderBias: new Float32Array(d), decoderBias: new Float32Array(d) },
  );
}

test('featureStoreFrameSource reads row ranges across shard boundaries', async () => {
  const src = featureStoreFrameSource(openFeatureStore(dir), 'hidden.6');
  expect([src.dim, src.count, src.inMemory]).toEqual([d, total, false]);
  expect(Array.from((await src.read(5, 6)).data)).toEqual(Array.from(X.subarray(5 * d, 11 * d)));
  expect(Array.from((await src.read(0, total)).data)).toEqual(Array.from(X));
  await expect(src.read(10, 5)).rejects.toThrow(/outside \[0, 14\)/);
});

test('topActivations: best frame per clip, decoder-norm-scaled, with position, time and transcript', async () => {
  const store = openFeatureStore(dir);
  const res = await topActivations(identitySAE(), store, { layer: 'hidden.6', features: [0], perFeature: 3 });
  expect(res.layer).toBe('hidden.6');
  const ex = res.examples[0] ?? [];
  expect(ex.map((e) => [e.clipId, e.frame, e.activation])).toEqual([
    ['c1', 2, 10],
    ['c3', 4, 6],
    ['c0', 1, 4],
  ]);
  expect(ex[0]).toMatchObject({ feature: 0, itemIndex: 1, frames: 4, position: 0.5, transcript: 'BETA' });
  expect(ex[0]?.seconds).toBeCloseTo(0.04, 12);
  expect(ex[1]?.transcript).toBeNull();
  expect(ex[1]?.position).toBeCloseTo(0.8, 12);
  // Without de-duplication the second peak of c1 comes next; raw (unscaled) activations on request.
  const all = await topActivations(identitySAE(), store, { layer: 6, features: [0], perFeature: 3, dedupeByClip: false, normalized: false });
  expect((all.examples[0] ?? []).map((e) => [e.clipId, e.frame, e.activation])).toEqual([
    ['c1', 2, 5],
    ['c1', 3, 4],
    ['c3', 4, 3],
  ]);
});

test('topActivations: clips without a stored transcript get the transcribe hook\'s, once per clip', async () => {
  const calls: [string, number][] = [];
  const transcribe = (clipId: string, itemIndex: number): Promise<string | undefined> => {
    calls.push([clipId, itemIndex]);
    return Promise.resolve(`HEARD ${clipId}`);
  };
  const res = await topActivations(identitySAE(), openFeatureStore(dir), { layer: 'hidden.6', perFeature: 10, transcribe });
  const listed = res.examples.flat();
  // c3 (the only clip without a transcript) is listed for several latents but transcribed once.
  expect(listed.filter((e) => e.clipId === 'c3').length).toBeGreaterThan(1);
  expect(calls).toEqual([['c3', 3]]);
  for (const e of listed) expect(e.transcript).toBe(e.clipId === 'c3' ? 'HEARD c3' : (clips.find((c) => c.id === e.clipId)?.transcript ?? null));
  // A hook that has nothing to say leaves the transcript null.
  const none = await topActivations(identitySAE(), openFeatureStore(dir), { layer: 'hidden.6', features: [0], perFeature: 3, transcribe: () => Promise.resolve(undefined) });
  expect((none.examples[0] ?? []).map((e) => e.transcript)).toEqual(['BETA', null, 'ALPHA']);
});

test('topActivations agrees with a brute-force ranking for every latent; inactive frames are not examples', async () => {
  const store = openFeatureStore(dir);
  const res = await topActivations(identitySAE(), store, { layer: 'hidden.6', perFeature: 10 });
  const norms = [2, 1, 1];
  for (let f = 0; f < d; f++) {
    // Per clip the best frame, then clips by activation (positive only).
    const want: [string, number, number][] = [];
    let off = 0;
    for (const c of clips) {
      let best = -Infinity;
      let peak = -1;
      for (let r = 0; r < c.frames; r++) {
        const v = Math.max(0, at(X, (off + r) * d + f)) * at(norms, f);
        if (v > best) {
          best = v;
          peak = r;
        }
      }
      if (best > 0) want.push([c.id, peak, best]);
      off += c.frames;
    }
    want.sort((a, b) => b[2] - a[2]);
    const got = (res.examples[f] ?? []).map((e) => [e.clipId, e.frame, e.activation] as [string, number, number]);
    expect(got.map((g) => [g[0], g[1]])).toEqual(want.map((w) => [w[0], w[1]]));
    got.forEach((g, i) => expect(g[2]).toBeCloseTo((want[i] as [string, number, number])[2], 6));
  }
});

test('topNeuronActivations ranks raw neuron values (the seed baseline)', async () => {
  const res = await topNeuronActivations(openFeatureStore(dir), { layer: 'hidden.6', features: [0], perFeature: 2 });
  expect((res.examples[0] ?? []).map((e) => [e.clipId, e.activation])).toEqual([
    ['c1', 5],
    ['c3', 3],
  ]);
  await expect(topNeuronActivations(openFeatureStore(dir), { layer: 'hidden.6', features: [3] })).rejects.toThrow(/feature 3/);
});

test('trainSAE streams from a feature store layer', async () => {
  const res = await trainSAE(featureStoreFrameSource(openFeatureStore(dir), 'hidden.6'), { latents: 6, steps: 5, batchSize: 4, lr: 1e-3, l1: 0.1, validationFraction: 0.25, blockFrames: 2, seed: 1 });
  expect(res.trainFrames + res.validationFrames).toBe(total);
  expect(res.validationFrames).toBeGreaterThan(0);
  expect(res.history.loss.every((v) => Number.isFinite(v))).toBe(true);
  await expect(topActivations(res.sae, openFeatureStore(dir), { layer: 'hidden.6', features: [6] })).rejects.toThrow(/feature 6/);
});

test('frames({items}) reads the first items only, and frameItemIds labels every row with its clip', () => {
  const store = openFeatureStore(dir);
  const first = store.frames('hidden.6', { items: 3 });
  // c0, c1, c2: 3 + 4 + 2 frames, the first 9 rows of the hand-written layer.
  expect(first.index.totalFrames).toBe(9);
  expect(Array.from(first.matrix.data)).toEqual(Array.from(X.slice(0, 9 * d)));
  expect(frameItemIds(first.index)).toEqual(['c0', 'c0', 'c0', 'c1', 'c1', 'c1', 'c1', 'c2', 'c2']);
  expect(Array.from(store.frames('hidden.6').matrix.data)).toEqual(Array.from(X));
  expect(store.frames('hidden.6', { items: 0 }).matrix.rows).toBe(0);
  expect(() => store.frames('hidden.6', { items: 5 })).toThrow(/items must be an integer in \[0, 4\], got 5/);
  expect(() => store.frames('layer_06')).toThrow(/'layer_06' is a file name.*valid names: hidden\.6/);
});

test('storedActivationPercentage counts positive entries over every shard', () => {
  let positive = 0;
  for (const v of X) if (v > 0) positive++;
  const r = storedActivationPercentage(openFeatureStore(dir), 'hidden.6');
  expect(r.features).toBe(d);
  expect(r.percent).toBeCloseTo((100 * positive) / X.length, 12);
});

test('clipFeatureTrace and featureCardExamples give each top clip its audio and its trace', async () => {
  const store = openFeatureStore(dir);
  // c1's frames are rows 3..6; neuron 0 there is X[row * d].
  expect(Array.from(await clipFeatureTrace(store, 'hidden.6', 'c1', 0))).toEqual([3, 4, 5, 6].map((r) => at(X, r * d)));
  // With an SAE: the identity SAE's latent 0, normalised by decoder norm 2, is 2 * max(0, x).
  const sae = identitySAE();
  expect(Array.from(await clipFeatureTrace(store, 'hidden.6', 'c1', 0, sae))).toEqual([3, 4, 5, 6].map((r) => 2 * Math.max(0, at(X, r * d))));
  const top = await topNeuronActivations(store, { layer: 'hidden.6', features: [0, 1], perFeature: 3 });
  const asked: string[] = [];
  const examples = await featureCardExamples(top, 0, {
    count: 2,
    audio: async (clipId) => {
      asked.push(clipId);
      return { samples: Float32Array.of(clipId.length), sampleRate: 8000, source: `from ${clipId}` };
    },
    trace: (clipId) => clipFeatureTrace(store, 'hidden.6', clipId, 0),
  });
  // Column 0 peaks in c1 (5), then c3 (3): one example per clip, best first.
  expect(examples.map((e) => [e.clipId, e.activation, e.transcript, e.source])).toEqual([['c1', 5, 'BETA', 'from c1'], ['c3', 3, null, 'from c3']]);
  expect(asked).toEqual(['c1', 'c3']);
  expect(Array.from(examples[0]?.trace ?? [])).toEqual(Array.from(await clipFeatureTrace(store, 'hidden.6', 'c1', 0)));
  await expect(featureCardExamples(top, 2, { audio: async () => ({ samples: [], sampleRate: 1 }) })).rejects.toThrow(/feature 2 has no ranking in this hidden\.6 result/);
});
