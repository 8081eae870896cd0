import { featureDensityHistogram } from '../../src/sae/featureDensityHistogram';
import type { BarTrace } from '../../src/viz/Figure';
import { featureDensityFigure } from '../../src/viz/featureDensityFigure';
import { at } from '../../src/util/at';

describe('featureDensityFigure', () => {
  // 8 latents measured on 1000 frames: fired on 0, 0, 1, 10, 10, 100, 500 and 1000 frames.
  const frequencies = [0, 0, 0.001, 0.01, 0.01, 0.1, 0.5, 1];
  // bins of width 1 on [-3, 0]: log10 = -3 -> bin 0; -2, -2 -> bin 1; -1, -0.301 -> bin 2; 0 -> last bin (2)
  const hist = featureDensityHistogram(frequencies, { bins: 3, minLog10: -3, maxLog10: 0 });

  it('draws the live latents per log10 bin and the dead ones as a separate bar left of the axis', () => {
    const fig = featureDensityFigure(hist, { title: 'density (random weights)', frames: 1000 });
    const [live, dead] = fig.data as [BarTrace, BarTrace];
    expect(live.type).toBe('bar');
    expect(live.x).toEqual([-2.5, -1.5, -0.5]);
    expect(live.y).toEqual([1, 2, 3]);
    expect(live.width).toEqual([1, 1, 1]);
    expect(dead.x).toEqual([-4]);
    expect(dead.y).toEqual([2]);
    expect(dead.name).toBe('dead (never fired)');
    expect(fig.layout.title?.text).toBe('density (random weights)');
    expect(fig.layout.bargap).toBe(0);
    expect(fig.layout.annotations?.[0]?.text).toBe('2 of 8 latents dead (25.0%); 1000 frames, so the lowest density seen is 1/1000 (log10 -3.00)');
  });

  it('keeps every latent: live counts plus dead equal the dictionary size', () => {
    const many = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 0 : ((i * 37) % 101) / 101 + 1e-4));
    const h = featureDensityHistogram(many, { frames: 100000 });
    const fig = featureDensityFigure(h, { title: 't' });
    const [live, dead] = fig.data as [BarTrace, BarTrace];
    expect(live.y.reduce((s, c) => s + c, 0) + at(dead.y, 0)).toBe(200);
    expect(dead.y[0]).toBe(many.filter((f) => f === 0).length);
    expect(fig.layout.annotations?.[0]?.text).toBe(`29 of 200 latents dead (14.5%)`);
  });

  it('rejects malformed histograms', () => {
    expect(() => featureDensityFigure({ edges: [0, 1], counts: [1, 2], dead: 0 }, { title: 't' })).toThrow(/edges has 2 values, expected counts.length \+ 1 = 3/);
    expect(() => featureDensityFigure({ edges: [0, 1, 1], counts: [1, 2], dead: 0 }, { title: 't' })).toThrow(/edges must increase/);
    expect(() => featureDensityFigure({ edges: [0, 1], counts: [1.5], dead: 0 }, { title: 't' })).toThrow(/counts\[0\] is 1.5/);
    expect(() => featureDensityFigure({ edges: [0, NaN], counts: [1], dead: 0 }, { title: 't' })).toThrow(/edges\[1\] is NaN/);
    expect(() => featureDensityFigure({ edges: [0, 1], counts: [1], dead: -1 }, { title: 't' })).toThrow(/dead is -1/);
    expect(() => featureDensityFigure(hist, { title: 't', frames: 0 })).toThrow(/frames must be a positive integer/);
  });
});
