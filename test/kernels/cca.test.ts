import * as fs from 'node:fs';
import * as path from 'node:path';
import { Random } from '../../src/random';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { meanCCA } from '../../src/kernels/meanCCA';
import { svcca } from '../../src/kernels/svcca';
import { pwcca } from '../../src/kernels/pwcca';
import { at } from '../../src/util/at';

afterAll(releaseGraphSessions);

interface Case {
  name: string;
  X: number[][];
  Y: number[][];
  epsilon: number;
  meanCCA: number;
  coefficients: number[];
  pwcca: number;
  pwccaCorrelations: number[];
  pwccaReverse: number;
  pwccaMean: number;
  svccaKeep: number;
  svccaKeepValue: number;
  svccaKeepKept: [number, number];
  svccaThreshold: number;
  svccaThresholdValue: number;
  svccaThresholdKept: [number, number];
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/kernels/cca.json'), 'utf8')) as { cases: Case[] };

function close(a: ArrayLike<number>, b: readonly number[], tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(at(a, i) - at(b, i))).toBeLessThan(tol);
}

describe.each(fixture.cases.map((c) => [c.name, c] as const))('cca_core references: %s', (_name, c) => {
  test('mean CCA and the canonical correlations', async () => {
    const r = await meanCCA(c.X, c.Y, { epsilon: c.epsilon });
    expect(r.value).not.toBeNull();
    expect(r.value as number).toBeCloseTo(c.meanCCA, 6);
    close(r.coefficients, c.coefficients, 1e-6);
  });

  test('PWCCA: smaller view, reversed arguments and mean score', async () => {
    const r = await pwcca(c.X, c.Y, { epsilon: c.epsilon });
    expect(r.value as number).toBeCloseTo(c.pwcca, 6);
    close(r.correlations, c.pwccaCorrelations, 1e-6);
    expect((await pwcca(c.Y, c.X, { epsilon: c.epsilon })).value as number).toBeCloseTo(c.pwccaReverse, 6);
    expect((await pwcca(c.X, c.Y, { epsilon: c.epsilon, meanScore: true })).value as number).toBeCloseTo(c.pwccaMean, 6);
  });

  test('SVCCA with a fixed number of directions and with a variance threshold', async () => {
    const k = await svcca(c.X, c.Y, { keep: c.svccaKeep });
    expect(k.kept).toEqual(c.svccaKeepKept);
    expect(k.value as number).toBeCloseTo(c.svccaKeepValue, 6);
    const t = await svcca(c.X, c.Y, { varianceThreshold: c.svccaThreshold });
    expect(t.kept).toEqual(c.svccaThresholdKept);
    expect(t.value as number).toBeCloseTo(c.svccaThresholdValue, 6);
  });
});

describe('closed forms and undefined cases', () => {
  const rng = new Random(3);
  const X = Array.from({ length: 60 }, () => Array.from({ length: 5 }, () => rng.normal()));
  // An invertible linear map plus an offset: every canonical correlation is 1.
  const B = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i === j ? 2 : 0) + 0.3 * rng.normal()));
  const XB = X.map((r) => (B[0] as number[]).map((_, j) => r.reduce((s, v, t) => s + v * ((B[t] as number[])[j] as number), 0) + 7));

  test('CCA of X with an invertible linear map of X is 1', async () => {
    const m = await meanCCA(X, XB, { epsilon: 0 });
    expect(m.value as number).toBeCloseTo(1, 8);
    for (const s of m.coefficients) expect(s).toBeCloseTo(1, 8);
    expect((await pwcca(X, XB, { epsilon: 0 })).value as number).toBeCloseTo(1, 8);
    expect((await svcca(X, XB, { keep: 5 })).value as number).toBeCloseTo(1, 8);
  });

  test('a canonical correlation that is zero up to rounding gets PWCCA correlation 0, not rounding noise', async () => {
    // X has rank 2, so at most 2 canonical correlations are non-zero; Y has 3 dimensions.
    const r2 = X.map((r) => [at(r, 0), at(r, 1), at(r, 0) + at(r, 1), 2 * at(r, 0) - at(r, 1)]);
    const Y = X.map((r) => [at(r, 0), at(r, 1) + 0.5 * at(r, 2), at(r, 3)]);
    const res = await pwcca(r2, Y, { epsilon: 1e-6 });
    expect(res.coefficients.length).toBe(3);
    expect(at(res.coefficients, 2)).toBeLessThan(1e-6);
    expect(res.correlations[2]).toBe(0);
    expect(res.value as number).toBeGreaterThan(0);
  });

  test('more features than samples: null with a reason, as the original asserts', async () => {
    const wide = X.slice(0, 4);
    const r = await meanCCA(wide, XB.slice(0, 4));
    expect(r.value).toBeNull();
    expect(r.reason).toMatch(/X has 5 features for 4 samples/);
    expect((await pwcca(wide, XB.slice(0, 4))).reason).toMatch(/fewer features than samples/);
    const constant = X.map(() => [1, 1]);
    expect((await meanCCA(X, constant)).reason).toMatch(/Y is constant/);
  });

  test('argument errors', async () => {
    await expect(meanCCA(X, XB, { epsilon: -1 })).rejects.toThrow(/epsilon must be a finite number >= 0/);
    await expect(svcca(X, XB, { keep: 0 })).rejects.toThrow(/keep must be a positive integer/);
    await expect(pwcca(X, XB.slice(1))).rejects.toThrow(/X has 60 rows but Y has 59/);
  });
});
