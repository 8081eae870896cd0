import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PCAModel, fitPCA, pca } from '../../src/kernels/pca';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { maxAbsDiff } from '../maxAbsDiff';
import { loadFixture } from './fixtureB';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

interface Case {
  X: number[][];
  k: number;
  components: number[][];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  projection: number[][];
}
const fx = loadFixture<{ tall: Case; wide: Case; lowRank: Case }>('pca.json');

test.each(['tall', 'wide'] as const)('%s: components, variances and projection match sklearn PCA (float64)', async (name) => {
  const c = fx[name];
  const r = await pca(c.X, { nComponents: c.k });
  expect(maxAbsDiff(r.components.data, c.components.flat())).toBeLessThan(1e-6);
  expect(maxAbsDiff(r.explainedVariance, c.explainedVariance)).toBeLessThan(1e-6 * Math.max(...c.explainedVariance));
  expect(maxAbsDiff(r.explainedVarianceRatio, c.explainedVarianceRatio)).toBeLessThan(1e-6);
  expect(maxAbsDiff(r.projection.data, c.projection.flat())).toBeLessThan(1e-6);
});

test('float32 input agrees with sklearn to 1e-4', async () => {
  const c = fx.tall;
  const data = Float32Array.from(c.X.flat());
  const r = await pca({ rows: c.X.length, cols: 8, data }, { nComponents: c.k });
  expect(maxAbsDiff(r.components.data, c.components.flat())).toBeLessThan(1e-4);
  expect(maxAbsDiff(r.explainedVarianceRatio, c.explainedVarianceRatio)).toBeLessThan(1e-4);
});

test('rank-deficient data: leading components match, later variances are zero and the basis stays orthonormal', async () => {
  const c = fx.lowRank;
  const r = await pca(c.X, { nComponents: 3 });
  expect(maxAbsDiff(r.components.data, c.components.flat())).toBeLessThan(1e-6);
  const full = await pca(c.X);
  expect(full.components.rows).toBe(6);
  for (let i = 3; i < 6; i++) expect(full.explainedVariance[i]).toBeLessThan(1e-9);
  const v = full.components.data;
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      let dot = 0;
      for (let t = 0; t < 6; t++) dot += at(v, i * 6 + t) * at(v, j * 6 + t);
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 8);
    }
  }
  // n < d with duplicated rows: the Gram route completes the degenerate directions too.
  const dup = [[1, 2, 3, 4], [1, 2, 3, 4], [0, 1, 0, 1]];
  const g = await pca(dup);
  expect(g.explainedVariance[1]).toBeLessThan(1e-12);
  expect(g.explainedVarianceRatio[0]).toBeCloseTo(1, 12);
});

test('fit/transform, save/load as JSON round-trip', async () => {
  const c = fx.tall;
  const model = await fitPCA(c.X, { nComponents: 2 });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pca-')), 'pca.json');
  model.save(file);
  const back = PCAModel.load(file);
  expect(back.nComponents).toBe(2);
  const a = await model.transform(c.X.slice(0, 5));
  const b = await back.transform(c.X.slice(0, 5));
  expect(Array.from(b.data)).toEqual(Array.from(a.data));
  expect(maxAbsDiff(a.data, c.projection.slice(0, 5).map((row) => row.slice(0, 2)).flat())).toBeLessThan(1e-6);
  fs.writeFileSync(file, '{"type":"something else"}');
  expect(() => PCAModel.load(file)).toThrow(/pca.json: not a layerwise PCA model/);
  await expect(model.transform([[1, 2]])).rejects.toThrow(/X: has 2 columns but the PCA was fitted on 8/);
});

test('argument checks', async () => {
  await expect(pca([[1, 2]])).rejects.toThrow(/X: needs at least 2 rows/);
  await expect(pca([[1, 2], [3, 4]], { nComponents: 3 })).rejects.toThrow(/nComponents must be an integer in \[1, 2\]/);
  await expect(pca([[1, 2], [3, NaN]])).rejects.toThrow(/X: contains NaN/);
});
