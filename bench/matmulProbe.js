// The machine's float32 matrix-multiply rate as onnxruntime-node reaches it on 2 threads: one bare MatMul of
// [4096, 6144] x [6144, 768] (the SAE benchmark's peak shape), one untimed run, then the mean of 3. bench/run-all
// runs it before each benchmark, so every row of the summary table says what kind of machine measured it: the
// ratios against PyTorch and against fixed per-clip costs move with it (2026-12-04: 385 and 170 GFLOP/s on two
// machines that both report "AMD EPYC" with 2 cores).
// Usage: node bench/matmulProbe.js     (prints {"gflops": ...}; needs npm run build)
'use strict';
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const { Session, tensor } = require(path.join(dist, 'backend', 'ort'));
const { GraphBuilder } = require(path.join(dist, 'onnx', 'GraphBuilder'));

async function main() {
  const [M, K, N] = [4096, 6144, 768];
  const g = new GraphBuilder('matmul_probe');
  g.output(g.op('MatMul', [g.input('A', 'float32', [M, K]), g.input('B', 'float32', [K, N])]), 'C', 'float32', [M, N]);
  const s = await Session.create(g.toBytes(), { threads: 2 });
  // values only need to be finite and not all zero
  const A = tensor('float32', Float32Array.from({ length: M * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), [M, K]);
  const B = tensor('float32', Float32Array.from({ length: K * N }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5), [K, N]);
  await s.run({ A, B });
  const reps = 3;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await s.run({ A, B });
  const seconds = (performance.now() - t0) / 1000;
  await s.release();
  process.stdout.write(`${JSON.stringify({ gflops: (2 * M * K * N * reps) / seconds / 1e9 })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 1;
});
