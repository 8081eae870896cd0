import { tsne } from '../../src/kernels/tsne';
import { trustworthiness } from '../../src/kernels/trustworthiness';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { loadFixture } from './fixtureB';

afterAll(releaseGraphSessions);

interface TS {
  X: number[][];
  perplexity: number;
  exact: { kl: number; trust5: number };
  barnes_hut: { kl: number; trust5: number };
  fixedEmbedding: number[][];
  fixedTrust: Record<string, number>;
}
const fx = loadFixture<TS>('tsne.json');

test('trustworthiness matches sklearn.manifold.trustworthiness', () => {
  for (const [k, want] of Object.entries(fx.fixedTrust)) {
    expect(trustworthiness(fx.X, fx.fixedEmbedding, { nNeighbors: Number(k) })).toBeCloseTo(want, 12);
  }
  expect(trustworthiness(fx.X, fx.X)).toBe(1);
  expect(() => trustworthiness(fx.X, fx.X, { nNeighbors: 100 })).toThrow(/nNeighbors must be an integer in \[1, n\/2\)/);
});

test.each([
  ['exact', 'exact'],
  ['barnes-hut', 'barnes_hut'],
] as const)('%s t-SNE is as good as sklearn TSNE on the same data (KL and trustworthiness)', async (method, key) => {
  const ref = fx[key];
  const r = await tsne(fx.X, { perplexity: fx.perplexity, method, seed: 0 });
  expect(r.method).toBe(method);
  expect(r.embedding.rows).toBe(200);
  expect(r.klDivergence).toBeLessThan(ref.kl * 1.1 + 0.02);
  expect(r.klDivergence).toBeGreaterThan(0);
  expect(trustworthiness(fx.X, r.embedding, { nNeighbors: 5 })).toBeGreaterThan(ref.trust5 - 0.01);
});

test('deterministic for a seed; random init depends on the seed', async () => {
  const X = fx.X.slice(0, 80);
  const a = await tsne(X, { perplexity: 10, init: 'random', seed: 1, nIter: 300 });
  const b = await tsne(X, { perplexity: 10, init: 'random', seed: 1, nIter: 300 });
  expect(Array.from(b.embedding.data)).toEqual(Array.from(a.embedding.data));
  const c = await tsne(X, { perplexity: 10, init: 'random', seed: 2, nIter: 300 });
  expect(Array.from(c.embedding.data)).not.toEqual(Array.from(a.embedding.data));
});

test('duplicate points and a 3-D exact embedding stay finite', async () => {
  const X = [...fx.X.slice(0, 40), ...fx.X.slice(0, 40)];
  const r = await tsne(X, { perplexity: 5, method: 'barnes-hut', nIter: 300 });
  expect(r.embedding.data.every(Number.isFinite)).toBe(true);
  const three = await tsne(fx.X.slice(0, 60), { perplexity: 5, nComponents: 3, nIter: 300 });
  expect(three.embedding.cols).toBe(3);
  expect(three.embedding.data.every(Number.isFinite)).toBe(true);
});

test('argument checks: perplexity >= n is an error, Barnes-Hut is 2-D only', async () => {
  await expect(tsne(fx.X.slice(0, 10), { perplexity: 10 })).rejects.toThrow(/perplexity \(10\) must be less than the number of rows of X \(10\)/);
  await expect(tsne(fx.X, { method: 'barnes-hut', nComponents: 3 })).rejects.toThrow(/Barnes-Hut supports nComponents = 2/);
  await expect(tsne([[1, 2], [3, NaN], [1, 1]], { perplexity: 1 })).rejects.toThrow(/X: contains NaN/);
});
