import * as dfd from 'danfojs-node';
import { formatNumber, table } from '../../src/viz/table';

describe('table', () => {
  it('renders row objects as an HTML table, columns in first-seen order, text escaped', () => {
    const html = table([{ layer: 0, cka: 0.912345678 }, { layer: 1, cka: 1e-7, note: '<b>&</b>' }], { title: 'CKA' });
    expect(html).toBe(
      '<table class="layerwise-table"><caption style="caption-side:top;text-align:left;font-weight:bold">CKA</caption>' +
        '<thead><tr><th>layer</th><th>cka</th><th>note</th></tr></thead>\n<tbody>\n' +
        '<tr><td style="text-align:right">0</td><td style="text-align:right">0.9123</td><td></td></tr>\n' +
        '<tr><td style="text-align:right">1</td><td style="text-align:right">1.000e-7</td><td>&lt;b&gt;&amp;&lt;/b&gt;</td></tr>\n' +
        '</tbody></table>',
    );
  });

  it('renders a danfojs DataFrame with its columns and values', () => {
    const df = new dfd.DataFrame({ model: ['wav2vec2', 'hubert'], acc: [0.5, 0.75] });
    const html = table(df, { columns: ['acc', 'model'], digits: 2 });
    expect(html).toContain('<thead><tr><th>acc</th><th>model</th></tr></thead>');
    expect(html).toContain('<tr><td style="text-align:right">0.50</td><td>wav2vec2</td></tr>');
    expect(html).toContain('<tr><td style="text-align:right">0.75</td><td>hubert</td></tr>');
    expect(html).not.toContain('<th></th>');
    const indexed = new dfd.DataFrame({ acc: [0.5, 0.75] }, { index: ['a', 'b'] });
    expect(table(indexed)).toContain('<tr><th>a</th><td style="text-align:right">0.5000</td></tr>');
  });

  it('formats numbers by magnitude', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.123456, 3)).toBe('0.123');
    expect(formatNumber(123456789.5)).toBe('1.235e+8');
    expect(formatNumber(NaN)).toBe('NaN');
  });

  it('names unknown columns', () => {
    expect(() => table([{ a: 1 }], { columns: ['b'] })).toThrow(/unknown column\(s\) 'b'/);
  });
});
