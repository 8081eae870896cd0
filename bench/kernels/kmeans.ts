/**
 * Benchmark: k-means + mutual information at layerwise-analysis mi-phone size (7,800 x 768 float32, 40
 * phone-like classes, k = 500) and mi-word size (`--n 7500 --k 5000 --classes 500 --batch 4000`):
 * layerwise's full-batch `kmeans` (k-means++ seeding, Lloyd to convergence, ORT assignment) +
 * `mutualInformation`, against scikit-learn MiniBatchKMeans (the peer's batch size) + mutual_info_score in
 * kmeans.py, on identical data, in one run. Prints times, ratio (ours / peer), I(C;Y)/H(Y) and inertia of
 * both (ours is exact Lloyd, so its inertia is expected to be lower). Build as in convexity.ts, then
 *   node bench/out/kernels-b/bench/kernels/kmeans.js [--n N --k K --classes C --batch B]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kmeans } from '../../src/kernels/kmeans';
import { mutualInformation } from '../../src/kernels/mutualInformation';
import { Random } from '../../src/random';
import { benchFinish, benchStart } from '../record';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = arg('n', 7800);
const D = 768;
const K = arg('k', 500);
const PHONES = arg('classes', 40);
const BATCH = arg('batch', 1500);

async function main(): Promise<void> {
  const start = benchStart(`kmeans-${K}`);
  const rng = new Random(2);
  const centers = new Float32Array(PHONES * D).map(() => 0.3 * rng.normal());
  const labels = new Int32Array(N);
  const data = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    const c = rng.int(PHONES);
    labels[i] = c;
    for (let j = 0; j < D; j++) data[i * D + j] = (centers[c * D + j] as number) + rng.normal();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kmeans-'));
  fs.writeFileSync(path.join(dir, 'X.f32'), Buffer.from(data.buffer));
  fs.writeFileSync(path.join(dir, 'labels.i32'), Buffer.from(labels.buffer));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ rows: N, cols: D }));

  const t0 = process.hrtime.bigint();
  const km = await kmeans({ rows: N, cols: D, data }, { k: K, seed: 0 });
  const mi = mutualInformation(km.labels, labels);
  const oursSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const py = spawnSync('/usr/bin/python3', [path.join(__dirname, '..', '..', '..', '..', '..', 'bench', 'kernels', 'kmeans.py'), dir, String(K), String(BATCH)], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`kmeans.py failed: ${py.stderr}`);
  const peer = JSON.parse(py.stdout.trim().split('\n').pop() as string) as { seconds: number; miOverHLabels: number; inertia: number };
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: `kmeans + MI ${N}x${D}, k=${K}, ${PHONES} classes (peer: MiniBatchKMeans batch ${BATCH}, max_iter 500)`,
      oursSeconds: +oursSeconds.toFixed(3),
      peerSeconds: +peer.seconds.toFixed(3),
      ratio: +(oursSeconds / peer.seconds).toFixed(3),
      oursIterations: km.iterations,
      oursMI: +(mi.miOverHLabels ?? NaN).toFixed(4),
      peerMI: +peer.miOverHLabels.toFixed(4),
      oursInertia: Math.round(km.inertia),
      peerInertia: Math.round(peer.inertia),
    }),
  );
  benchFinish(`kmeans-${K}`, K >= 5000 ? 'node bench/out/kernels-b/bench/kernels/kmeans.js --n 7500 --k 5000 --classes 500 --batch 4000' : 'npm run bench:kernels:analysis', start, [{ task: `k-means + MI ${N.toLocaleString('en')} x ${D}, k = ${K}`, against: 'MiniBatchKMeans (layerwise-analysis mi step)', ratio: oursSeconds / peer.seconds, better: 'lower', target: K >= 5000 ? 1 : 1.5 }]);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
