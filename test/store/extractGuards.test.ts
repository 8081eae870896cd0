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

test('a resume refuses to take over features of a file that changed since the interrupted run', async () => {
  const out = tmp();
  const audio = path.join(path.dirname(out), 'audio');
  fs.mkdirSync(audio);
  const lengths = [3200, 3520, 3840, 4160, 4480, 4800];
  const files = lengths.map((n, k) => {
    const file = path.join(audio, `clip${k}.wav`);
    fs.writeFileSync(file, encodeWav(testClip(n, k), 16000));
    return file;
  });
  const dataset: ExtractItem[] = files.map((file, k) => ({ id: `clip${k}`, path: file }));
  // The first run dies on clip4 after committing the shards of clips 0-3.
  await expect(extractFeatures(makeTestModel({ failOnLength: 4480 }), dataset, { out, shardItems: 2 })).rejects.toThrow(/simulated crash/);
  const original = fs.readFileSync(at(files, 1));
  const { mtime } = fs.statSync(at(files, 1));
  // The user edits clip1 (same length, other samples, a later modification time) and reruns.
  fs.writeFileSync(at(files, 1), encodeWav(testClip(3520, 9), 16000));
  fs.utimesSync(at(files, 1), mtime, new Date(mtime.getTime() + 5000));
  await expect(extractFeatures(makeTestModel(), dataset, { out, shardItems: 2 })).rejects.toThrow(
    /item 'clip1' \(.*clip1\.wav\) changed \(size \d+ -> \d+ bytes, modified .* -> .*\) since the interrupted run stored its features/,
  );
  fs.rmSync(at(files, 1));
  await expect(extractFeatures(makeTestModel(), dataset, { out, shardItems: 2 })).rejects.toThrow(/item 'clip1' \(.*\) is gone since the interrupted run/);
  // Restored as it was: the rerun takes over clips 0-3 and computes the rest.
  fs.writeFileSync(at(files, 1), original);
  fs.utimesSync(at(files, 1), mtime, mtime);
  const r = await extractFeatures(makeTestModel(), dataset, { out, shardItems: 2 });
  expect([r.resumed, r.computed]).toEqual([4, 2]);
  expect(openFeatureStore(out).meta.items.map((i) => i.source?.size)).toEqual(files.map((f) => fs.statSync(f).size));
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
