/**
 * SAE training throughput, layerwise (onnxruntime graphs) against PyTorch CPU, in one run:
 * d = 768, 8x expansion (6144 latents), batch 4096, relu-l1 (the seed's architecture and loss), Adam.
 * Both sides start from the same initial weights (written here with `initSAEWeights`) and see the same
 * batches (row indices into one seeded pool of planted-sparse-dictionary frames), so their loss curves must
 * agree up to float32 rounding.
 *
 *   npm run bench:sae            (= tsc -p bench/sae/tsconfig.json && node bench/out/sae-build/bench/sae/trainStep.bench.js)
 *   node bench/out/sae-build/bench/sae/trainStep.bench.js --steps 200 --threads 2 --steps-per-run 4
 *
 * Also measured in the same run: a bare onnxruntime float32 MatMul of the step's shape (the machine's
 * matrix-multiply peak as onnxruntime reaches it) and torch's bare matmul rate. Results go to
 * bench/out/sae/results.json and a markdown table to stdout.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Session, tensor, type TensorValue } from '../../src/backend/ort';
import { writeNpy } from '../../src/data/io/writeNpy';
import { GraphBuilder } from '../../src/onnx/GraphBuilder';
import { graphSession } from '../../src/onnx/graphSession';
import { Random } from '../../src/random';
import { initSAEWeights } from '../../src/sae/initSAEWeights';
import { SAETrainer } from '../../src/sae/SAETrainer';
import { encodeSafetensors, type NamedTensor } from '../../src/checkpoint/safetensors';
import { buildTrainStepGraph, PER_STEP_SCALARS, STEP_PARAMS, STEP_SCALARS, stepValueName } from '../../src/sae/trainStepGraph';
import { writeBenchSummary } from '../../src/util/benchSummary';
import { describeMachineState, machineState } from '../../src/util/machineState';
import { repoRoot } from '../record';
import { at, atI32 } from '../../src/util/at';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const d = 768;
const L = 8 * d;
const B = arg('batch', 4096);
const steps = arg('steps', 200);
const threads = arg('threads', 2);
const poolFrames = arg('pool', 8 * B);
// as trainSAE runs them by default: consecutive steps per graph run (its `stepsPerRun`)
const stepsPerRun = arg('steps-per-run', 4);
const lr = 1e-4;
const l1 = 3;
const seed = 2024;
const flopsPerStep = 5 * 2 * B * d * L; // forward: 2 GEMMs; backward: dW_d, dF, dW_e

/** Frames = sparse non-negative combinations of unit atoms plus a little noise (seeded). */
function plantedPool(): Float32Array {
  const rng = new Random(seed);
  const atoms = 2 * L;
  const A = new Float32Array(atoms * d);
  for (let a = 0; a < atoms; a++) {
    let n = 0;
    for (let j = 0; j < d; j++) {
      const v = rng.normal();
      A[a * d + j] = v;
      n += v * v;
    }
    const s = 1 / Math.sqrt(n);
    for (let j = 0; j < d; j++) A[a * d + j] = (A[a * d + j] as number) * s;
  }
  const X = new Float32Array(poolFrames * d);
  for (let i = 0; i < poolFrames; i++) {
    const row = X.subarray(i * d, (i + 1) * d);
    for (let j = 0; j < d; j++) row[j] = 0.05 * rng.normal();
    for (const a of rng.sample(atoms, 16)) {
      const c = 0.5 + 2 * rng.uniform();
      for (let j = 0; j < d; j++) row[j] = (row[j] as number) + c * (A[a * d + j] as number);
    }
  }
  return X;
}

async function matmulPeak(): Promise<number> {
  // [B, L] x [L, d]: the decoder product of the step, with a small output so copying it back costs little.
  const s = await graphSession(`bench-matmul-${B}`, () => {
    const g = new GraphBuilder('peak');
    const a = g.input('A', 'float32', [B, L]);
    const b = g.input('B', 'float32', [L, d]);
    g.output(g.op('MatMul', [a, b]), 'C', 'float32', [B, d]);
    return g.toBytes();
  }, { threads });
  const rng = new Random(1);
  const A = tensor('float32', Float32Array.from({ length: B * L }, () => rng.normal()), [B, L]);
  const Bm = tensor('float32', Float32Array.from({ length: L * d }, () => rng.normal()), [L, d]);
  for (let i = 0; i < 2; i++) await s.run({ A, B: Bm });
  const reps = 5;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await s.run({ A, B: Bm });
  return (2 * B * L * d * reps) / ((performance.now() - t0) / 1000) / 1e9;
}

interface StepProfile {
  /** Mean over the profiled runs, ms: the whole session run, its Gemm nodes, every other node. */
  readonly runMs: number;
  readonly productsMs: number;
  readonly otherNodesMs: number;
  /** The five products of a step one by one (op and output shape: ms per step), in graph order. */
  readonly products: readonly { readonly node: string; readonly ms: number; readonly shape: string }[];
  /** Other node kinds by time (op: ms), largest first. */
  readonly otherByOp: Readonly<Record<string, number>>;
}

/**
 * Where a step's time goes: the trainer's own step graph (relu-l1, float32, `stepsPerRun` steps per run) run
 * `runs` times in a session with onnxruntime's profiler on, the first two runs dropped; times are per step.
 * Weights are the initial ones, Adam moments zero: the work per step does not depend on their values.
 */
async function profileStep(dir: string, X: Float32Array, w: { encoder: Float32Array; decoder: Float32Array; encoderBias: Float32Array; decoderBias: Float32Array }, runs: number): Promise<StepProfile> {
  const prefix = path.join(dir, 'step-profile');
  for (const f of fs.readdirSync(dir)) if (f.startsWith('step-profile')) fs.rmSync(path.join(dir, f));
  const s = await Session.create(buildTrainStepGraph({ variant: 'relu-l1', type: 'float32', withGrads: false, steps: stepsPerRun }), { threads, profilePrefix: prefix });
  const values: Record<(typeof STEP_PARAMS)[number], [Float32Array, number[]]> = { We: [w.encoder, [L, d]], Wd: [w.decoder, [d, L]], be: [w.encoderBias, [L]], bd: [w.decoderBias, [d]] };
  const feeds: Record<string, TensorValue> = {};
  for (let k = 0; k < stepsPerRun; k++) feeds[stepValueName('X', k, stepsPerRun)] = tensor('float32', X, [B, d]);
  for (const p of STEP_PARAMS) {
    const [data, dims] = values[p];
    feeds[p] = tensor('float32', data, dims);
    feeds[`m_${p}`] = tensor('float32', new Float32Array(data.length), dims);
    feeds[`v_${p}`] = tensor('float32', new Float32Array(data.length), dims);
  }
  const scalar: Record<(typeof STEP_SCALARS)[number], number> = { invB: 1 / B, l1, stepSize: lr, bc2sqrt: 1, beta1: 0.9, omb1: 0.1, beta2: 0.999, omb2: 0.001, eps: 1e-8 };
  const perStep = new Set<string>(PER_STEP_SCALARS);
  for (const k of STEP_SCALARS) {
    const names = perStep.has(k) ? Array.from({ length: stepsPerRun }, (_, j) => stepValueName(k, j, stepsPerRun)) : [k];
    for (const name of names) feeds[name] = tensor('float32', Float32Array.of(scalar[k]), []);
  }
  for (let i = 0; i < runs; i++) await s.run(feeds);
  s.endProfiling();
  await s.release();
  const file = fs.readdirSync(dir).find((f) => f.startsWith('step-profile') && f.endsWith('.json'));
  if (file === undefined) throw new Error(`onnxruntime wrote no profile with prefix ${prefix}`);
  interface TraceEvent { cat?: string; name: string; ts: number; dur: number; args?: { op_name?: string; output_type_shape?: unknown } }
  const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const isEvent = (e: unknown): e is TraceEvent =>
    typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string' && 'ts' in e && typeof e.ts === 'number' && 'dur' in e && typeof e.dur === 'number';
  if (!Array.isArray(parsed)) throw new Error(`${file}: not a list of trace events`);
  const events = parsed.filter(isEvent);
  const modelRuns = events.filter((e) => e.name === 'model_run').sort((a, b) => a.ts - b.ts).slice(2);
  const inKept = (e: TraceEvent): boolean => modelRuns.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const perNode = new Map<string, { op: string; us: number; shape: string }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || !inKept(e)) continue;
    const cur = perNode.get(e.name) ?? { op: e.args?.op_name ?? '?', us: 0, shape: JSON.stringify(e.args?.output_type_shape ?? '') };
    cur.us += e.dur;
    perNode.set(e.name, cur);
  }
  const n = modelRuns.length * stepsPerRun;
  const products: { node: string; ms: number; shape: string }[] = [];
  const otherByOp: Record<string, number> = {};
  let otherNodesMs = 0;
  for (const v of perNode.values()) {
    const ms = v.us / 1000 / n;
    if (v.op === 'Gemm' || v.op === 'FusedGemm' || v.op === 'MatMul') {
      // one entry per product of a step: the same product of each unrolled step adds to it
      const same = products.find((p) => p.node === v.op && p.shape === v.shape);
      if (same === undefined) products.push({ node: v.op, ms, shape: v.shape });
      else same.ms += ms;
    } else {
      otherByOp[v.op] = (otherByOp[v.op] ?? 0) + ms;
      otherNodesMs += ms;
    }
  }
  const sortedOther = Object.fromEntries(Object.entries(otherByOp).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v * 10) / 10]));
  return {
    runMs: modelRuns.reduce((a, r) => a + r.dur, 0) / 1000 / n,
    productsMs: products.reduce((a, p) => a + p.ms, 0),
    otherNodesMs,
    products,
    otherByOp: sortedOther,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const dir = path.join(root, 'bench/out/sae');
  fs.mkdirSync(dir, { recursive: true });
  const start = machineState();
  console.error(`bench/sae: ${describeMachineState(start)}`);
  console.error(`bench/sae: d=${d} latents=${L} batch=${B} steps=${steps} threads=${threads}; writing inputs to ${dir}`);
  const pool = plantedPool();
  const batchRng = new Random(seed + 1);
  const idx = new Int32Array(steps * B);
  for (let s = 0; s < steps; s++) idx.set(batchRng.sample(poolFrames, B), s * B);
  const w0 = initSAEWeights(d, L, 'relu-l1', seed);
  const tensors = new Map<string, NamedTensor>([
    ['encoder.weight', { shape: [L, d], data: w0.encoder }],
    ['decoder.weight', { shape: [d, L], data: w0.decoder }],
    ['encoder_bias', { shape: [L], data: w0.encoderBias }],
    ['decoder_bias', { shape: [d], data: w0.decoderBias }],
  ]);
  fs.writeFileSync(path.join(dir, 'init.safetensors'), encodeSafetensors(tensors));
  writeNpy(path.join(dir, 'pool.npy'), { data: pool, shape: [poolFrames, d] });
  writeNpy(path.join(dir, 'batches.npy'), { data: idx, shape: [steps, B] });

  const peakBefore = await matmulPeak();
  console.error(`onnxruntime bare MatMul: ${peakBefore.toFixed(1)} GFLOP/s`);

  const trainer = new SAETrainer(w0, d, L, { variant: 'relu-l1', threads });
  const ours: number[] = [];
  const ourSeconds: number[] = [];
  const ourCpu: number[] = [];
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  for (let first = 0; first < steps; first += stepsPerRun) {
    const count = Math.min(stepsPerRun, steps - first);
    const t0 = performance.now();
    const c0 = cpuNow();
    const inputs = [];
    for (let s = first; s < first + count; s++) {
      const X = new Float32Array(B * d);
      for (let i = 0; i < B; i++) {
        const r = atI32(idx, s * B + i);
        X.set(pool.subarray(r * d, (r + 1) * d), i * d);
      }
      inputs.push({ X: { rows: B, cols: d, data: X }, lr, l1 });
    }
    const res = await trainer.stepAll(inputs);
    // a run's time is shared equally among its steps
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuNow() - c0;
    for (const r of res) {
      ourSeconds.push(seconds / count);
      ourCpu.push(cpu / count);
      ours.push(r.loss);
    }
    if (first % 20 < count) console.error(`layerwise steps ${first}-${first + count - 1}: loss ${at(res, 0).loss.toFixed(4)} l0 ${at(res, 0).l0.toFixed(1)} ${(seconds / count).toFixed(3)} s per step`);
  }

  console.error('running the PyTorch peer ...');
  const py = spawnSync('/usr/bin/python3', [path.join(root, 'bench/sae/torch_train.py'), dir, String(steps), String(threads), String(lr), String(l1)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (py.status !== 0) throw new Error(`torch_train.py failed (${py.status}): ${py.stderr}`);
  const torchRes = JSON.parse(py.stdout.trim().split('\n').pop() ?? '{}') as { torch: string; threads: number; losses: number[]; seconds: number[]; cpuSeconds: number[]; matmulGflops: number };
  const peakAfter = await matmulPeak();
  const profileX = new Float32Array(B * d);
  for (let i = 0; i < B; i++) {
    const r = atI32(idx, i);
    profileX.set(pool.subarray(r * d, (r + 1) * d), i * d);
  }
  const profile = await profileStep(dir, profileX, w0, 8);
  const end = machineState();

  // Skip the first run of each side (graph/session building, allocator warm-up): the first two steps, or the
  // first graph run when it holds more.
  const warm = Math.min(Math.max(2, stepsPerRun), steps - 1);
  const ourMean = ourSeconds.slice(warm).reduce((a, b) => a + b, 0) / (steps - warm);
  const torchMean = torchRes.seconds.slice(warm).reduce((a, b) => a + b, 0) / (steps - warm);
  // CPU seconds per step (all threads): less sensitive than wall time to other processes on a shared machine.
  const ourCpuMean = ourCpu.slice(warm).reduce((a, b) => a + b, 0) / (steps - warm);
  const torchCpuMean = torchRes.cpuSeconds.slice(warm).reduce((a, b) => a + b, 0) / (steps - warm);
  let maxRel = 0;
  let maxRelStep = 0;
  for (let s = 0; s < steps; s++) {
    const rel = Math.abs((ours[s] as number) - (torchRes.losses[s] as number)) / Math.abs(torchRes.losses[s] as number);
    if (rel > maxRel) {
      maxRel = rel;
      maxRelStep = s;
    }
  }
  const peak = Math.max(peakBefore, peakAfter);
  const results = {
    date: new Date().toISOString(),
    shape: { d, latents: L, batch: B, steps, stepsPerRun, threads, variant: 'relu-l1', lr, l1 },
    layerwise: { stepsPerSecond: 1 / ourMean, medianStepSeconds: median(ourSeconds.slice(warm)), gflops: flopsPerStep / ourMean / 1e9 },
    torch: { version: torchRes.torch, threads: torchRes.threads, stepsPerSecond: 1 / torchMean, medianStepSeconds: median(torchRes.seconds.slice(warm)), gflops: flopsPerStep / torchMean / 1e9, bareMatmulGflops: torchRes.matmulGflops },
    speedup: torchMean / ourMean,
    cpuSecondsPerStep: { layerwise: ourCpuMean, torch: torchCpuMean, ratio: torchCpuMean / ourCpuMean },
    ortBareMatmulGflops: { before: peakBefore, after: peakAfter },
    fractionOfPeak: flopsPerStep / ourMean / 1e9 / peak,
    loss: { first: [ours[0], torchRes.losses[0]], last: [ours[steps - 1], torchRes.losses[steps - 1]], maxRelativeDifference: maxRel, atStep: maxRelStep },
    // Where the step's time goes (onnxruntime's profile of the same graph, 6 runs): the five products, the
    // other nodes (element-wise passes, reductions, Adam), and the rest of a timed step (feeds, output copies).
    profile: { ...profile, outsideGraphMs: 1000 * ourMean - profile.runMs, productsAtPeakMs: (5 * 2 * B * d * L) / (peak * 1e9) * 1000 },
    machine: { start, end },
  };
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ ...results, curves: { layerwise: ours, torch: torchRes.losses } }, null, 1));
  console.log(JSON.stringify(results, null, 1));
  writeBenchSummary(dir, {
    bench: 'sae',
    command: 'npm run bench:sae',
    start,
    end,
    rows: [
      { task: `SAE training step, relu-l1, d ${d}, ${L} latents, batch ${B}`, against: `PyTorch ${torchRes.torch} CPU, steps/s`, ratio: results.speedup, better: 'higher', target: 1.5 },
      { task: `SAE training step, relu-l1, d ${d}, ${L} latents, batch ${B}`, against: 'bare onnxruntime MatMul peak of the same run (fraction)', ratio: results.fractionOfPeak, better: 'higher', target: 0.9 },
    ],
  });
  console.log(`
| | layerwise (onnxruntime ${threads} threads) | PyTorch ${torchRes.torch} CPU (${torchRes.threads} threads) |
| --- | --- | --- |
| steps/s (mean of steps ${warm + 1}-${steps}) | ${(1 / ourMean).toFixed(3)} | ${(1 / torchMean).toFixed(3)} |
| median step | ${results.layerwise.medianStepSeconds.toFixed(3)} s | ${results.torch.medianStepSeconds.toFixed(3)} s |
| achieved GFLOP/s (${(flopsPerStep / 1e9).toFixed(1)} GFLOP/step) | ${results.layerwise.gflops.toFixed(1)} | ${results.torch.gflops.toFixed(1)} |
| CPU seconds per step (all threads) | ${ourCpuMean.toFixed(3)} | ${torchCpuMean.toFixed(3)} |
| bare matmul GFLOP/s | ${peakBefore.toFixed(1)} / ${peakAfter.toFixed(1)} (before / after) | ${torchRes.matmulGflops.toFixed(1)} |

speed-up ${results.speedup.toFixed(2)}x (wall), ${(torchCpuMean / ourCpuMean).toFixed(2)}x (CPU time); layerwise at ${(100 * results.fractionOfPeak).toFixed(0)}% of the onnxruntime MatMul peak;
max relative loss difference over ${steps} steps ${maxRel.toExponential(2)} (step ${maxRelStep});
step profile (${threads} threads): session run ${profile.runMs.toFixed(1)} ms = products ${profile.productsMs.toFixed(1)} ms (at the peak: ${results.profile.productsAtPeakMs.toFixed(1)} ms) + other nodes ${profile.otherNodesMs.toFixed(1)} ms ${JSON.stringify(profile.otherByOp)}; outside the graph ${results.profile.outsideGraphMs.toFixed(1)} ms per step
products: ${profile.products.map((p) => `${p.node} ${p.ms.toFixed(1)} ms ${p.shape}`).join('; ')}
start: ${describeMachineState(start)}
end:   ${describeMachineState(end)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
