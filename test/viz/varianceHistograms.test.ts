import { activationTrace } from '../../src/viz/activationTrace';
import type { HistogramTrace, ScatterTrace } from '../../src/viz/Figure';
import { varianceHistograms } from '../../src/viz/varianceHistograms';

describe('varianceHistograms', () => {
  it('draws one histogram panel per layer over that layer\'s variances', () => {
    const v0 = [0.1, 0.2, 0.2, 1.4];
    const v6 = Float32Array.from([0.5, 5]);
    const f = varianceHistograms(
      [
        { name: 'layer 0', variances: v0 },
        { name: 'layer 6', variances: v6 },
      ],
      { title: 'variance per feature', bins: 30, logCounts: true },
    );
    const t = f.data as HistogramTrace[];
    expect(t.map((h) => h.type)).toEqual(['histogram', 'histogram']);
    expect(t[0]?.x).toEqual(v0);
    expect(t[1]?.x).toEqual([0.5, 5]);
    expect(t.map((h) => h.nbinsx)).toEqual([30, 30]);
    expect(t.map((h) => [h.xaxis, h.yaxis])).toEqual([
      ['x', 'y'],
      ['x2', 'y2'],
    ]);
    expect(f.layout.yaxis?.type).toBe('log');
    expect(f.layout.yaxis2?.type).toBe('log');
    expect(f.layout.annotations?.map((a) => a.text)).toEqual(['layer 0', 'layer 6']);
  });

  it('rejects negative variances and empty layers', () => {
    expect(() => varianceHistograms([{ name: 'l', variances: [1, -0.1] }])).toThrow(/variances\[1\] = -0.1 is negative/);
    expect(() => varianceHistograms([{ name: 'l', variances: [] }])).toThrow(/has no variances/);
  });
});

describe('activationTrace', () => {
  it('places frame i at i * frameSeconds and shades the highlighted span', () => {
    const f = activationTrace(Float32Array.from([0, 1, 4, 2]), { title: 'feature 17', frameSeconds: 0.02, highlight: { start: 0.02, end: 0.05 } });
    const t = f.data[0] as ScatterTrace;
    expect(t.x).toEqual([0, 0.02, 0.04, 0.06]);
    expect(t.y).toEqual([0, 1, 4, 2]);
    expect(f.layout.shapes).toEqual([
      expect.objectContaining({ type: 'rect', xref: 'x', yref: 'paper', x0: 0.02, x1: 0.05, y0: 0, y1: 1 }),
    ]);
    expect(f.layout.xaxis?.title?.text).toBe('time (s)');
  });

  it('rejects a bad frame hop or span', () => {
    expect(() => activationTrace([1], { title: 't', frameSeconds: 0 })).toThrow(/frameSeconds must be positive/);
    expect(() => activationTrace([1], { title: 't', frameSeconds: 0.02, highlight: { start: 0.5, end: 0.1 } })).toThrow(/start < end/);
  });
});
