/**
 * Linear CKA and mean CCA over row blocks (layers larger than memory): equal to NumPy's linear CKA and to the
 * in-memory mean CCA (itself checked against google/svcca's cca_core) of the whole matrices, read from a frame
 * store in blocks that straddle its shard files; a NaN anywhere is found and named.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { linearCKA } from '../../src/kernels/linearCKA';
import { meanCCA } from '../../src/kernels/meanCCA';
import type { RowBlocks } from '../../src/matrix';
import { Random } from '../../src/random';
import { writeNpy } from '../../src/data/io/writeNpy';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { extractFeatures } from '../../src/store/extractFeatures';
import { loadModel } from '../../src/model/loadModel';
import { encodeWav } from '../../src/data/audio/encodeWav';

const NUMPY_CKA = `import sys, numpy as np
def cka(x, y):
    x = x - x.mean(0); y = y - y.mean(0)
    return float(np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))
print(cka(np.load(sys.argv[1]).astype(np.float64), np.load(sys.argv[2]).astype(np.float64)))`;

function blocksOf(data: Float32Array, rows: number, cols: number, blockRows: number, name: string): RowBlocks {
  return {
    rows,
    cols,
    name,
    *blocks() {
      for (let r = 0; r < rows; r += blockRows) yield { rows: Math.min(blockRows, rows - r), cols, data: data.slice(r * cols, Math.min(rows, r + blockRows) * cols) };
    },
  };
}

describe('linearCKA on row blocks', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-ckablocks-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('equals NumPy on the whole matrices, with a large common offset (the shifted one-pass form)', async () => {
    const rng = new Random(3);
    const n = 5000;
    const [p, q] = [24, 16];
    const x = new Float32Array(n * p).map((_, k) => 50 + rng.normal() + (k % p === 0 ? 3 * Math.sin(k) : 0));
    const y = new Float32Array(n * q);
    for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) y[i * q + j] = -20 + 0.5 * (x[i * p + j] ?? 0) + rng.normal();
    writeNpy(path.join(tmp, 'x.npy'), { data: x, shape: [n, p] });
    writeNpy(path.join(tmp, 'y.npy'), { data: y, shape: [n, q] });
    const ref = Number(execFileSync('/usr/bin/python3', ['-c', NUMPY_CKA, path.join(tmp, 'x.npy'), path.join(tmp, 'y.npy')]).toString());
    const streamed = await linearCKA(blocksOf(x, n, p, 777, 'X'), blocksOf(y, n, q, 777, 'Y'));
    expect(streamed).toBeCloseTo(ref, 5);
    expect(await linearCKA({ rows: n, cols: p, data: x }, { rows: n, cols: q, data: y })).toBeCloseTo(ref, 5);
    const bad = x.slice();
    bad[4321 * p + 5] = Number.NaN;
    await expect(linearCKA(blocksOf(bad, n, p, 1000, 'X'), blocksOf(y, n, q, 1000, 'Y'))).rejects.toThrow('linearCKA: X holds NaN or infinite values in rows 4000-4999 (column 5)');
    await expect(linearCKA(blocksOf(x, n, p, 1000, 'X'), blocksOf(y, n, q, 900, 'Y'))).rejects.toThrow('do not line up at row 0');
    await expect(linearCKA(blocksOf(x, n, p, 1000, 'X'), { rows: n, cols: q, data: y })).rejects.toThrow('give both X and Y as row blocks');
  });

  it('mean CCA from accumulated covariances equals the in-memory mean CCA (same pruning and ridge)', async () => {
    const rng = new Random(5);
    const n = 4000;
    const [p, q] = [12, 9];
    const x = new Float32Array(n * p).map(() => 10 + rng.normal());
    const y = new Float32Array(n * q);
    for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) y[i * q + j] = 0.8 * (x[i * p + j] ?? 0) + 0.6 * rng.normal();
    const whole = await meanCCA({ rows: n, cols: p, data: x }, { rows: n, cols: q, data: y });
    const streamed = await meanCCA(blocksOf(x, n, p, 999, 'X'), blocksOf(y, n, q, 999, 'Y'));
    expect(streamed.value).toBeCloseTo(whole.value ?? Number.NaN, 4);
    expect(Array.from(streamed.coefficients).map((c) => Number(c.toFixed(3)))).toEqual(Array.from(whole.coefficients).map((c) => Number(c.toFixed(3))));
    const wide = await meanCCA(blocksOf(x.slice(0, 10 * p), 10, p, 4, 'X'), blocksOf(y.slice(0, 10 * q), 10, q, 4, 'Y'));
    expect(wide).toMatchObject({ value: null, reason: 'X has 12 features for 10 samples; CCA needs fewer features than samples' });
  });

  it("a frame store's layers, read in blocks across its shard files, give the in-memory value", async () => {
    const model = await loadModel('demo:wav2vec2-tiny-random');
    const items = [];
    for (let i = 0; i < 6; i++) {
      const file = path.join(tmp, `c${i}.wav`);
      fs.writeFileSync(file, encodeWav(new Float32Array(8000 + 1600 * i).map((_, t) => 0.2 * Math.sin((t * (100 + 30 * i)) / 16000)), 16000));
      items.push({ id: `c${i}`, path: file });
    }
    const out = path.join(tmp, 'store');
    await extractFeatures(model, items, { pooling: 'frames', layers: ['hidden.2', 'hidden.5'], out, shardItems: 2 });
    await model.release();
    const store = openFeatureStore(out);
    expect(store.shardCount).toBe(3);
    const whole = await linearCKA(store.frames('hidden.2').matrix, store.frames('hidden.5').matrix);
    const streamed = await linearCKA(store.rowBlocks('hidden.2', { blockRows: 37 }), store.rowBlocks('hidden.5', { blockRows: 37 }));
    expect(streamed).toBeCloseTo(whole, 5);
    const blocks = [...store.rowBlocks('hidden.2', { blockRows: 37 }).blocks()];
    expect(blocks.map((b) => b.rows).reduce((a, b) => a + b, 0)).toBe(store.frames('hidden.2').matrix.rows);
    expect(blocks.slice(0, -1).every((b) => b.rows === 37)).toBe(true);
  });
});
