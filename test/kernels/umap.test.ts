import { umap } from '../../src/kernels/umap';
import { trustworthiness } from '../../src/kernels/trustworthiness';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { Random } from '../../src/random';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

function blobs(seed: number): { X: number[][]; labels: number[] } {
  const rng = new Random(seed);
  const centers = Array.from({ length: 4 }, () => Array.from({ length: 10 }, () => 8 * rng.normal()));
  const X: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 160; i++) {
    const c = i % 4;
    labels.push(c);
    X.push((centers[c] as number[]).map((v) => v + rng.normal()));
  }
  return { X, labels };
}

test('same seed gives the same embedding, another seed another one', async () => {
  const { X } = blobs(1);
  const a = await umap(X, { seed: 3, nEpochs: 30 });
  const b = await umap(X, { seed: 3, nEpochs: 30 });
  expect(Array.from(b.embedding.data)).toEqual(Array.from(a.embedding.data));
  const c = await umap(X, { seed: 4, nEpochs: 30 });
  expect(Array.from(c.embedding.data)).not.toEqual(Array.from(a.embedding.data));
});

test('separated blobs stay separated: 1-NN in the embedding recovers the blob, trustworthiness is high', async () => {
  const { X, labels } = blobs(2);
  const { embedding } = await umap(X, { nNeighbors: 10, seed: 0, nEpochs: 200 });
  expect(embedding.rows).toBe(160);
  expect(embedding.cols).toBe(2);
  const e = embedding.data;
  let hits = 0;
  for (let i = 0; i < 160; i++) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < 160; j++) {
      if (j === i) continue;
      const d = (at(e, 2 * i) - at(e, 2 * j)) ** 2 + (at(e, 2 * i + 1) - at(e, 2 * j + 1)) ** 2;
      if (d < bd) {
        bd = d;
        best = j;
      }
    }
    if (labels[best] === labels[i]) hits++;
  }
  expect(hits).toBe(160);
  expect(trustworthiness(X, embedding, { nNeighbors: 5 })).toBeGreaterThan(0.85);
});

test('argument checks', async () => {
  const { X } = blobs(3);
  await expect(umap(X.slice(0, 10), { nNeighbors: 1 })).rejects.toThrow(/nNeighbors must be an integer >= 2, got 1/);
  // more neighbours than rows: truncated to rows - 1 with a warning, as umap-learn does
  const warned: string[] = [];
  const small = await umap(X.slice(0, 10), { nNeighbors: 15, onWarning: (m) => warned.push(m) });
  expect(small.nNeighbors).toBe(9);
  expect(small.warnings).toEqual(['umap: nNeighbors 15 is not below the 10 rows; using 9 (rows - 1), as umap-learn does']);
  expect(warned).toEqual(small.warnings);
  const same = await umap(X.slice(0, 10), { nNeighbors: 9, onWarning: (m) => warned.push(m) });
  expect(same.embedding.data).toEqual(small.embedding.data);
  expect(same.warnings).toEqual([]);
  await expect(umap(X, { minDist: 2 })).rejects.toThrow(/minDist <= spread/);
  await expect(umap([[1], [2], [Infinity]])).rejects.toThrow(/X: contains Infinity/);
});
