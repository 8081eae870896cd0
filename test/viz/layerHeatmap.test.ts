import { heatmapGrid } from '../../src/viz/heatmapGrid';
import { layerHeatmap } from '../../src/viz/layerHeatmap';
import type { HeatmapTrace } from '../../src/viz/Figure';

const m3 = [
  [1, 0.5, 0.25],
  [0.5, 1, 0.75],
  [0.25, 0.75, 1],
];

function heat(t: unknown): HeatmapTrace {
  const h = t as HeatmapTrace;
  expect(h.type).toBe('heatmap');
  return h;
}

describe('layerHeatmap', () => {
  it('draws the matrix as given: z equals the input, layer names on both axes, row 0 at the top', () => {
    const f = layerHeatmap(m3, { title: 'CKA', names: ['L0', 'L1', 'L2'] });
    expect(f.data).toHaveLength(1);
    const t = heat(f.data[0]);
    expect(t.z).toEqual(m3);
    expect(t.x).toEqual(['L0', 'L1', 'L2']);
    expect(t.y).toEqual(['L0', 'L1', 'L2']);
    expect(t.colorscale).toBe('Viridis');
    expect(f.layout.title?.text).toBe('CKA');
    expect(f.layout.yaxis?.autorange).toBe('reversed');
    expect(f.layout.xaxis?.type).toBe('category');
    // square matrix: square cells
    expect(f.layout.yaxis?.scaleanchor).toBe('x');
  });

  it('copies the input instead of keeping a reference', () => {
    const input = m3.map((r) => [...r]);
    const t = heat(layerHeatmap(input, { title: 't' }).data[0]);
    (input[0] as number[])[0] = 42;
    expect((t.z[0] as number[])[0]).toBe(1);
  });

  it('defaults the layer names to 0..n-1 and the colour range to the data', () => {
    const t = heat(layerHeatmap(m3, { title: 't' }).data[0]);
    expect(t.x).toEqual(['0', '1', '2']);
    expect(t.zmin).toBeUndefined();
    expect(t.zmax).toBeUndefined();
  });

  it('compares model A (rows) with model B (columns) with different names', () => {
    const ab = [
      [0.1, 0.2, 0.3, 0.4],
      [0.5, 0.6, 0.7, 0.8],
    ];
    const f = layerHeatmap(ab, { title: 'A x B', yNames: ['a0', 'a1'], xNames: ['b0', 'b1', 'b2', 'b3'], yTitle: 'A layer', xTitle: 'B layer', zmin: 0, zmax: 1 });
    const t = heat(f.data[0]);
    expect(t.y).toEqual(['a0', 'a1']);
    expect(t.x).toEqual(['b0', 'b1', 'b2', 'b3']);
    expect(t.z).toEqual(ab);
    expect([t.zmin, t.zmax]).toEqual([0, 1]);
    expect(f.layout.yaxis?.title?.text).toBe('A layer');
    expect(f.layout.xaxis?.title?.text).toBe('B layer');
    expect(f.layout.yaxis?.scaleanchor).toBeUndefined();
  });

  it('annotates cells with the requested decimals', () => {
    expect(heat(layerHeatmap(m3, { title: 't', annotate: true }).data[0]).texttemplate).toBe('%{z:.2f}');
    expect(heat(layerHeatmap(m3, { title: 't', annotate: 3 }).data[0]).texttemplate).toBe('%{z:.3f}');
    expect(heat(layerHeatmap(m3, { title: 't' }).data[0]).texttemplate).toBeUndefined();
  });

  it('rejects bad input, naming the problem', () => {
    expect(() => layerHeatmap([[1, 2], [3]], { title: 't' })).toThrow(/row 1 has 1 values, expected 2/);
    expect(() => layerHeatmap([[1, NaN], [3, 4]], { title: 't' })).toThrow(/values\[0\]\[1\] is NaN/);
    expect(() => layerHeatmap(m3, { title: 't', names: ['a', 'b'] })).toThrow(/names has 2 names but the data has 3/);
    expect(() => layerHeatmap(m3, { title: 't', names: ['a', 'a', 'b'] })).toThrow(/duplicate/);
    expect(() => layerHeatmap(m3, { title: 't', zmin: 1, zmax: 0 })).toThrow(/zmin \(1\) must be below zmax \(0\)/);
    expect(() => layerHeatmap([], { title: 't' })).toThrow(/non-empty/);
  });
});

describe('heatmapGrid', () => {
  const a = [
    [1, 0.2],
    [0.2, 1],
  ];
  const b = [
    [0.9, -0.4],
    [-0.4, 0.9],
  ];
  const c = [
    [3, 1],
    [1, 3],
  ];

  it('puts the seed\'s three matrices side by side, each on its own axes with its title', () => {
    const f = heatmapGrid(
      [
        { title: 'CKA', values: a },
        { title: 'mutual kNN', values: b },
        { title: 'cosine', values: c },
      ],
      { title: 'Layer similarity' },
    );
    expect(f.data).toHaveLength(3);
    const traces = f.data.map(heat);
    expect(traces.map((t) => t.z)).toEqual([a, b, c]);
    expect(traces.map((t) => [t.xaxis, t.yaxis])).toEqual([
      ['x', 'y'],
      ['x2', 'y2'],
      ['x3', 'y3'],
    ]);
    expect(f.layout.annotations?.map((n) => n.text)).toEqual(['CKA', 'mutual kNN', 'cosine']);
    const d1 = f.layout.xaxis?.domain;
    const d2 = f.layout.xaxis2?.domain;
    const d3 = f.layout.xaxis3?.domain;
    if (d1 === undefined || d2 === undefined || d3 === undefined) throw new Error('missing domains');
    expect(d1[1]).toBeLessThan(d2[0]);
    expect(d2[1]).toBeLessThan(d3[0]);
    expect(f.layout.yaxis2?.anchor).toBe('x2');
    expect(f.layout.xaxis3?.anchor).toBe('y3');
    expect(f.layout.yaxis3?.autorange).toBe('reversed');
    // independent scales: every panel has its own colour bar and range
    expect(traces.map((t) => t.showscale)).toEqual([true, true, true]);
    expect(traces.every((t) => t.zmin === undefined && t.zmax === undefined)).toBe(true);
  });

  it('shares one colour scale across panels: the global min and max, one colour bar', () => {
    const f = heatmapGrid(
      [
        { title: 'A', values: a },
        { title: 'B', values: b },
        { title: 'C', values: c },
      ],
      { sharedScale: true },
    );
    const traces = f.data.map(heat);
    expect(traces.map((t) => [t.zmin, t.zmax])).toEqual([
      [-0.4, 3],
      [-0.4, 3],
      [-0.4, 3],
    ]);
    expect(traces.map((t) => t.showscale)).toEqual([false, false, true]);
  });

  it('uses given zmin/zmax as the shared scale', () => {
    const traces = heatmapGrid([{ title: 'A', values: a }, { title: 'B', values: b }], { zmin: 0, zmax: 1 }).data.map(heat);
    expect(traces.map((t) => [t.zmin, t.zmax])).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('wraps onto rows with columns', () => {
    const f = heatmapGrid([{ title: 'A', values: a }, { title: 'B', values: b }, { title: 'C', values: c }], { columns: 2 });
    const y1 = f.layout.yaxis?.domain;
    const y3 = f.layout.yaxis3?.domain;
    if (y1 === undefined || y3 === undefined) throw new Error('missing domains');
    expect(y3[1]).toBeLessThan(y1[0]);
    expect(f.layout.xaxis3?.domain).toEqual(f.layout.xaxis?.domain);
  });
});
