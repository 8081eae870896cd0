/**
 * Benchmark: t-SNE of 5,000 points x 50 dims (PCA-reduced from 768, as notebooks do before t-SNE):
 * layerwise's Barnes-Hut `tsne` against scikit-learn TSNE (defaults) in tsne.py, on identical float32 data,
 * in one run. Only the t-SNE itself is timed on both sides. Prints times, ratio (ours / peer) and both
 * final KL divergences. Build as in convexity.ts, then
 *   node bench/out/kernels-b/bench/kernels/tsne.js
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pca } from '../../src/kernels/pca';
import { tsne } from '../../src/kernels/tsne';
import { Random } from '../../src/random';
import { benchFinish, benchStart } from '../record';

const N = 5000;
const D = 768;
const P = 50;

async function main(): Promise<void> {
  const start = benchStart('tsne');
  const rng = new Random(3);
  const centers = new Float32Array(10 * D).map(() => 0.2 * rng.normal());
  const raw = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    const c = i % 10;
    for (let j = 0; j < D; j++) raw[i * D + j] = (centers[c * D + j] as number) + rng.normal();
  }
  const reduced = await pca({ rows: N, cols: D, data: raw }, { nComponents: P });
  const data = Float32Array.from(reduced.projection.data);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tsne-'));
  fs.writeFileSync(path.join(dir, 'X.f32'), Buffer.from(data.buffer));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ rows: N, cols: P }));

  const t0 = process.hrtime.bigint();
  const ours = await tsne({ rows: N, cols: P, data }, { perplexity: 30, seed: 0 });
  const oursSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const py = spawnSync('/usr/bin/python3', [path.join(__dirname, '..', '..', '..', '..', '..', 'bench', 'kernels', 'tsne.py'), dir], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`tsne.py failed: ${py.stderr}`);
  const peer = JSON.parse(py.stdout.trim().split('\n').pop() as string) as { seconds: number; kl: number };
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: 'tsne 5000x50 (Barnes-Hut, perplexity 30, 1000 iterations)',
      oursSeconds: +oursSeconds.toFixed(3),
      peerSeconds: +peer.seconds.toFixed(3),
      ratio: +(oursSeconds / peer.seconds).toFixed(3),
      oursKL: +ours.klDivergence.toFixed(4),
      peerKL: +peer.kl.toFixed(4),
      oursMethod: ours.method,
    }),
  );
  benchFinish('tsne', 'npm run bench:kernels:analysis', start, [{ task: 't-SNE 5,000 x 50', against: 'scikit-learn TSNE() defaults (Barnes-Hut)', ratio: oursSeconds / peer.seconds, better: 'lower', target: 3.0 }]);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
