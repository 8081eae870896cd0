/**
 * Benchmark: graph convexity, 5,000 points x 768 dims, 10 classes, k = 10, up to 5,000 paths per class,
 * layerwise's `graphConvexity` against the SciPy Dijkstra pipeline in convexity.py, on identical float32
 * data, in one run. Prints both times, the ratio (ours / peer) and both pooled scores (they differ only by
 * which pairs were sampled).
 *
 * Build and run (see bench/README.md):
 *   npx tsc --outDir bench/out/kernels-b --rootDir . --module commonjs --target ES2022 --strict \
 *     --esModuleInterop --skipLibCheck --types node bench/kernels/convexity.ts bench/kernels/kmeans.ts bench/kernels/tsne.ts
 *   node bench/out/kernels-b/bench/kernels/convexity.js
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { graphConvexity } from '../../src/kernels/graphConvexity';
import { Random } from '../../src/random';
import { benchFinish, benchStart } from '../record';

const N = 5000;
const D = 768;
const CLASSES = 10;

async function main(): Promise<void> {
  const start = benchStart('convexity');
  const rng = new Random(1);
  // Class means 0.15 N(0, 1) per dimension under unit noise: classes overlap, so paths leave them often.
  const centers = new Float32Array(CLASSES * D).map(() => 0.15 * rng.normal());
  const labels = new Int32Array(N);
  const data = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    const c = i % CLASSES;
    labels[i] = c;
    for (let j = 0; j < D; j++) data[i * D + j] = (centers[c * D + j] as number) + rng.normal();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-convexity-'));
  fs.writeFileSync(path.join(dir, 'X.f32'), Buffer.from(data.buffer));
  fs.writeFileSync(path.join(dir, 'labels.i32'), Buffer.from(labels.buffer));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ rows: N, cols: D }));

  const t0 = process.hrtime.bigint();
  const ours = await graphConvexity({ rows: N, cols: D, data }, labels, { k: 10, maxPaths: 5000, seed: 0 });
  const oursSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const py = spawnSync('/usr/bin/python3', [path.join(__dirname, '..', '..', '..', '..', '..', 'bench', 'kernels', 'convexity.py'), dir, '10', '5000'], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`convexity.py failed: ${py.stderr}`);
  const peer = JSON.parse(py.stdout.trim().split('\n').pop() as string) as { seconds: number; pooled: number };
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: 'graphConvexity 5000x768, 10 classes, k=10, maxPaths=5000',
      oursSeconds: +oursSeconds.toFixed(3),
      peerSeconds: +peer.seconds.toFixed(3),
      ratio: +(oursSeconds / peer.seconds).toFixed(3),
      oursPooled: +ours.pooled.mean.toFixed(4),
      peerPooled: +peer.pooled.toFixed(4),
    }),
  );
  benchFinish('convexity', 'npm run bench:kernels:analysis', start, [{ task: 'graph convexity 5,000 x 768, 10 classes, k = 10', against: 'scikit-learn kNN + SciPy Dijkstra (Tetkova / Dorszewski pipeline)', ratio: oursSeconds / peer.seconds, better: 'lower', target: 1.0 }]);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
