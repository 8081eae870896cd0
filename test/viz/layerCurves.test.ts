import { layerCurves } from '../../src/viz/layerCurves';
import type { ScatterTrace } from '../../src/viz/Figure';

function sc(t: unknown): ScatterTrace {
  const s = t as ScatterTrace;
  expect(s.type).toBe('scatter');
  return s;
}

describe('layerCurves', () => {
  it('draws one line per series over the layers, with error bars where given', () => {
    const f = layerCurves(
      [
        { name: 'wav2vec2', values: [0.1, 0.5, 0.9], errors: [0.01, 0.02, 0.03] },
        { name: 'hubert', values: Float64Array.from([0.2, 0.4, 0.6]) },
      ],
      { title: 'Convexity', yTitle: 'convexity', xNames: ['L0', 'L1', 'L2'], yRange: [0, 1] },
    );
    expect(f.data).toHaveLength(2);
    const [a, b] = f.data.map(sc);
    if (a === undefined || b === undefined) throw new Error('missing traces');
    expect(a.name).toBe('wav2vec2');
    expect(a.x).toEqual(['L0', 'L1', 'L2']);
    expect(a.y).toEqual([0.1, 0.5, 0.9]);
    expect(a.error_y).toEqual({ type: 'data', array: [0.01, 0.02, 0.03], visible: true });
    expect(b.y).toEqual([0.2, 0.4, 0.6]);
    expect(b.error_y).toBeUndefined();
    expect(a.mode).toBe('lines+markers');
    // series are told apart by colour
    expect(a.line?.color).not.toBe(b.line?.color);
    expect(f.layout.yaxis?.title?.text).toBe('convexity');
    expect(f.layout.yaxis?.range).toEqual([0, 1]);
    expect(f.layout.xaxis?.type).toBe('category');
  });

  it('numbers the layers 0..n-1 by default', () => {
    const t = sc(layerCurves([{ name: 's', values: [3, 2, 1, 0] }], { title: 't', yTitle: 'y' }).data[0]);
    expect(t.x).toEqual(['0', '1', '2', '3']);
  });

  it('rejects mismatched lengths, negative error bars, duplicate names and NaN', () => {
    const o = { title: 't', yTitle: 'y' };
    expect(() => layerCurves([{ name: 'a', values: [1, 2] }, { name: 'b', values: [1, 2, 3] }], o)).toThrow(/series\[1\] \('b'\) has 3 values but the x axis has 2/);
    expect(() => layerCurves([{ name: 'a', values: [1, 2], errors: [1] }], o)).toThrow(/errors has 1 values/);
    expect(() => layerCurves([{ name: 'a', values: [1, 2], errors: [1, -1] }], o)).toThrow(/errors\[1\] is negative/);
    expect(() => layerCurves([{ name: 'a', values: [1] }, { name: 'a', values: [2] }], o)).toThrow(/two series are named 'a'/);
    expect(() => layerCurves([{ name: 'a', values: [1, Infinity] }], o)).toThrow(/series\[0\]\.values\[1\] is Infinity/);
    expect(() => layerCurves([], o)).toThrow(/empty/);
  });
});
