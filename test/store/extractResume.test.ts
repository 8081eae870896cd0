/**
 * Interruption for real: a child process extracting a folder of WAV files is killed (SIGKILL, and SIGINT as
 * Ctrl-C sends it) midway; rerunning the same command must finish the store with exactly the bytes of an
 * uninterrupted run, having recomputed at most one shard.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeWav } from '../../src/data/audio/encodeWav';
import { testClip } from './extractTestModel';
import { expectSameFiles } from './sameFiles';
import { nodeEnv, transpileForNode } from './transpileForNode';

const root = path.resolve(__dirname, '..', '..');
let work: string;
let worker: string;
let data: string;
const N = 18;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-resume-'));
  worker = transpileForNode(path.join(__dirname, 'extractWorker.ts'), root, path.join(work, 'build'));
  data = path.join(work, 'data');
  fs.mkdirSync(data);
  for (let k = 0; k < N; k++) {
    const n = 1000 + ((k * 2731) % 6000);
    fs.writeFileSync(path.join(data, `${'ab'[k % 2]}${String(k).padStart(2, '0')}.wav`), encodeWav(testClip(n, k), 16000));
  }
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function runToEnd(out: string, pooling: string): string {
  const r = spawnSync(process.execPath, [worker, data, out, pooling], { env: nodeEnv(root), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`worker failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Start the worker and send `signal` once `shards` shards are committed; resolves with the shard count seen at the kill. */
function runAndKill(out: string, pooling: string, signal: NodeJS.Signals, shards: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, data, out, pooling], { env: nodeEnv(root), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const partial = path.join(out, '.partial');
    const committed = (): number => (fs.existsSync(partial) ? fs.readdirSync(partial).filter((f) => /^shard_\d+\.json$/.test(f)).length : 0);
    let seen = -1;
    const timer = setInterval(() => {
      const c = committed();
      if (c >= shards && seen < 0) {
        seen = c;
        child.kill(signal);
      }
    }, 5);
    child.on('exit', (code, sig) => {
      clearInterval(timer);
      if (seen < 0) reject(new Error(`worker ended (code ${code}, signal ${sig}) before ${shards} shards were committed: ${stderr}`));
      else resolve(seen);
    });
  });
}

test.each([
  ['mean', 'SIGKILL'],
  ['frames', 'SIGKILL'],
  ['frames', 'SIGINT'],
] as const)('%s store killed with %s resumes and ends byte-identical to an uninterrupted run', async (pooling, signal) => {
  const clean = path.join(work, `clean-${pooling}-${signal}`);
  expect(runToEnd(clean, pooling)).toMatch(/done computed=18 resumed=0/);

  const out = path.join(work, `killed-${pooling}-${signal}`);
  const committedAtKill = await runAndKill(out, pooling, signal, 2);
  expect(fs.existsSync(path.join(out, 'meta.json'))).toBe(false);
  // What survived the kill: the committed shard records and the dataset positions they cover.
  const records = fs
    .readdirSync(path.join(out, '.partial'))
    .filter((f) => /^shard_\d+\.json$/.test(f))
    .map((f) => JSON.parse(fs.readFileSync(path.join(out, '.partial', f), 'utf8')) as { positions: number });
  expect(records.length).toBeGreaterThanOrEqual(committedAtKill);
  const covered = records.reduce((s, r) => s + r.positions, 0);
  const stdout = runToEnd(out, pooling);
  const m = /done computed=(\d+) resumed=(\d+)/.exec(stdout);
  expect(m).not.toBeNull();
  // The rerun takes over every committed shard and computes only the rest.
  expect(Number(m?.[2])).toBe(covered);
  expect(Number(m?.[1])).toBe(N - covered);
  expect(covered).toBeGreaterThan(0);
  expect(covered).toBeLessThan(N);
  expectSameFiles(clean, out);
});
