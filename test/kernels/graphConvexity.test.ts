import { graphConvexity } from '../../src/kernels/graphConvexity';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { Random } from '../../src/random';
import { loadFixture } from './fixtureB';

afterAll(releaseGraphSessions);

interface ClassRef {
  label: number;
  size: number;
  paths: number;
  unreachable: number;
  score: number;
  se: number;
}
interface Case {
  X: number[][];
  labels: number[];
  k: number;
  classes: ClassRef[];
  pooledMean: number;
  pooledSe: number;
  classMean: number;
  classSe: number;
}
const fx = loadFixture<{ mixed: Case; split: Case }>('convexity.json');

test.each(['mixed', 'split'] as const)('%s: all-pairs scores match a SciPy Dijkstra reference', async (name) => {
  const c = fx[name];
  for (const input of [c.X, { rows: c.X.length, cols: (c.X[0] as number[]).length, data: Float32Array.from(c.X.flat()) }]) {
    const r = await graphConvexity(input, c.labels, { k: c.k, maxPaths: 1e6 });
    expect(r.classes.length).toBe(c.classes.length);
    r.classes.forEach((got, i) => {
      const want = c.classes[i] as ClassRef;
      expect(got.label).toBe(want.label);
      expect(got.size).toBe(want.size);
      expect(got.paths).toBe(want.paths);
      expect(got.unreachable).toBe(want.unreachable);
      expect(got.score).toBeCloseTo(want.score, 12);
      expect(got.se).toBeCloseTo(want.se, 12);
    });
    expect(r.pooled.mean).toBeCloseTo(c.pooledMean, 12);
    expect(r.pooled.se).toBeCloseTo(c.pooledSe, 12);
    expect(r.classMean.mean).toBeCloseTo(c.classMean, 12);
    expect(r.classMean.se).toBeCloseTo(c.classSe, 12);
  }
  if (name === 'split') expect(fx.split.classes.some((cl) => cl.unreachable > 0)).toBe(true);
});

test('well-separated clusters are fully convex; a single class scores 1', async () => {
  const rng = new Random(7);
  const X: number[][] = [];
  const labels: string[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 30; i++) {
      X.push([c * 100 + rng.normal(), rng.normal(), rng.normal()]);
      labels.push(`w${c}`);
    }
  }
  const r = await graphConvexity(X, labels, { k: 5 });
  for (const c of r.classes) expect(c.score).toBe(1);
  expect(r.pooled.mean).toBe(1);
  const single = await graphConvexity(X.slice(0, 30), labels.slice(0, 30), { k: 5 });
  expect(single.classMean.mean).toBe(1);
  expect(single.classes[0]?.label).toBe('w0');
});

test('duplicates stay adjacent; classes of one member are reported and skipped', async () => {
  // Two identical points of class 'a' among 'b' points that would otherwise lie between them.
  const X = [[0, 0], [0, 0], [1, 0], [2, 0], [3, 0], [9, 9]];
  const r = await graphConvexity(X, ['a', 'a', 'b', 'b', 'b', 'c'], { k: 2 });
  expect(r.classes[0]).toMatchObject({ label: 'a', score: 1, paths: 2 });
  expect(r.classes[2]).toMatchObject({ label: 'c', size: 1, paths: 0, score: null, se: null });
  expect(r.classMean.mean).toBeCloseTo(((r.classes[0]?.score as number) + (r.classes[1]?.score as number)) / 2, 14);
});

test('sampling: at most maxPaths pairs per class, deterministic for a seed', async () => {
  const c = fx.mixed;
  const a = await graphConvexity(c.X, c.labels, { k: c.k, maxPaths: 50, seed: 11 });
  const b = await graphConvexity(c.X, c.labels, { k: c.k, maxPaths: 50, seed: 11 });
  expect(a.classes.map((x) => x.paths)).toEqual([50, 50, 50]);
  expect(b).toEqual(a);
  const d = await graphConvexity(c.X, c.labels, { k: c.k, maxPaths: 50, seed: 12 });
  expect(d.classes.map((x) => x.score)).not.toEqual(a.classes.map((x) => x.score));
});

test('argument checks', async () => {
  await expect(graphConvexity([[1], [2]], [0], {})).rejects.toThrow(/labels: has 1 labels but there are 2/);
  await expect(graphConvexity([[1], [2], [3]], [0, 0, 1], { k: 3 })).rejects.toThrow(/k must be an integer in \[1, 2\]/);
  await expect(graphConvexity([[1], [NaN]], [0, 0], { k: 1 })).rejects.toThrow(/X: contains NaN/);
  await expect(graphConvexity([[1], [2]], [0, 1], { k: 1 })).rejects.toThrow(/no class has two or more members/);
});
