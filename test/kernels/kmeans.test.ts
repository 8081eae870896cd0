import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assignClusters, kmeans, KMeansModel } from '../../src/kernels/kmeans';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { maxAbsDiff } from '../maxAbsDiff';
import { loadFixture } from './fixtureB';

afterAll(releaseGraphSessions);

interface KM {
  X: number[][];
  init: number[][];
  labels: number[];
  centroids: number[][];
  inertia: number;
  iterations: number;
  bestInertia: number;
}
const fx = loadFixture<KM>('kmeans.json');

test('Lloyd from given centroids matches sklearn KMeans(algorithm="lloyd") step for step', async () => {
  const r = await kmeans(fx.X, { k: 6, init: fx.init });
  expect(Array.from(r.labels)).toEqual(fx.labels);
  expect(maxAbsDiff(r.centroids.data, fx.centroids.flat())).toBeLessThan(1e-9);
  expect(r.inertia).toBeCloseTo(fx.inertia, 6);
  expect(r.iterations).toBe(fx.iterations);
  expect(r.converged).toBe(true);
});

test('k-means++ reaches the optimum sklearn finds with 20 restarts, deterministically per seed', async () => {
  const a = await kmeans(fx.X, { k: 6, seed: 3, nInit: 3 });
  expect(Math.abs(a.inertia - fx.bestInertia) / fx.bestInertia).toBeLessThan(1e-9);
  const b = await kmeans(fx.X, { k: 6, seed: 3, nInit: 3 });
  expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
  expect(Array.from(b.centroids.data)).toEqual(Array.from(a.centroids.data));
  // predict on the training rows reproduces the labels
  expect(Array.from(await a.predict(fx.X))).toEqual(Array.from(a.labels));
  expect(Array.from(await assignClusters(fx.X, a.centroids))).toEqual(Array.from(a.labels));
});

test('closed forms: k = n puts every point in its own cluster; duplicates; k = 1 is the mean', async () => {
  const X = [[0, 0], [0, 0], [4, 0], [4, 0], [10, 10]];
  const r = await kmeans(X, { k: 3, seed: 1 });
  expect(r.inertia).toBeCloseTo(0, 12);
  expect(r.labels[0]).toBe(r.labels[1]);
  expect(r.labels[2]).toBe(r.labels[3]);
  expect(new Set(Array.from(r.labels)).size).toBe(3);
  const one = await kmeans(X, { k: 1 });
  expect(Array.from(one.centroids.data)).toEqual([3.6, 2]);
  const all = await kmeans([[1], [2], [3]], { k: 3, init: 'random', seed: 5 });
  expect(all.inertia).toBe(0);
});

test('rejects bad k, NaN and mismatched init; does not mutate the input', async () => {
  const data = Float64Array.from(fx.X.flat());
  const copy = Float64Array.from(data);
  await kmeans({ rows: 300, cols: 5, data }, { k: 4 });
  expect(data).toEqual(copy);
  await expect(kmeans([[1, 2]], { k: 2 })).rejects.toThrow(/k must be an integer in \[1, 1\]/);
  await expect(kmeans([[1, Infinity]], { k: 1 })).rejects.toThrow(/X: contains Infinity/);
  await expect(kmeans(fx.X, { k: 2, init: [[1, 2]] })).rejects.toThrow(/init: must be \[2, 5\]/);
});

test('a fitted k-means saves and loads (JSON, atomic) and predicts the same clusters', async () => {
  const a = await kmeans(fx.X, { k: 6, seed: 3 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-kmeans-'));
  try {
    const file = path.join(dir, 'kmeans.json');
    a.save(file);
    expect(fs.readdirSync(dir)).toEqual(['kmeans.json']);
    const back = KMeansModel.load(file);
    expect(Array.from(back.centroids.data)).toEqual(Array.from(a.centroids.data));
    expect(Array.from(back.labels)).toEqual(Array.from(a.labels));
    expect([back.k, back.inertia, back.iterations, back.converged]).toEqual([6, a.inertia, a.iterations, a.converged]);
    // A new point at a centroid belongs to that centroid's cluster.
    const c2 = Array.from(a.centroids.data.subarray(2 * a.centroids.cols, 3 * a.centroids.cols));
    expect(Array.from(await back.predict([c2]))).toEqual([2]);
    fs.writeFileSync(file, JSON.stringify({ ...a.toJSON(), labels: [0, 9] }));
    expect(() => KMeansModel.load(file)).toThrow(/kmeans\.json: not a layerwise KMeans model \(labels must be cluster indices in \[0, 6\)\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
