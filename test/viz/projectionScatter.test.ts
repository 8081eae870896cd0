import { categoryColor } from '../../src/viz/categoryColor';
import type { ScatterTrace } from '../../src/viz/Figure';
import { pcaTitle } from '../../src/viz/pcaTitle';
import { projectionGrid } from '../../src/viz/projectionGrid';
import { projectionScatter } from '../../src/viz/projectionScatter';

function sc(t: unknown): ScatterTrace {
  const s = t as ScatterTrace;
  expect(s.type).toBe('scatter');
  return s;
}

// Five items, labels 2, 0, 2, 1, 0: by hand, label 0 holds items 1 and 4, label 1 item 3, label 2 items 0 and 2.
const points = [
  [0, 10],
  [1, 11],
  [2, 12],
  [3, 13],
  [4, 14],
];
const labels = [2, 0, 2, 1, 0];

describe('projectionScatter', () => {
  it('draws one trace per label, in label order, holding exactly that label\'s points', () => {
    const f = projectionScatter(points, labels, { title: 't-SNE layer 6' });
    const t = f.data.map(sc);
    expect(t.map((x) => x.name)).toEqual(['0', '1', '2']);
    expect(t.map((x) => x.x)).toEqual([[1, 4], [3], [0, 2]]);
    expect(t.map((x) => x.y)).toEqual([[11, 14], [13], [10, 12]]);
    expect(t.every((x) => x.mode === 'markers')).toBe(true);
    expect(f.layout.title?.text).toBe('t-SNE layer 6');
  });

  it('shows item ids and label names on hover', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const t = projectionScatter({ rows: 5, cols: 2, data: Float32Array.from(points.flat()) }, labels, {
      title: 't',
      ids,
      labelNames: ['yes', 'no', 'up'],
    }).data.map(sc);
    expect(t.map((x) => x.name)).toEqual(['yes', 'no', 'up']);
    expect(t.map((x) => x.customdata)).toEqual([['b', 'e'], ['d'], ['a', 'c']]);
    expect(t[2]?.hovertemplate).toBe('id %{customdata}<br>label up<extra></extra>');
  });

  it('keeps a label\'s colour when a panel lacks other labels', () => {
    const all = projectionScatter(points, labels, { title: 't' }).data.map(sc);
    expect(all.map((x) => x.marker?.color)).toEqual([categoryColor(0), categoryColor(1), categoryColor(2)]);
    // only labels 1 and 2 present, but the order names label 0 too
    const some = projectionScatter(points.slice(2, 4), [2, 1], { title: 't', labelOrder: [0, 1, 2] }).data.map(sc);
    expect(some.map((x) => [x.name, x.marker?.color])).toEqual([
      ['1', categoryColor(1)],
      ['2', categoryColor(2)],
    ]);
  });

  it('accepts string labels and a record of names', () => {
    const t = projectionScatter(points.slice(0, 3), ['dog', 'cat', 'dog'], { title: 't', labelNames: { cat: 'Cat', dog: 'Dog' } }).data.map(sc);
    expect(t.map((x) => [x.name, x.x])).toEqual([
      ['Cat', [1]],
      ['Dog', [0, 2]],
    ]);
  });

  it('rejects wrong shapes and unknown labels', () => {
    expect(() => projectionScatter([[1, 2, 3]], [0], { title: 't' })).toThrow(/expected \[items, 2\] points, got \[1, 3\]/);
    expect(() => projectionScatter(points, [0, 1], { title: 't' })).toThrow(/labels has 2 entries but points has 5 rows/);
    expect(() => projectionScatter(points, labels, { title: 't', ids: ['a'] })).toThrow(/ids has 1 entries/);
    expect(() => projectionScatter(points, labels, { title: 't', labelNames: ['x'] })).toThrow(/no entry for label 1/);
    expect(() => projectionScatter(points, labels, { title: 't', labelOrder: [0, 1] })).toThrow(/labels\[0\] = 2 is not in labelOrder/);
    expect(() => projectionScatter([[0, NaN]], [0], { title: 't' })).toThrow(/NaN/);
  });
});

describe('projectionGrid', () => {
  it('puts one panel per layer on its own axes, same label colours, legend once', () => {
    const shifted = points.map(([x, y]) => [(x as number) + 100, (y as number) - 100]);
    const f = projectionGrid(
      [
        { title: 'layer 0', points },
        { title: 'layer 6', points: shifted },
        { title: 'layer 12', points },
      ],
      labels,
      { title: 't-SNE', labelNames: ['yes', 'no', 'up'] },
    );
    const t = f.data.map(sc);
    expect(t).toHaveLength(9);
    expect(t.map((x) => x.xaxis)).toEqual(['x', 'x', 'x', 'x2', 'x2', 'x2', 'x3', 'x3', 'x3']);
    expect(t.map((x) => x.yaxis)).toEqual(['y', 'y', 'y', 'y2', 'y2', 'y2', 'y3', 'y3', 'y3']);
    expect(t.slice(3, 6).map((x) => x.x)).toEqual([[101, 104], [103], [100, 102]]);
    expect(t.map((x) => x.showlegend)).toEqual([true, true, true, false, false, false, false, false, false]);
    expect(t[0]?.marker?.color).toBe(t[3]?.marker?.color);
    expect(t[0]?.legendgroup).toBe(t[6]?.legendgroup);
    expect(f.layout.annotations?.map((a) => a.text)).toEqual(['layer 0', 'layer 6', 'layer 12']);
    expect(f.layout.xaxis2?.anchor).toBe('y2');
  });

  it('checks every panel against the labels', () => {
    expect(() => projectionGrid([{ title: 'a', points }, { title: 'b', points: points.slice(1) }], labels)).toThrow(/panels\[1\]\.points has 4 rows/);
  });
});

describe('pcaTitle', () => {
  it('puts the explained variance of the shown components in the title', () => {
    expect(pcaTitle('layer 6', [0.412, 0.12, 0.05])).toBe('layer 6 (PC1 41.2%, PC2 12.0%; 53.2% total)');
    expect(pcaTitle('layer 0', Float64Array.from([1]), 1)).toBe('layer 0 (PC1 100.0%)');
    expect(() => pcaTitle('x', [0.5])).toThrow(/has 1 values, need 2/);
    expect(() => pcaTitle('x', [1.5, 0.1])).toThrow(/not a fraction/);
  });
});
