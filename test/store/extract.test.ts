import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeWav } from '../../src/data/audio/encodeWav';
import type { NpyData } from '../../src/data/io/NpyArray';
import { readNpy } from '../../src/data/io/readNpy';
import { extractFeatures, type ExtractItem } from '../../src/store/extractFeatures';
import { openFeatureStore } from '../../src/store/FeatureStore';
import type { ProgressInfo } from '../../src/util/progress';
import { HIDDEN, HOP, LOCAL, hiddenValue, makeTestModel, testClip } from './extractTestModel';
import { expectSameFiles } from './sameFiles';
import { at } from '../../src/util/at';

/** The float32 data of an `.npy` array (extraction writes float32 only). */
function float32(data: NpyData): Float32Array {
  if (!(data instanceof Float32Array)) throw new Error(`expected float32 data, got ${data.constructor.name}`);
  return data;
}

const lengths = [1000, 3200, 5000, 400, 7777, 2000];

function items(): ExtractItem[] {
  return lengths.map((n, k) => ({ id: `clip${k}`, samples: testClip(n, k), label: k % 2 === 0 ? 'yes' : 'no', transcript: `t${k}` }));
}

const made: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-extract-'));
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** Closed-form mean of hidden.l over the T = floor(n/320) frames of clip x. */
function expectedMean(l: number, x: Float32Array): number[] {
  const T = Math.floor(x.length / HOP);
  const out: number[] = [];
  for (let j = 0; j < HIDDEN; j++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += at(x, HOP * t);
    out.push(l + 0.25 * (T - 1) + 0.01 * j + s / T);
  }
  return out;
}

describe('extractFeatures, mean pooling', () => {
  test('writes [items, hidden] float32 per layer equal to the closed-form frame means, in dataset order', async () => {
    const out = tmp();
    const data = items();
    const res = await extractFeatures(makeTestModel(), data, { out, pooling: 'mean', layers: 'all', shardItems: 4 });
    expect(res.computed).toBe(data.length);
    for (let l = 0; l < 4; l++) {
      const a = readNpy(path.join(out, `layer_0${l}.npy`));
      expect(a.dtype).toBe('float32');
      expect(a.shape).toEqual([data.length, HIDDEN]);
      data.forEach((it, i) => {
        const want = expectedMean(l, it.samples as Float32Array);
        for (let j = 0; j < HIDDEN; j++) expect(at(float32(a.data), i * HIDDEN + j)).toBeCloseTo(at(want, j), 5);
      });
    }
    const meta = JSON.parse(fs.readFileSync(path.join(out, 'meta.json'), 'utf8'));
    expect(meta.items.map((it: { id: string }) => it.id)).toEqual(data.map((d) => d.id));
    expect(meta.items.map((it: { label: string }) => it.label)).toEqual(['yes', 'no', 'yes', 'no', 'yes', 'no']);
    expect(meta.items.map((it: { frames: number }) => it.frames)).toEqual(lengths.map((n) => Math.floor(n / HOP)));
    expect(meta.items[1].transcript).toBe('t1');
    expect(meta.layers.map((l: { name: string; file: string }) => [l.name, l.file])).toEqual([
      ['hidden.0', 'layer_00'],
      ['hidden.1', 'layer_01'],
      ['hidden.2', 'layer_02'],
      ['hidden.3', 'layer_03'],
    ]);
    expect(meta.model).toEqual({ id: 'test-model', hash: 'a'.repeat(64) });
    expect(meta.pooling).toBe('mean');
    expect(meta.frameSeconds).toBe(0.02);
    expect(meta.formatVersion).toBe(1);
    expect(meta.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.existsSync(path.join(out, '.partial'))).toBe(false);
    // The reader returns the same matrix; a hidden index and a name address the same layer, a file stem is refused.
    const store = openFeatureStore(out);
    const m = store.layer(2);
    expect([m.rows, m.cols]).toEqual([data.length, HIDDEN]);
    expect(Array.from(m.data)).toEqual(Array.from(readNpy(path.join(out, 'layer_02.npy')).data as Float32Array));
    expect(Array.from(store.layer('hidden.2').data)).toEqual(Array.from(m.data));
    expect(() => store.layer('layer_02')).toThrow(/no layer 'layer_02' \('layer_02' is a file name; .*\); valid names: hidden.0, hidden.1, hidden.2, hidden.3/);
    expect(() => store.layer(7)).toThrow(/no layer 'hidden.7'.*hidden.0, hidden.1/);
    expect(() => store.framesOf('clip0', 0)).toThrow(/mean-pooled store/);
  });

  test('conv layers go to local_XX.npy and selections pick layers in model order', async () => {
    const out = tmp();
    const data = items().slice(0, 3);
    await extractFeatures(makeTestModel(), data, { out, layers: ['local', 3, 'hidden.1'] });
    expect(fs.readdirSync(out).sort()).toEqual(['layer_01.npy', 'layer_03.npy', 'local_01.npy', 'meta.json']);
    const loc = readNpy(path.join(out, 'local_01.npy'));
    expect(loc.shape).toEqual([3, LOCAL]);
    // local.1 has 2T frames with values 100 + t - j: mean 100 + (2T - 1)/2 - j.
    data.forEach((it, i) => {
      const T2 = 2 * Math.floor((it.samples as Float32Array).length / HOP);
      for (let j = 0; j < LOCAL; j++) expect(at(float32(loc.data), i * LOCAL + j)).toBeCloseTo(100 + (T2 - 1) / 2 - j, 4);
    });
  });

  test("padding 'max_length' zero-pads to maxLength and pools every frame, as the seed notebook", async () => {
    const out = tmp();
    const data = items().slice(0, 3);
    await extractFeatures(makeTestModel(), data, { out, layers: [0], padding: { mode: 'max_length', maxLength: 16000 } });
    const a = readNpy(path.join(out, 'layer_00.npy'));
    data.forEach((it, i) => {
      const padded = new Float32Array(16000);
      padded.set(it.samples as Float32Array);
      const want = expectedMean(0, padded);
      for (let j = 0; j < HIDDEN; j++) expect(at(float32(a.data), i * HIDDEN + j)).toBeCloseTo(at(want, j), 5);
    });
    const meta = openFeatureStore(out).meta;
    expect(meta.padding).toEqual({ mode: 'max_length', maxLength: 16000 });
    expect(meta.items.map((it) => it.frames)).toEqual([50, 50, 50]);
    expect(meta.items.map((it) => it.numSamples)).toEqual([1000, 3200, 5000]);
  });

  test('reports progress with done/total/rate/ETA ending at total', async () => {
    const seen: ProgressInfo[] = [];
    await extractFeatures(makeTestModel(), items(), { out: tmp(), onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(seen.every((p) => p.total === 6)).toBe(true);
    const last = seen[seen.length - 1] as ProgressInfo;
    expect(last.etaSeconds).toBe(0);
    expect(last.rate).toBeGreaterThan(0);
    expect(seen[0]?.etaSeconds).toBe(Infinity);
  });

  test('batches equal-length clips through runBatch with the same numbers', async () => {
    const calls: number[] = [];
    const n = [2000, 2000, 2000, 3000, 3000, 2000];
    const data = n.map((len, k) => ({ id: `c${k}`, samples: testClip(len, k) }));
    const a = tmp();
    const b = tmp();
    await extractFeatures(makeTestModel({ batchCalls: calls }), data, { out: a, batchSize: 2, shardItems: 64 });
    await extractFeatures(makeTestModel(), data, { out: b });
    expect(calls).toEqual([2, 2]);
    expectSameFiles(a, b);
  });
});

describe('extractFeatures, frame stores', () => {
  test('every frame in shards, with an index; framesOf, frames() and shard iteration agree with the closed form', async () => {
    const out = tmp();
    const data = items();
    await extractFeatures(makeTestModel(), data, { out, pooling: 'frames', layers: ['all', 'local'], shardItems: 64, shardFrames: 20 });
    const store = openFeatureStore(out);
    const T = lengths.map((n) => Math.floor(n / HOP));
    expect(store.meta.items.map((it) => it.frames)).toEqual(T);
    const offsets = T.map((_, i) => T.slice(0, i).reduce((s, x) => s + x, 0));
    expect(store.meta.items.map((it) => it.frameOffset)).toEqual(offsets);
    expect(store.meta.totalFrames).toBe(T.reduce((s, x) => s + x, 0));
    // Shards close once they reach 20 frames: [3, 10, 15] -> 28, [1, 24] -> 25, [6] -> 6.
    expect(store.meta.shards.map((s) => [s.firstItem, s.items])).toEqual([
      [0, 3],
      [3, 2],
      [5, 1],
    ]);
    // local.1 has twice the frame rate: its own counts.
    const local = store.meta.layers.find((l) => l.name === 'local.1');
    expect(local?.frameCounts).toEqual(T.map((t) => 2 * t));
    expect(store.meta.layers.find((l) => l.name === 'hidden.0')?.frameCounts).toBeUndefined();

    data.forEach((it, i) => {
      const x = it.samples as Float32Array;
      for (const l of [0, 3]) {
        const m = store.framesOf(it.id, l);
        expect([m.rows, m.cols]).toEqual([T[i], HIDDEN]);
        for (let t = 0; t < m.rows; t++) for (let j = 0; j < HIDDEN; j++) expect(at(m.data, t * HIDDEN + j)).toBeCloseTo(hiddenValue(l, t, j, x), 5);
      }
      const loc = store.framesOf(it.id, 'local.1');
      expect(loc.rows).toBe(2 * at(T, i));
      expect(loc.data[loc.data.length - 1]).toBe(100 + loc.rows - 1 - (LOCAL - 1));
    });

    const whole = store.frames('hidden.1');
    expect([whole.matrix.rows, whole.matrix.cols]).toEqual([store.meta.totalFrames, HIDDEN]);
    expect(whole.index.offsets).toEqual(offsets);
    expect(whole.index.counts).toEqual(T);
    expect(whole.index.shards).toEqual([0, 0, 0, 1, 1, 2]);
    const item4 = store.framesOf('clip4', 1);
    expect(Array.from(whole.matrix.data.subarray(at(offsets, 4) * HIDDEN, (at(offsets, 4) + at(T, 4)) * HIDDEN))).toEqual(Array.from(item4.data));

    const shards = [...store.iterateShards(1)];
    expect(shards.map((s) => s.frames.rows)).toEqual([28, 25, 6]);
    expect(shards.map((s) => s.firstFrame)).toEqual([0, 28, 53]);
    expect(shards[1]?.ids).toEqual(['clip3', 'clip4']);
    expect(shards[1]?.offsets).toEqual([0, 1]);
    const concat = new Float32Array(whole.matrix.data.length);
    let filled = 0;
    for (const s of shards) {
      concat.set(s.frames.data, filled);
      filled += s.frames.data.length;
    }
    expect(Array.from(concat)).toEqual(Array.from(whole.matrix.data));
    expect(store.readShard('hidden.1', 2).ids).toEqual(['clip5']);
    // Each shard is a plain .npy file.
    expect(readNpy(path.join(out, 'layer_01', 'shard_00001.npy')).shape).toEqual([25, HIDDEN]);
    expect(() => store.layer(0)).toThrow(/frame store/);
  });
});

describe('extractFeatures, resume and refusal', () => {
  test('a run that crashes midway resumes from its committed shards and ends byte-identical to a clean run', async () => {
    const data = items();
    const clean = tmp();
    await extractFeatures(makeTestModel(), data, { out: clean, pooling: 'frames', shardItems: 2, shardFrames: 1000 });
    const broken = tmp();
    // Item 4 (7777 samples) crashes: shards [0,1] and [2,3] are committed, item 4's shard is lost.
    await expect(
      extractFeatures(makeTestModel({ failOnLength: 7777 }), data, { out: broken, pooling: 'frames', shardItems: 2, shardFrames: 1000 }),
    ).rejects.toThrow(/item 'clip4'.*simulated crash/);
    expect(fs.existsSync(path.join(broken, 'meta.json'))).toBe(false);
    expect(() => openFeatureStore(broken)).toThrow(/has not finished.*resume/);
    const seen: ProgressInfo[] = [];
    const res = await extractFeatures(makeTestModel(), data, { out: broken, pooling: 'frames', shardItems: 2, shardFrames: 1000, onProgress: (p) => seen.push(p) });
    expect(res.resumed).toBe(4);
    expect(res.computed).toBe(2);
    expect(seen[0]?.done).toBe(4);
    expect(seen[0]?.resumed).toBe(4);
    expectSameFiles(clean, broken);
    // Rerunning a finished store with the same arguments does nothing.
    const again = await extractFeatures(makeTestModel({ failOnLength: 1000 }), data, { out: broken, pooling: 'frames', shardItems: 2, shardFrames: 1000 });
    expect(again.alreadyComplete).toBe(true);
    expect(again.computed).toBe(0);
  });

  test('refuses to mix outputs of runs with a different model, layers, pooling or dataset', async () => {
    const data = items();
    const out = tmp();
    await expect(extractFeatures(makeTestModel({ failOnLength: 5000 }), data, { out, shardItems: 1 })).rejects.toThrow(/simulated crash/);
    await expect(extractFeatures(makeTestModel({ hash: 'b'.repeat(64) }), data, { out, shardItems: 1 })).rejects.toThrow(
      /unfinished extraction made with different arguments \(model hash aaaaaaaaaaaa -> bbbbbbbbbbbb\)/,
    );
    await expect(extractFeatures(makeTestModel(), data, { out, shardItems: 1, layers: [0, 1] })).rejects.toThrow(/layers \[hidden.0, hidden.1, hidden.2, hidden.3\] -> \[hidden.0, hidden.1\]/);
    await expect(extractFeatures(makeTestModel(), data, { out, shardItems: 1, pooling: 'frames' })).rejects.toThrow(/pooling mean -> frames/);
    await expect(extractFeatures(makeTestModel({ normalize: true }), data, { out, shardItems: 1 })).rejects.toThrow(/model normalisation false -> true/);
    // Another dataset with the same options takes over the committed shards up to its first different item.
    const renamed = data.map((d, i) => (i === 2 ? { ...d, id: 'other' } : d));
    const r = await extractFeatures(makeTestModel(), renamed, { out, shardItems: 1 });
    expect([r.resumed, r.computed]).toEqual([2, 4]);
    expect(openFeatureStore(out).itemIds).toEqual(['clip0', 'clip1', 'other', 'clip3', 'clip4', 'clip5']);
    // A finished store is final: other items are refused.
    await expect(extractFeatures(makeTestModel(), data, { out, shardItems: 1 })).rejects.toThrow(/finished feature store made with different arguments.*first difference at position 2: 'other' -> 'clip2'/);
    await expect(extractFeatures(makeTestModel(), renamed.slice(0, 5), { out, shardItems: 1 })).rejects.toThrow(/finished feature store made with different arguments.*6 -> 5 items/);
  });

  test('refuses a non-empty directory that holds no store', async () => {
    const out = tmp();
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await expect(extractFeatures(makeTestModel(), items(), { out })).rejects.toThrow(/is not empty \(notes.txt\)/);
  });
});

describe('extractFeatures, bad input', () => {
  test('corrupt and empty audio files name the file and the item id', async () => {
    const dir = tmp();
    const good = path.join(dir, 'good.wav');
    fs.writeFileSync(good, encodeWav(testClip(3200, 1), 16000));
    const bad = path.join(dir, 'bad.wav');
    fs.writeFileSync(bad, Buffer.from('RIFF\x10\x00\x00\x00WAVEjunkjunk'));
    const empty = path.join(dir, 'empty.wav');
    fs.writeFileSync(empty, Buffer.alloc(0));
    await expect(extractFeatures(makeTestModel(), [{ id: 'g', path: good }, { id: 'b', path: bad }], { out: tmp() })).rejects.toThrow(
      new RegExp(`item 'b' \\(${bad.replace(/[.]/g, '\\.')}\\): .*bad\\.wav`),
    );
    await expect(extractFeatures(makeTestModel(), [{ id: 'e', path: empty }], { out: tmp() })).rejects.toThrow(/item 'e' \(.*empty\.wav\).*empty\.wav/);
    await expect(extractFeatures(makeTestModel(), [{ id: 'z', samples: new Float32Array(0) }], { out: tmp() })).rejects.toThrow(/item 'z': the audio is empty/);
    const nan = testClip(1000, 0);
    nan[10] = NaN;
    await expect(extractFeatures(makeTestModel(), [{ id: 'n', samples: nan }], { out: tmp() })).rejects.toThrow(/item 'n': the audio contains NaN at position 10/);
  });

  test('reads files through loadAudio, resampled to the model rate', async () => {
    const dir = tmp();
    const x = testClip(3200, 2);
    const file = path.join(dir, 'a.wav');
    fs.writeFileSync(file, encodeWav(x, 16000, { bitDepth: 32 }));
    const slow = path.join(dir, 'b.wav');
    fs.writeFileSync(slow, encodeWav(testClip(6400, 3), 32000, { bitDepth: 32 }));
    const out = tmp();
    await extractFeatures(makeTestModel(), [{ id: 'a', path: file, label: 'w' }, { id: 'b', path: slow }], { out, layers: [0] });
    const a = readNpy(path.join(out, 'layer_00.npy'));
    const want = expectedMean(0, x);
    for (let j = 0; j < HIDDEN; j++) expect(at(float32(a.data), j)).toBeCloseTo(at(want, j), 5);
    // 6400 samples at 32 kHz become 3200 at 16 kHz: 10 frames.
    expect(openFeatureStore(out).meta.items.map((it) => [it.numSamples, it.frames])).toEqual([
      [3200, 10],
      [3200, 10],
    ]);
  });

  test('clips shorter than minSamples fail clearly, or are skipped and recorded with skipShort', async () => {
    const data = [...items().slice(0, 2), { id: 'tiny', samples: testClip(399, 9) }, items()[2] as ExtractItem];
    await expect(extractFeatures(makeTestModel(), data, { out: tmp() })).rejects.toThrow(
      /item 'tiny': 399 samples \(0\.0249 s\) is shorter than the model's minimum of 400 samples .*skipShort/,
    );
    const out = tmp();
    await extractFeatures(makeTestModel(), data, { out, skipShort: true, layers: [1] });
    const store = openFeatureStore(out);
    expect(store.itemIds).toEqual(['clip0', 'clip1', 'clip2']);
    expect(store.meta.skipped).toEqual([{ id: 'tiny', reason: expect.stringMatching(/399 samples/) }]);
    expect(store.layer(1).rows).toBe(3);
    const want = expectedMean(1, (data[3] as ExtractItem).samples as Float32Array);
    expect(store.layer(1).data[2 * HIDDEN] as number).toBeCloseTo(at(want, 0), 5);
  });

  test('rejects duplicate ids, unknown layers and bad options', async () => {
    const d = items();
    await expect(extractFeatures(makeTestModel(), [d[0] as ExtractItem, d[0] as ExtractItem], { out: tmp() })).rejects.toThrow(/'clip0' occurs twice/);
    await expect(extractFeatures(makeTestModel(), d, { out: tmp(), layers: [9] })).rejects.toThrow(/no hidden state 9; it offers hidden.0, hidden.1, hidden.2, hidden.3/);
    await expect(extractFeatures(makeTestModel(), d, { out: tmp(), layers: ['ffn'] })).rejects.toThrow(/exposes no 'ffn'/);
    await expect(extractFeatures(makeTestModel(), d, { out: tmp(), shardItems: 0 })).rejects.toThrow(/shardItems must be a positive integer/);
  });
});
