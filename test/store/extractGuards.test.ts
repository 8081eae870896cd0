/**
 * One extraction per output folder: a second run into a folder in use is refused naming the owner (and does not
 * touch the first run's files); a lock left by a process that no longer runs is taken over; a lock from another
 * host is refused with the file to delete; a resume checks that the audio it takes over has not changed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeWav } from '../../src/data/audio/encodeWav';
import { extractFeatures, type ExtractItem } from '../../src/store/extractFeatures';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { at } from '../../src/util/at';
import { LOCK_FILE } from '../../src/util/dirLock';
import { makeTestModel, testClip } from './extractTestModel';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-lock-'));
  dirs.push(d);
  return path.join(d, 'out');
}

const items: ExtractItem[] = Array.from({ length: 6 }, (_, k) => ({ id: `clip${k}`, samples: testClip(3200 + 320 * k, k) }));

test('a second run into a folder in use is refused naming the owner; the first finishes intact', async () => {
  const out = tmp();
  const first = extractFeatures(makeTestModel({ delayMs: 60 }), items, { out, pooling: 'frames', shardItems: 2 });
  // Let the first run take the lock and commit a shard.
  await new Promise((r) => setTimeout(r, 250));
  expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(true);
  const owner = `pid ${process.pid} on ${os.hostname()}`;
  await expect(extractFeatures(makeTestModel(), items, { out, pooling: 'mean' })).rejects.toThrow(new RegExp(`is in use by layerwise extract \\(test-model\\), ${owner}, since `));
  const done = await first;
  expect(done.computed).toBe(6);
  expect(openFeatureStore(out).itemIds).toEqual(items.map((i) => i.id));
  // Released at the end: the finished store holds no lock, and a rerun reuses it.
  expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  expect((await extractFeatures(makeTestModel(), items, { out, pooling: 'frames', shardItems: 2 })).alreadyComplete).toBe(true);
});

test('the lock is released when a run fails, so the rerun resumes', async () => {
  const out = tmp();
  await expect(extractFeatures(makeTestModel({ failOnLength: 3200 + 320 * 3 }), items, { out, shardItems: 2 })).rejects.toThrow(/simulated crash/);
  expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  const r = await extractFeatures(makeTestModel(), items, { out, shardItems: 2 });
  expect([r.resumed, r.computed]).toEqual([2, 4]);
});

test('a lock whose process is gone is taken over; one from another host is refused with the file to delete', async () => {
  const out = tmp();
  fs.mkdirSync(out, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(dead.stdout.toString());
  expect(deadPid).toBeGreaterThan(0);
  const lock = path.join(out, LOCK_FILE);
  fs.writeFileSync(lock, JSON.stringify({ pid: deadPid, host: os.hostname(), started: '2026-01-01T00:00:00.000Z', job: 'layerwise extract (killed)' }));
  expect((await extractFeatures(makeTestModel(), items, { out })).computed).toBe(6);
  expect(fs.existsSync(lock)).toBe(false);

  const other = tmp();
  fs.mkdirSync(other, { recursive: true });
  fs.writeFileSync(path.join(other, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere.example', started: '2026-01-01T00:00:00.000Z', job: 'layerwise extract (remote)' }));
  await expect(extractFeatures(makeTestModel(), items, { out: other })).rejects.toThrow(/is locked by layerwise extract \(remote\), pid 1 on elsewhere\.example.*if it is not running, delete .*\.layerwise\.lock/);
  expect(fs.readdirSync(other)).toEqual([LOCK_FILE]);
});

function wavDataset(dir: string, lengths: readonly number[]): { files: string[]; dataset: ExtractItem[] } {
  fs.mkdirSync(dir, { recursive: true });
  const files = lengths.map((n, k) => {
    const file = path.join(dir, `clip${k}.wav`);
    fs.writeFileSync(file, encodeWav(testClip(n, k), 16000));
    return file;
  });
  return { files, dataset: files.map((file, k) => ({ id: `clip${k}`, path: file })) };
}

const LENGTHS = [3200, 3520, 3840, 4160, 4480, 4800];

test('a resume recomputes from the first shard whose audio changed since the interrupted run', async () => {
  const out = tmp();
  const { files, dataset } = wavDataset(path.join(path.dirname(out), 'audio'), LENGTHS);
  // The first run dies on clip4 after committing the shards of clips 0-1 and 2-3.
  await expect(extractFeatures(makeTestModel({ failOnLength: 4480 }), dataset, { out, shardItems: 2 })).rejects.toThrow(/simulated crash/);
  // The user edits clip2 (same length, other samples, a later modification time) and reruns.
  const { mtime } = fs.statSync(at(files, 2));
  fs.writeFileSync(at(files, 2), encodeWav(testClip(3840, 9), 16000));
  fs.utimesSync(at(files, 2), mtime, new Date(mtime.getTime() + 5000));
  const r = await extractFeatures(makeTestModel(), dataset, { out, shardItems: 2 });
  // Shard 0 (clips 0-1) is taken over, clips 2-5 are computed: the store holds clip2's new features.
  expect([r.resumed, r.computed]).toEqual([2, 4]);
  const fresh = tmp();
  await extractFeatures(makeTestModel(), dataset, { out: fresh, shardItems: 2 });
  expect(Array.from(openFeatureStore(out).layer(0).data)).toEqual(Array.from(openFeatureStore(fresh).layer(0).data));
  // A finished store whose audio changed afterwards is refused, not silently reused.
  fs.utimesSync(at(files, 0), mtime, new Date(mtime.getTime() + 9000));
  await expect(extractFeatures(makeTestModel(), dataset, { out, shardItems: 2 })).rejects.toThrow(/is a finished feature store, but the file of item 'clip0' .* has changed since it was made/);
});

test('skipBad records unreadable files; without it the error names the file and the option; fixed files are recomputed', async () => {
  const out = tmp();
  const { files, dataset } = wavDataset(path.join(path.dirname(out), 'audio'), LENGTHS);
  fs.writeFileSync(at(files, 3), Buffer.from('RIFF\x10\x00\x00\x00WAVEjunk', 'latin1'));
  await expect(extractFeatures(makeTestModel(), dataset, { out, shardItems: 2 })).rejects.toThrow(/item 'clip3' \(.*clip3\.wav\): .*; pass skipBad \(--skip-bad\) to record and skip unreadable files/);
  // The run stopped at clip3; with the bad file fixed (or skipped) the rerun reuses the shard of clips 0-1.
  const skipping = tmp();
  const r = await extractFeatures(makeTestModel(), dataset, { out: skipping, shardItems: 2, skipBad: true });
  expect(r.computed).toBe(6);
  const meta = openFeatureStore(skipping).meta;
  expect(meta.items.map((i) => i.id)).toEqual(['clip0', 'clip1', 'clip2', 'clip4', 'clip5']);
  expect(meta.skipped).toHaveLength(1);
  expect(meta.skipped[0]).toMatchObject({ id: 'clip3', reason: expect.stringMatching(/^unreadable: .*clip3\.wav/) });
  // The first run (no skipBad) left an unfinished store: removing the bad item from the dataset keeps its shards.
  const without = dataset.filter((d) => d.id !== 'clip3');
  const again = await extractFeatures(makeTestModel(), without, { out, shardItems: 2 });
  expect([again.resumed, again.computed]).toEqual([2, 3]);
  expect(openFeatureStore(out).itemIds).toEqual(['clip0', 'clip1', 'clip2', 'clip4', 'clip5']);
});

test("a .partial/ folder the run did not create is never deleted; a killed assembly's temporaries are", async () => {
  const out = tmp();
  fs.mkdirSync(path.join(out, '.partial'), { recursive: true });
  fs.writeFileSync(path.join(out, '.partial', 'notes.txt'), 'mine');
  await expect(extractFeatures(makeTestModel(), items, { out })).rejects.toThrow(/holds a \.partial\/ folder that no layerwise extraction started \(no run\.json in it\)/);
  expect(fs.readFileSync(path.join(out, '.partial', 'notes.txt'), 'utf8')).toBe('mine');

  const other = tmp();
  await expect(extractFeatures(makeTestModel({ failOnLength: 3200 + 320 * 4 }), items, { out: other, shardItems: 2 })).rejects.toThrow(/simulated crash/);
  // What a run killed while writing the final layer files leaves beside the store.
  const leftover = path.join(other, '.layer_00.npy.4242.1.tmp');
  fs.writeFileSync(leftover, Buffer.alloc(4096));
  const r = await extractFeatures(makeTestModel(), items, { out: other, shardItems: 2 });
  expect(r.resumed).toBe(4);
  expect(fs.existsSync(leftover)).toBe(false);
  expect(fs.readdirSync(other).sort()).toEqual(['layer_00.npy', 'layer_01.npy', 'layer_02.npy', 'layer_03.npy', 'meta.json']);
});
