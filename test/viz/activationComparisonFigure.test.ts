import { compareActivationPercentages } from '../../src/sae/activationPercentage';
import { activationComparisonFigure } from '../../src/viz/activationComparisonFigure';
import type { BarTrace } from '../../src/viz/Figure';

describe('activationComparisonFigure', () => {
  it("draws the seed's three percentages as labelled bars on a log axis", () => {
    const rows = [
      { name: 'residual stream', percent: 49.00141525268555, features: 100 },
      { name: 'FFN intermediate', percent: 3.0695383548736572, features: 100 },
      { name: 'SAE latents', percent: 0.1665363609790802, features: 100 },
    ];
    const fig = activationComparisonFigure(rows, { title: 'Active entries (random weights)' });
    const [bars] = fig.data as [BarTrace];
    expect(fig.data).toHaveLength(1);
    expect(bars.x).toEqual(['residual stream', 'FFN intermediate', 'SAE latents']);
    expect(bars.y).toEqual([49.00141525268555, 3.0695383548736572, 0.1665363609790802]);
    expect(bars.text).toEqual(['49.0%', '3.07%', '0.167%']);
    expect(bars.customdata).toEqual(['100 features', '100 features', '100 features']);
    expect(fig.layout.yaxis?.type).toBe('log');
    // log10 range: floor(log10 0.1665) - 0.2 = -1.2 up to log10 49.0 + 0.5
    const range = fig.layout.yaxis?.range ?? [NaN, NaN];
    expect(range[0]).toBeCloseTo(-1.2, 12);
    expect(range[1]).toBeCloseTo(Math.log10(49.00141525268555) + 0.5, 12);
  });

  it('takes compareActivationPercentages rows (hand-counted) and falls back to a linear axis at 0%', () => {
    // 2 frames: a has 3 of 4 entries > 0, b has 1 of 4, c none.
    const rows = compareActivationPercentages({
      a: [[1, 2], [0.5, -1]],
      b: [[0, 0], [0, 3]],
      c: [[0, -1], [-2, 0]],
    });
    const fig = activationComparisonFigure(rows, { title: 't' });
    const [bars] = fig.data as [BarTrace];
    expect(bars.y).toEqual([75, 25, 0]);
    expect(bars.text).toEqual(['75.0%', '25.0%', '0%']);
    expect(bars.customdata).toEqual(['2 features', '2 features', '2 features']);
    expect(fig.layout.yaxis?.type).toBe('linear');
    expect(fig.layout.yaxis?.range).toEqual([0, 75 * 1.15]);
  });

  it('rejects bad rows', () => {
    expect(() => activationComparisonFigure([], { title: 't' })).toThrow(/rows is empty/);
    expect(() => activationComparisonFigure([{ name: 'a', percent: 101 }], { title: 't' })).toThrow(/rows\[0\].percent is 101/);
    expect(() => activationComparisonFigure([{ name: 'a', percent: NaN }], { title: 't' })).toThrow(/percent is NaN/);
    expect(() => activationComparisonFigure([{ name: 'a', percent: 1 }, { name: 'a', percent: 2 }], { title: 't' })).toThrow(/'a' appears twice/);
    expect(() => activationComparisonFigure([{ name: 'a', percent: 0 }], { title: 't', logY: true })).toThrow(/logY needs every percent above 0/);
  });
});
