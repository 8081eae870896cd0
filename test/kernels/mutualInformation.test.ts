import { mutualInformation } from '../../src/kernels/mutualInformation';
import { loadFixture } from './fixtureB';

interface MICase {
  clusters: number[];
  labels: string[];
  mi: number;
  hLabels: number;
  hClusters: number;
  miOverHLabels: number | null;
  nmi: number;
  purity: number;
}

const cases = loadFixture<MICase[]>('mi.json');

test('matches sklearn mutual_info_score / normalized_mutual_info_score on every fixture case', () => {
  for (const c of cases) {
    const r = mutualInformation(c.clusters, c.labels);
    expect(r.mi).toBeCloseTo(c.mi, 12);
    expect(r.miBits).toBeCloseTo(c.mi / Math.LN2, 12);
    expect(r.hLabels).toBeCloseTo(c.hLabels, 12);
    expect(r.hClusters).toBeCloseTo(c.hClusters, 12);
    if (c.miOverHLabels === null) expect(r.miOverHLabels).toBeNull();
    else expect(r.miOverHLabels).toBeCloseTo(c.miOverHLabels, 12);
    expect(r.nmi).toBeCloseTo(c.nmi, 12);
    expect(r.purity).toBeCloseTo(c.purity, 12);
  }
});

test('hand-computed 2x2 case and the layerwise-analysis ratio', () => {
  // C = [0,0,1,1], Y = [a,a,a,b]: I = H(Y) - H(Y|C) = H(3/4,1/4) - 1/2 * ln 2.
  const hy = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
  const r = mutualInformation([0, 0, 1, 1], ['a', 'a', 'a', 'b']);
  expect(r.mi).toBeCloseTo(hy - 0.5 * Math.LN2, 14);
  expect(r.miOverHLabels).toBeCloseTo((hy - 0.5 * Math.LN2) / hy, 14);
  expect(r.purity).toBeCloseTo(0.75, 14);
  // Labels determined by clusters: I / H(Y) = 1 whatever the number of clusters.
  expect(mutualInformation([0, 1, 2, 3, 4, 5], [7, 7, 8, 8, 9, 9]).miOverHLabels).toBeCloseTo(1, 14);
});

test('rejects mismatched lengths and non-finite labels, naming the argument', () => {
  expect(() => mutualInformation([0, 1], [0, 1, 2])).toThrow(/labels: has 3 labels but there are 2/);
  expect(() => mutualInformation([0, NaN], [0, 1])).toThrow(/clusters: label 1 is NaN/);
  expect(() => mutualInformation([], [])).toThrow(/clusters: is empty/);
});
