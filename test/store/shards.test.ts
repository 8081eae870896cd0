/**
 * Sharded extraction: N shard stores merged give, file for file and byte for byte, the store one process writes
 * (mean and frame stores, several store shards each, a skipped item); the plan balances audio time; the merge
 * refuses missing, repeated, unfinished and foreign shards; the CLI reads --shard or SLURM's array variables.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as extractCli } from '../../src/cli/extract';
import { run as mergeCli } from '../../src/cli/merge';
import { run as planCli } from '../../src/cli/plan';
import { encodeWav } from '../../src/data/audio/encodeWav';
import { loadModel } from '../../src/model/loadModel';
import type { SpeechModel } from '../../src/model/SpeechModel';
import { extractFeatures, type ExtractItem } from '../../src/store/extractFeatures';
import { mergeFeatureStores } from '../../src/store/mergeFeatureStores';
import { itemSeconds, parseShard, planShards } from '../../src/store/planShards';
import { withEnv } from '../withEnv';

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]))
    .sort();
}

function expectSameTree(a: string, b: string): void {
  expect(files(b)).toEqual(files(a));
  for (const f of files(a)) expect({ f, same: fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))) }).toEqual({ f, same: true });
}

describe('sharded extraction', () => {
  let tmp: string;
  let model: SpeechModel;
  let items: ExtractItem[];
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-shards-'));
    model = await loadModel('demo:wav2vec2-tiny-random');
    const data = path.join(tmp, 'data');
    fs.mkdirSync(data);
    items = [];
    for (let i = 0; i < 14; i++) {
      // lengths from 0.3 to 1.6 s, so the plan has something to balance; item 9 is too short for a frame
      const n = i === 9 ? 200 : 4800 + ((i * 7919) % 11) * 1600;
      const x = new Float32Array(n).map((_, t) => 0.3 * Math.sin((2 * Math.PI * (150 + 20 * i) * t) / 16000));
      const file = path.join(data, `clip${i}.wav`);
      fs.writeFileSync(file, encodeWav(x, 16000));
      items.push({ id: `clip${i}`, path: file, label: `w${i % 3}` });
    }
  }, 120_000);
  afterAll(async () => {
    await model.release();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('plans shards of near-equal audio, deterministically, every item once', () => {
    const seconds = items.map((it) => itemSeconds(it));
    expect(seconds[0]).toBeCloseTo(0.3, 6);
    expect(seconds[9]).toBeCloseTo(200 / 16000, 6);
    const plan = planShards(items, 3);
    expect(plan.flatMap((p) => p.positions).sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
    for (const p of plan) expect(p.positions).toEqual([...p.positions].sort((a, b) => a - b));
    const loads = plan.map((p) => p.seconds);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...seconds));
    expect(planShards(items, 3)).toEqual(plan);
    expect(() => planShards(items.slice(0, 2), 3)).toThrow('3 shards for 2 items');
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(undefined, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 1, count: 4 });
    expect(parseShard(undefined, {})).toBeUndefined();
    expect(() => parseShard('4/4')).toThrow('--shard must be I/N with 0 <= I < N');
  });

  it.each(['mean', 'frames'] as const)('%s stores: the merged shards are the single run, byte for byte', async (pooling) => {
    const opts = { pooling, layers: ['hidden.0', 'hidden.3', 'local.2'], shardItems: 3, shardFrames: 60, skipShort: true };
    const single = path.join(tmp, pooling, 'single');
    await extractFeatures(model, items, { ...opts, out: single });
    const shardDirs: string[] = [];
    for (let k = 2; k >= 0; k--) {
      const dir = path.join(tmp, pooling, `shard-${k}`);
      await extractFeatures(model, items, { ...opts, out: dir, shard: { index: k, count: 3 } });
      shardDirs.push(dir);
    }
    const merged = path.join(tmp, pooling, 'merged');
    const r = mergeFeatureStores(shardDirs, merged);
    expect(r.meta.skipped.map((s) => s.id)).toEqual(['clip9']);
    expectSameTree(single, merged);
    // a second merge finds the finished store
    expect(mergeFeatureStores(shardDirs, merged).alreadyComplete).toBe(true);
  }, 300_000);

  it('refuses missing, repeated, unfinished and foreign shards, naming them', async () => {
    const base = path.join(tmp, 'mean');
    const dirs = [0, 1, 2].map((k) => path.join(base, `shard-${k}`));
    expect(() => mergeFeatureStores(dirs.slice(0, 2), path.join(tmp, 'm1'))).toThrow('shards 2 of 3 are missing (given: 0, 1)');
    expect(() => mergeFeatureStores([dirs[0] ?? '', dirs[0] ?? '', dirs[1] ?? ''], path.join(tmp, 'm2'))).toThrow(`shard 0 is given twice: ${dirs[0]} and ${dirs[0]}`);
    expect(() => mergeFeatureStores([path.join(base, 'single')], path.join(tmp, 'm3'))).toThrow('not the store of a shard');
    // another run: different layers
    const other = path.join(tmp, 'other-0');
    await extractFeatures(model, items, { pooling: 'mean', layers: ['hidden.1'], out: other, shard: { index: 0, count: 3 }, skipShort: true });
    expect(() => mergeFeatureStores([other, dirs[1] ?? '', dirs[2] ?? ''], path.join(tmp, 'm4'))).toThrow(/is shard 1\/3 of another run than .*other-0/);
    // an unfinished shard: its meta.json not written yet
    const unfinished = path.join(tmp, 'unfinished');
    fs.cpSync(dirs[2] ?? '', unfinished, { recursive: true });
    fs.renameSync(path.join(unfinished, 'meta.json'), path.join(unfinished, 'meta.json.bak'));
    fs.mkdirSync(path.join(unfinished, '.partial'));
    fs.writeFileSync(path.join(unfinished, '.partial', 'run.json'), '{}');
    expect(() => mergeFeatureStores([dirs[0] ?? '', dirs[1] ?? '', unfinished], path.join(tmp, 'm5'))).toThrow(/has not finished/);
  }, 120_000);

  it('the CLI: plan prints the split, extract takes --shard or SLURM_ARRAY_TASK_ID/COUNT, merge joins', async () => {
    const manifest = path.join(tmp, 'manifest.csv');
    fs.writeFileSync(manifest, `id,path,label\n${items.map((it) => `${it.id},${it.path ?? ''},${it.label ?? ''}`).join('\n')}\n`);
    const out: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await planCli(['--data', manifest, '--shards', '2'])).toBe(0);
      const table = out.join('').trim().split('\n');
      expect(table[0]).toBe('shard\titems\taudio seconds\tshare');
      const plan = planShards(items, 2);
      expect(table.slice(1, 3).map((l) => l.split('\t').slice(0, 3))).toEqual(plan.map((p) => [String(p.index), String(p.positions.length), p.seconds.toFixed(1)]));
      const common = ['--model', 'demo:wav2vec2-tiny-random', '--data', manifest, '--layers', '0,2', '--skip-short', '--no-progress'];
      expect(await extractCli([...common, '--out', path.join(tmp, 'cli', 'single')])).toBe(0);
      expect(await extractCli([...common, '--shard', '0/2', '--out', path.join(tmp, 'cli', 's0')])).toBe(0);
      await withEnv({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' }, async () => expect(await extractCli([...common, '--out', path.join(tmp, 'cli', 's1')])).toBe(0));
      expect(await mergeCli([path.join(tmp, 'cli', 's1'), path.join(tmp, 'cli', 's0'), '--out', path.join(tmp, 'cli', 'merged')])).toBe(0);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expectSameTree(path.join(tmp, 'cli', 'single'), path.join(tmp, 'cli', 'merged'));
  }, 300_000);
});
