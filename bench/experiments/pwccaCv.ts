/**
 * Benchmark: layerwise-analysis's cross-validated PWCCA at the sizes of its experiments, ours
 * (`crossValidatedPwcca`: per-part moments once, one eigendecomposition per kept set, float64 products in
 * ONNX Runtime) against the peer's NumPy code path (pwcca_cv.py: np.cov of the training rows on every
 * candidate, as the original), on the same seeded float32 data, in one run:
 *   - cca-mel on one layer of the 500-utterance frame sample: 180,000 frames x 768 against 80 fbank dims;
 *   - cca-phone: 7,800 phone segments x 768 against 40-dim one-hot labels (stratified parts).
 * Only the computation is timed on either side. Build and run:
 *   npm run bench:experiments
 *   node bench/out/experiments-build/bench/experiments/pwccaCv.js --rows 20000     (smaller)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crossValidatedPwcca, oneHot } from '../../src/kernels/crossValidatedPwcca';
import { Random } from '../../src/random';
import { benchFinish, benchStart } from '../record';

const PEER = path.resolve(__dirname, '..', '..', '..', '..', '..', 'bench', 'experiments', 'pwcca_cv.py');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}

/** Frames: a 48-d latent per row drives both views (plus offsets and noise), so the canonical correlations are real. */
function frameData(n: number, dx: number, dy: number, rng: Random): { X: Float32Array; Y: Float32Array } {
  const L = 48;
  const A = Float32Array.from({ length: L * dx }, () => rng.normal() / Math.sqrt(L));
  const B = Float32Array.from({ length: L * dy }, () => rng.normal() / Math.sqrt(L));
  const offX = Float32Array.from({ length: dx }, () => 3 * rng.normal());
  const X = new Float32Array(n * dx);
  const Y = new Float32Array(n * dy);
  const z = new Float32Array(L);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < L; l++) z[l] = rng.normal();
    for (let j = 0; j < dx; j++) {
      let s = (offX[j] ?? 0) + 0.7 * rng.normal();
      for (let l = 0; l < L; l++) s += (z[l] ?? 0) * (A[l * dx + j] ?? 0);
      X[i * dx + j] = s;
    }
    for (let j = 0; j < dy; j++) {
      let s = 0.5 + 0.9 * rng.normal();
      for (let l = 0; l < L; l++) s += (z[l] ?? 0) * (B[l * dy + j] ?? 0);
      Y[i * dy + j] = s;
    }
  }
  return { X, Y };
}

interface RunResult {
  readonly bench: string;
  readonly oursSeconds: number;
  readonly peerSeconds: number;
  readonly ratio: number;
  readonly oursScore: number | null;
  readonly peerScore: number;
  readonly peerFits: number;
}

async function run(name: string, X: Float32Array, Y: Float32Array, n: number, dx: number, dy: number, labels?: Int32Array): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pwcca-'));
  try {
    fs.writeFileSync(path.join(dir, 'X.f32'), Buffer.from(X.buffer));
    fs.writeFileSync(path.join(dir, 'Y.f32'), Buffer.from(Y.buffer));
    if (labels !== undefined) fs.writeFileSync(path.join(dir, 'labels.i32'), Buffer.from(labels.buffer));
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ rows: n, dx, dy, labels: labels !== undefined }));
    const t0 = process.hrtime.bigint();
    const ours = await crossValidatedPwcca({ rows: n, cols: dx, data: X }, { rows: n, cols: dy, data: Y }, { seed: 0, ...(labels !== undefined ? { labels } : {}) });
    const oursSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const py = spawnSync('/usr/bin/python3', [PEER, dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (py.status !== 0) throw new Error(`pwcca_cv.py failed: ${py.stderr}`);
    const peer = JSON.parse(py.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; score: number; fits: number };
    return {
      bench: name,
      oursSeconds: +oursSeconds.toFixed(2),
      peerSeconds: +peer.seconds.toFixed(2),
      ratio: +(oursSeconds / peer.seconds).toFixed(3),
      oursScore: ours.value === null ? null : +ours.value.toFixed(4),
      peerScore: +peer.score.toFixed(4),
      peerFits: peer.fits,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const start = benchStart('pwcca-cv');
  const rows = arg('rows', 180000);
  const segments = arg('segments', 7800);
  const rng = new Random(11);
  const f = frameData(rows, 768, 80, rng);
  const mel = await run(`cca-mel CV, ${rows} x 768 vs 80`, f.X, f.Y, rows, 768, 80);
  console.log(JSON.stringify(mel));
  // Phones: 40 classes with class means in 768 dims plus noise, against their one-hot vectors.
  const labels = Int32Array.from({ length: segments }, () => rng.int(40));
  const centers = Float32Array.from({ length: 40 * 768 }, () => 0.4 * rng.normal());
  const P = new Float32Array(segments * 768);
  for (let i = 0; i < segments; i++) for (let j = 0; j < 768; j++) P[i * 768 + j] = (centers[(labels[i] ?? 0) * 768 + j] ?? 0) + rng.normal() + 1;
  const H = oneHot(Array.from(labels), Array.from({ length: 40 }, (_, c) => c)).data;
  const phone = await run(`cca-phone CV, ${segments} x 768 vs one-hot 40`, P, H, segments, 768, 40, labels);
  console.log(JSON.stringify(phone));
  benchFinish('pwcca-cv', 'npm run bench:experiments', start, [
    { task: `cross-validated PWCCA, ${mel.bench}`, against: "layerwise-analysis's NumPy code path", ratio: mel.ratio, better: 'lower', target: 1 },
    { task: `cross-validated PWCCA, ${phone.bench}`, against: "layerwise-analysis's NumPy code path", ratio: phone.ratio, better: 'lower', target: 1 },
  ]);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
