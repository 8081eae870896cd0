/**
 * Layer-matrix similarity, layerwise (onnxruntime engine) against NumPy / PyTorch, in one run, on the
 * same inputs: 13 layers x 10,000 items x 768 float32 (seeded, written as .npy for the Python side).
 *
 *   npm run bench:kernels:similarity
 *     (= tsc -p bench/kernels/similarity.tsconfig.json && node bench/out/similarity-build/bench/kernels/similarity.js)
 *   node bench/out/similarity-build/bench/kernels/similarity.js --n 10000 --d 768 --layers 13 --k 10
 *
 * Timed: `layerMatrix(layers, 'linearCKA')` and `layerMatrix(layers, 'mutualKNN', {k})` (normalised rows,
 * the default), against the peers in bench/kernels/similarity.py. The matrices of both sides are compared
 * in the same run. Results: bench/out/similarity/results.json and a markdown table on stdout.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpy } from '../../src/data/io/writeNpy';
import { crossProduct } from '../../src/kernels/engine/products';
import { layerMatrix } from '../../src/kernels/layerMatrix';
import type { Matrix } from '../../src/matrix';
import { Random } from '../../src/random';
import { at } from '../../src/util/at';
import { writeBenchSummary } from '../../src/util/benchSummary';
import { describeMachineState, machineState } from '../../src/util/machineState';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const n = arg('n', 10000);
const d = arg('d', 768);
const L = arg('layers', 13);
const k = arg('k', 10);
const threads = arg('threads', os.availableParallelism());
const seed = 2025;

/**
 * Layers with shared structure, like a network's: layer l = Z A_l + noise, Z a 64-dimensional latent per
 * item, A_l drifting with depth, plus per-feature offsets (so centring matters).
 */
function makeLayers(): Matrix<Float32Array>[] {
  const rng = new Random(seed);
  const r = 64;
  const Z = new Float64Array(n * r);
  for (let t = 0; t < Z.length; t++) Z[t] = rng.normal();
  let A = new Float64Array(r * d);
  for (let t = 0; t < A.length; t++) A[t] = rng.normal() / Math.sqrt(r);
  const layers: Matrix<Float32Array>[] = [];
  for (let l = 0; l < L; l++) {
    const next = new Float64Array(r * d);
    for (let t = 0; t < A.length; t++) next[t] = 0.85 * (A[t] as number) + 0.5 * rng.normal() / Math.sqrt(r);
    A = next;
    const offset = Float64Array.from({ length: d }, () => 2 * rng.normal());
    const X = new Float32Array(n * d);
    const noise = 0.3 + 0.05 * l;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let q = 0; q < r; q++) s += (Z[i * r + q] as number) * (A[q * d + j] as number);
        X[i * d + j] = s + noise * rng.normal() + (offset[j] as number);
      }
    }
    layers.push({ rows: n, cols: d, data: X });
  }
  return layers;
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - ((b[i] as number[])[j] as number))))));
  return m;
}

async function main(): Promise<void> {
  const outDir = path.join(__dirname, '../../../../out/similarity');
  fs.mkdirSync(outDir, { recursive: true });
  const start = machineState();
  console.error(`bench/kernels/similarity: ${describeMachineState(start)}`);
  console.error(`generating ${L} layers of [${n}, ${d}] float32 (seed ${seed}) ...`);
  const layers = makeLayers();
  // the peer reads every layer file in the folder: none may be left from a run of another size
  for (const f of fs.readdirSync(outDir)) if (/^layer_\d+\.npy$/.test(f)) fs.rmSync(path.join(outDir, f));
  layers.forEach((X, l) => writeNpy(path.join(outDir, `layer_${String(l).padStart(2, '0')}.npy`), { data: X.data, shape: [n, d] }));

  // warm-up: build and load the graphs once on a small input so session creation is not timed
  const small = layers.map((X) => ({ rows: 200, cols: d, data: X.data.subarray(0, 200 * d) }));
  await layerMatrix(small.slice(0, 2), 'linearCKA');
  await layerMatrix(small.slice(0, 2), 'mutualKNN', { k });

  // The GEMM bound in this run: the layer matrix's 91 products (the upper triangle, diagonal included) as bare
  // `crossProduct` calls of [n, d]^T [n, d] on the same layers, timed around the layer matrix itself, twice
  // each, alternating (bound, matrix, bound, matrix); the faster of each is kept. One product timed alone
  // swings by 30 % with the machine's moment; the sum over 91 does not.
  const products = (L * (L + 1)) / 2;
  const boundRun = async (): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < L; i++) {
      for (let j = i; j < L; j++) await crossProduct(at(layers, i), at(layers, j));
    }
    return (performance.now() - t0) / 1000;
  };
  const boundS: number[] = [];
  const ckaRuns: number[] = [];
  let cka: Awaited<ReturnType<typeof layerMatrix>> | undefined;
  for (let round = 0; round < 2; round++) {
    const b = await boundRun();
    boundS.push(b);
    console.error(`GEMM bound, ${products} bare products: ${b.toFixed(2)} s (${((products * 2 * n * d * d) / b / 1e9).toFixed(0)} GFLOP/s)`);
    const t0 = performance.now();
    cka = await layerMatrix(layers, 'linearCKA');
    const c = (performance.now() - t0) / 1000;
    ckaRuns.push(c);
    console.error(`layerwise linearCKA layer matrix: ${c.toFixed(2)} s`);
  }
  if (cka === undefined) throw new Error('no CKA run');
  const bound = Math.min(...boundS);
  const ckaS = Math.min(...ckaRuns);
  console.error(`  linearCKA: ${(ckaS / bound).toFixed(2)}x the GEMM bound of this run`);
  if (process.argv.includes('--cka-only')) return;
  let t = performance.now();
  console.error(`  ${ckaS.toFixed(2)} s; mutualKNN layer matrix ...`);
  t = performance.now();
  const knn = await layerMatrix(layers, 'mutualKNN', { k });
  const knnS = (performance.now() - t) / 1000;
  console.error(`  ${knnS.toFixed(2)} s; NumPy/torch peer ...`);

  const py = spawnSync('/usr/bin/python3', [path.join(__dirname, '../../../../../bench/kernels/similarity.py'), outDir, String(k), String(threads)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
  });
  if (py.status !== 0) throw new Error(`python peer failed: ${py.stderr}`);
  const peer = JSON.parse(py.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number & number[][]>;
  const knnPeer = Math.min(peer['knn_numpy_s'] as number, peer['knn_torch_s'] as number);
  const results = {
    machine: { cpus: os.cpus().length, threads, start, end: machineState() },
    gemmBound: { products, seconds: boundS, gflops: boundS.map((b) => (products * 2 * n * d * d) / b / 1e9), linearCKA_s: ckaRuns, ratio: ckaS / bound },
    shape: { layers: L, n, d, k },
    layerwise: { linearCKA_s: ckaS, mutualKNN_s: knnS },
    peer: {
      cka_seed_s: peer['cka_seed_s'],
      cka_once_s: peer['cka_once_s'],
      knn_numpy_s: peer['knn_numpy_s'],
      knn_torch_s: peer['knn_torch_s'],
    },
    ratios: {
      linearCKA_vs_seed_loop: ckaS / (peer['cka_seed_s'] as number),
      linearCKA_vs_numpy_once: ckaS / (peer['cka_once_s'] as number),
      mutualKNN_vs_fastest_peer: knnS / knnPeer,
      mutualKNN_vs_numpy_argpartition: knnS / (peer['knn_numpy_s'] as number),
      mutualKNN_vs_torch_topk: knnS / (peer['knn_torch_s'] as number),
    },
    agreement: {
      cka_max_abs_diff_vs_seed: maxAbsDiff(cka.values, peer['cka_seed'] as number[][]),
      cka_max_abs_diff_vs_once: maxAbsDiff(cka.values, peer['cka_once'] as number[][]),
      knn_max_abs_diff_vs_numpy: maxAbsDiff(knn.values, peer['knn_numpy'] as number[][]),
      knn_max_abs_diff_vs_torch: maxAbsDiff(knn.values, peer['knn_torch'] as number[][]),
    },
  };
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  const size = `${L} layers x ${n.toLocaleString('en')} x ${d}`;
  writeBenchSummary(outDir, {
    bench: 'similarity',
    command: 'npm run bench:kernels:similarity',
    start,
    end: results.machine.end,
    rows: [
      { task: `linear CKA layer matrix, ${size}`, against: `GEMM bound of the same run (${products} bare products)`, ratio: results.gemmBound.ratio, better: 'lower', target: 1.15 },
      { task: `linear CKA layer matrix, ${size}`, against: 'NumPy seed loop (feature_space_linear_cka)', ratio: results.ratios.linearCKA_vs_seed_loop, better: 'lower', target: 1 },
      { task: `linear CKA layer matrix, ${size}`, against: 'NumPy, per-layer work once, upper triangle', ratio: results.ratios.linearCKA_vs_numpy_once, better: 'lower' },
      { task: `mutual kNN layer matrix, k = ${k}, ${size}`, against: 'NumPy argpartition', ratio: results.ratios.mutualKNN_vs_numpy_argpartition, better: 'lower', target: 1 },
      { task: `mutual kNN layer matrix, k = ${k}, ${size}`, against: 'torch.topk (platonic-rep)', ratio: results.ratios.mutualKNN_vs_torch_topk, better: 'lower', target: 1 },
    ],
  });
  const r = results.ratios;
  console.log(`| task (${L} layers x ${n} x ${d}, float32) | layerwise s | peer | peer s | ratio |`);
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| linearCKA layer matrix | ${ckaS.toFixed(2)} | NumPy seed loop (feature_space_linear_cka, L x L) | ${(peer['cka_seed_s'] as number).toFixed(2)} | ${r.linearCKA_vs_seed_loop.toFixed(2)} |`);
  console.log(`| linearCKA layer matrix | ${ckaS.toFixed(2)} | NumPy, per-layer work once, upper triangle | ${(peer['cka_once_s'] as number).toFixed(2)} | ${r.linearCKA_vs_numpy_once.toFixed(2)} |`);
  console.log(`| mutualKNN layer matrix, k = ${k} | ${knnS.toFixed(2)} | NumPy argpartition, kNN once per layer | ${(peer['knn_numpy_s'] as number).toFixed(2)} | ${r.mutualKNN_vs_numpy_argpartition.toFixed(2)} |`);
  console.log(`| mutualKNN layer matrix, k = ${k} | ${knnS.toFixed(2)} | torch.topk, kNN once per layer | ${(peer['knn_torch_s'] as number).toFixed(2)} | ${r.mutualKNN_vs_torch_topk.toFixed(2)} |`);
  console.log(`GEMM bound (${products} bare products, faster of two): ${bound.toFixed(2)} s; layer matrix ${ckaS.toFixed(2)} s = ${results.gemmBound.ratio.toFixed(2)}x`);
  console.log(`agreement: ${JSON.stringify(results.agreement)}`);
  console.log(`start: ${describeMachineState(start)}\nend:   ${describeMachineState(results.machine.end)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
