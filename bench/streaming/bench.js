// Stores larger than memory (bench/README.md, "Beyond one machine"), in one run on this machine:
//   (a) linear CKA between two layers of a frame store read in row blocks (`store.rowBlocks`) against the
//       in-memory path (`store.frames(...).matrix`, then `linearCKA`) on the same 500,000 x 768 store;
//   (b) the row-block path on a 2,000,000 x 768 store (two layers, 12 GiB on disk), with its peak resident memory;
//   (c) 4 shards of `layerwise extract --shard I/4` run at once (--threads 1 each) against one process with
//       --threads 2 on the same clips, and `layerwise merge` of those shards (seconds per GiB merged).
// Each measured step is its own node process under /usr/bin/time -v (peak RSS). The GEMM bound is the three
// d x d products (2 n d^2 flop each) at the float32 Gemm rate measured in the same run.
// Usage: npm run build && node bench/streaming/bench.js [--big 2000000] [--small 500000] [--clips 512] [--skip-shards | --only-shards]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { sh, lastJson, timedNode } = require('../benchUtil');
const { machineState, describeMachineState } = require('../../dist/util/machineState');
const { writeBenchSummary } = require('../../dist/util/benchSummary');

const root = path.join(__dirname, '..', '..');
const dist = path.join(root, 'dist');
const out = path.join(root, 'bench', 'out', 'streaming');
const DIM = 768;
const FRAMES_PER_ITEM = 2000;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A frame store of `frames` rows x 768 in two correlated layers, written through the store writer. */
function makeStore(dir, frames) {
  if (fs.existsSync(path.join(dir, 'meta.json'))) return;
  fs.rmSync(dir, { recursive: true, force: true });
  const { FeatureStoreWriter } = require(path.join(dist, 'store', 'FeatureStoreWriter'));
  const items = Math.ceil(frames / FRAMES_PER_ITEM);
  const options = {
    modelHash: 'bench', sampleRate: 16000, normalize: true, pooling: 'frames', layers: ['hidden.1', 'hidden.2'], padding: null,
    skipShort: false, shardItems: 64, shardFrames: 16384, itemKeys: Array.from({ length: items }, (_, i) => `item${i}`),
  };
  const w = FeatureStoreWriter.open(dir, { model: { id: 'bench', hash: 'bench' }, sampleRate: 16000, frameSeconds: 0.02, options });
  let shard = w.startShard();
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296) - 0.5;
  const basis = Float32Array.from({ length: 64 * DIM }, rand);
  for (let i = 0; i < items; i++) {
    const n = Math.min(FRAMES_PER_ITEM, frames - i * FRAMES_PER_ITEM);
    const a = new Float32Array(n * DIM);
    const b = new Float32Array(n * DIM);
    const z = new Float32Array(64);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < 64; k++) z[k] = rand();
      for (let j = 0; j < DIM; j++) {
        let s = 0;
        for (let k = 0; k < 8; k++) s += z[(j + k) & 63] * basis[k * DIM + j];
        a[r * DIM + j] = s + 0.3 * rand() + 2;
        b[r * DIM + j] = 0.7 * s + 0.5 * rand() - 1;
      }
    }
    shard.add(i, { id: `item${i}`, numSamples: n * 320, frames: n }, [{ rows: n, cols: DIM, data: a }, { rows: n, cols: DIM, data: b }]);
    if (shard.full || i === items - 1) {
      w.commit(shard);
      shard = w.startShard();
    }
  }
  w.finish();
}

async function step(kind, dir) {
  const { openFeatureStore } = require(path.join(dist, 'store', 'FeatureStore'));
  const { linearCKA } = require(path.join(dist, 'kernels', 'linearCKA'));
  const store = openFeatureStore(dir);
  const t0 = performance.now();
  let cka;
  if (kind === 'memory') {
    const a = store.frames('hidden.1').matrix;
    const b = store.frames('hidden.2').matrix;
    cka = await linearCKA(a, b);
  } else {
    cka = await linearCKA(store.rowBlocks('hidden.1'), store.rowBlocks('hidden.2'));
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ kind, rows: store.meta.totalFrames, seconds, cka }));
}

async function gemmRate() {
  const { crossProduct } = require(path.join(dist, 'kernels', 'engine', 'products'));
  const n = 65536;
  const X = { rows: n, cols: DIM, data: Float32Array.from({ length: n * DIM }, (_, k) => Math.sin(k)) };
  await crossProduct(X, X);
  const t0 = performance.now();
  await crossProduct(X, X);
  return (2 * n * DIM * DIM) / ((performance.now() - t0) / 1000);
}

function shardsBench(clips) {
  const cli = path.join(dist, 'cli.js');
  const data = path.join(out, `clips-${clips}`);
  if (!fs.existsSync(path.join(data, 'manifest.csv'))) {
    fs.mkdirSync(data, { recursive: true });
    const { encodeWav } = require(path.join(dist, 'data', 'audio', 'encodeWav'));
    const rows = ['id,path'];
    for (let i = 0; i < clips; i++) {
      const n = 16000 * (2 + (i % 5));
      fs.writeFileSync(path.join(data, `c${i}.wav`), encodeWav(Float32Array.from({ length: n }, (_, t) => 0.2 * Math.sin((t * (90 + i)) / 1600)), 16000));
      rows.push(`c${i},c${i}.wav`);
    }
    fs.writeFileSync(path.join(data, 'manifest.csv'), rows.join('\n') + '\n');
  }
  const common = ['extract', '--model', 'demo:wav2vec2-tiny-synthetic', '--data', path.join(data, 'manifest.csv'), '--pooling', 'frames', '--layers', 'all', '--no-progress'];
  const runDir = path.join(out, 'shards');
  fs.rmSync(runDir, { recursive: true, force: true });
  let t0 = performance.now();
  sh(process.execPath, [cli, ...common, '--threads', '2', '--out', path.join(runDir, 'single')]);
  const single = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const { spawn } = require('node:child_process');
  return Promise.all(
    [0, 1, 2, 3].map(
      (i) =>
        new Promise((resolve, reject) => {
          const c = spawn(process.execPath, [cli, ...common, '--threads', '1', '--shard', `${i}/4`, '--out', path.join(runDir, `shard-${i}`)], { stdio: 'ignore' });
          c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`shard ${i} failed (${code})`))));
        }),
    ),
  ).then(() => {
    const sharded = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    sh(process.execPath, [cli, 'merge', ...[0, 1, 2, 3].map((i) => path.join(runDir, `shard-${i}`)), '--out', path.join(runDir, 'merged')]);
    const merge = (performance.now() - t1) / 1000;
    const bytes = sh('du', ['-sb', path.join(runDir, 'merged')]).stdout.split('\t')[0];
    return { singleSeconds: single, fourShardsSeconds: sharded, ratio: sharded / single, mergeSeconds: merge, mergedGiB: Number(bytes) / 2 ** 30, mergeSecondsPerGiB: merge / (Number(bytes) / 2 ** 30) };
  });
}

async function main() {
  const [, , kind, dir] = process.argv;
  if (kind === 'memory' || kind === 'stream') return step(kind, dir);
  if (kind === 'gemm') return console.log(JSON.stringify({ flops: await gemmRate() }));
  if (process.argv.includes('--only-shards')) return console.log(JSON.stringify({ date: new Date().toISOString(), loadavg: os.loadavg(), shards: await shardsBench(arg('clips', 512)) }, null, 1));
  const big = arg('big', 2000000);
  const small = arg('small', 500000);
  fs.mkdirSync(out, { recursive: true });
  const start = machineState();
  process.stderr.write(`bench/streaming: ${describeMachineState(start)}\n`);
  const smallDir = path.join(out, `store-${small}`);
  const bigDir = path.join(out, `store-${big}`);
  makeStore(smallDir, small);
  makeStore(bigDir, big);
  const flops = lastJson(sh(process.execPath, [__filename, 'gemm']).stdout).flops;
  const mem = timedNode(__filename, ['memory', smallDir]);
  const streamSmall = timedNode(__filename, ['stream', smallDir]);
  const streamBig = timedNode(__filename, ['stream', bigDir]);
  const bound = (rows) => (3 * 2 * rows * DIM * DIM) / flops;
  const result = {
    date: new Date().toISOString(),
    loadavg: os.loadavg().map((v) => Number(v.toFixed(2))),
    gemmGflops: flops / 1e9,
    small: { rows: small, memorySeconds: mem.seconds, memoryRssMiB: mem.maxRssMiB, streamSeconds: streamSmall.seconds, streamRssMiB: streamSmall.maxRssMiB, speedRatio: mem.seconds / streamSmall.seconds, gemmBoundSeconds: bound(small), ckaMemory: mem.cka, ckaStream: streamSmall.cka },
    big: { rows: big, streamSeconds: streamBig.seconds, streamRssMiB: streamBig.maxRssMiB, gemmBoundSeconds: bound(big), cka: streamBig.cka },
  };
  if (!process.argv.includes('--skip-shards')) result.shards = await shardsBench(arg('clips', 512));
  const end = machineState();
  result.machine = { start, end };
  console.log(JSON.stringify(result, null, 1));
  const rows = [
    { task: `linear CKA from row blocks, ${small.toLocaleString('en')} x ${DIM}`, against: 'the same from both layers in memory (speed)', ratio: result.small.speedRatio, better: 'higher', target: 0.8 },
    { task: `linear CKA from row blocks, ${big.toLocaleString('en')} x ${DIM}`, against: 'peak resident memory', ratio: result.big.streamRssMiB / 1024, unit: 'GiB', better: 'lower', target: 2 },
    { task: `linear CKA from row blocks, ${big.toLocaleString('en')} x ${DIM}`, against: 'GEMM bound of the same run', ratio: result.big.streamSeconds / result.big.gemmBoundSeconds, better: 'lower' },
  ];
  if (result.shards !== undefined) rows.push({ task: `extraction in 4 shards at once, ${arg('clips', 512)} clips`, against: 'one process (time)', ratio: result.shards.ratio, better: 'lower' });
  writeBenchSummary(out, { bench: 'streaming', command: 'npm run bench:streaming', start, end, rows });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
