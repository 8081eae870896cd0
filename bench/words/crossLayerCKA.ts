/**
 * Seed 002's experiment at full size: linear CKA between every layer of a 24-layer, 1024-wide model and every
 * layer of a 12-layer, 768-wide one over 20,000 word occurrences, layerwise (`crossLayerMatrix`, the kernel of
 * `compareWordLayers`) against NumPy (bench/words/crossLayerCKA.py) in one run on the same .npy files.
 *
 *   npm run bench:words
 *     (= tsc -p bench/words/tsconfig.json && node bench/out/words-build/bench/words/crossLayerCKA.js)
 *   node bench/out/words-build/bench/words/crossLayerCKA.js --n 2000 --la 4 --lb 3   # smaller
 *
 * Timed on our side: `crossLayerMatrix(A, B, 'linearCKA')` from layers in memory (loading is not timed on either
 * side). Results: bench/out/words/results.json and a markdown table on stdout.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readNpy } from '../../src/data/io/readNpy';
import { crossLayerMatrix } from '../../src/kernels/layerMatrix';
import type { Matrix } from '../../src/matrix';
import { writeBenchSummary } from '../../src/util/benchSummary';
import { describeMachineState, machineState } from '../../src/util/machineState';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const n = arg('n', 20000);
const la = arg('la', 24);
const da = arg('da', 1024);
const lb = arg('lb', 12);
const db = arg('db', 768);
const threads = arg('threads', os.availableParallelism());
const REPO = path.join(__dirname, '../../../../..');
const PEER = path.join(REPO, 'bench', 'words', 'crossLayerCKA.py');

function python(args: readonly string[]): string {
  const r = spawnSync('/usr/bin/python3', [PEER, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
  });
  if (r.status !== 0) throw new Error(`python peer failed: ${r.stderr}`);
  return r.stdout;
}

function load(dir: string, prefix: string): Matrix<Float32Array>[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`))
    .sort()
    .map((f) => {
      const a = readNpy(path.join(dir, f));
      if (!(a.data instanceof Float32Array) || a.shape.length !== 2) throw new Error(`${f}: expected a float32 matrix`);
      return { rows: a.shape[0] ?? 0, cols: a.shape[1] ?? 0, data: a.data };
    });
}

function maxAbsDiff(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - (b[i]?.[j] ?? NaN))))));
  return m;
}

async function main(): Promise<void> {
  const start = machineState();
  console.error(`bench/words: ${describeMachineState(start)}`);
  const dir = path.join(REPO, 'bench', 'out', 'words', `${la}x${da}_${lb}x${db}_${n}`);
  if (!fs.existsSync(path.join(dir, `B_${String(lb - 1).padStart(2, '0')}.npy`))) {
    console.error(`generating ${la} x [${n}, ${da}] and ${lb} x [${n}, ${db}] float32 (NumPy, seed 2026) ...`);
    python(['make', dir, String(n), String(la), String(da), String(lb), String(db)]);
  }
  const A = load(dir, 'A');
  const B = load(dir, 'B');
  // Warm-up: build and load the product graphs on a small input, so session creation is not timed.
  const head = (m: Matrix<Float32Array>): Matrix<Float32Array> => ({ rows: 500, cols: m.cols, data: m.data.subarray(0, 500 * m.cols) });
  await crossLayerMatrix(A.slice(0, 1).map(head), B.slice(0, 1).map(head), 'linearCKA');
  console.error(`layerwise: ${la} x ${lb} linear CKA ...`);
  const t = performance.now();
  const ours = await crossLayerMatrix(A, B, 'linearCKA');
  const oursS = (performance.now() - t) / 1000;
  console.error(`  ${oursS.toFixed(2)} s; NumPy peer ...`);
  A.length = 0;
  B.length = 0;
  const peer = JSON.parse(python(['peer', dir]).trim().split('\n').pop() ?? '{}') as { once_s: number; once: number[][]; seed_s?: number; seed?: number[][] };
  const flops = 2 * n * (la * lb * da * db + la * da * da + lb * db * db);
  const results = {
    machine: { cpus: os.cpus().length, threads, start, end: machineState() },
    shape: { n, A: [la, da], B: [lb, db] },
    layerwise_s: oursS,
    gflops_per_s: flops / oursS / 1e9,
    peer: { once_s: peer.once_s, seed_s: peer.seed_s },
    ratios: { vs_numpy_once: oursS / peer.once_s, vs_seed_loop: peer.seed_s === undefined ? null : oursS / peer.seed_s },
    agreement: { vs_once: maxAbsDiff(ours.values, peer.once), vs_seed: peer.seed === undefined ? null : maxAbsDiff(ours.values, peer.seed) },
    range: [Math.min(...ours.values.flat()), Math.max(...ours.values.flat())],
  };
  fs.writeFileSync(path.join(REPO, 'bench', 'out', 'words', 'results.json'), JSON.stringify(results, null, 2));
  const task = `cross-model linear CKA, ${la} x [${n}, ${da}] vs ${lb} x [${n}, ${db}]`;
  writeBenchSummary(path.join(REPO, 'bench', 'out', 'words'), {
    bench: 'words',
    command: 'npm run bench:words',
    start,
    end: results.machine.end,
    rows: [
      ...(results.ratios.vs_seed_loop === null ? [] : [{ task, against: 'NumPy seed loop (feature_space_linear_cka)', ratio: results.ratios.vs_seed_loop, better: 'lower' as const, target: 1 }]),
      { task, against: 'NumPy, per-layer work once', ratio: results.ratios.vs_numpy_once, better: 'lower' },
    ],
  });
  console.log(`| task (${la} x [${n}, ${da}] vs ${lb} x [${n}, ${db}], float32) | layerwise s | peer | peer s | ratio (ours / peer) |`);
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| linear CKA, every layer pair | ${oursS.toFixed(2)} | NumPy, per-layer work once, ${la * lb} cross products | ${peer.once_s.toFixed(2)} | ${results.ratios.vs_numpy_once.toFixed(2)} |`);
  if (peer.seed_s !== undefined) console.log(`| linear CKA, every layer pair | ${oursS.toFixed(2)} | NumPy seed loop (feature_space_linear_cka, ${la * lb} calls) | ${peer.seed_s.toFixed(2)} | ${(oursS / peer.seed_s).toFixed(2)} |`);
  console.log(`ours ${results.gflops_per_s.toFixed(0)} GFLOP/s; agreement ${JSON.stringify(results.agreement)}; CKA range ${results.range.map((v) => v.toFixed(3)).join('..')}`);
  console.log(`start: ${describeMachineState(start)}\nend:   ${describeMachineState(results.machine.end)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
