import { escapeHtml } from './escapeHtml';

/** What `table` needs from a danfojs `DataFrame` (structural, so danfojs is not loaded unless you use it). */
export interface DataFrameLike {
  readonly columns: readonly string[];
  readonly index: readonly (string | number)[];
  /** `[rows, columns]` cell values. */
  readonly values: unknown;
}

/** One table row: column name to value. */
export type Row = Readonly<Record<string, unknown>>;

/** Options of `table`. */
export interface TableOptions {
  /** Caption above the table. */
  title?: string;
  /** Decimals for non-integer numbers (default 4); very small or large magnitudes use exponent notation. */
  digits?: number;
  /** Show the row index as the first column (default: only for DataFrames with a non-default index). */
  showIndex?: boolean;
  /** Column order and selection (default: every column, in first-seen order). */
  columns?: readonly string[];
}

/** Results as an HTML table, from plain row objects or a danfojs DataFrame. Show it with `show(table(...))`. */
export function table(source: readonly Row[] | DataFrameLike, opts: TableOptions = {}): string {
  const digits = opts.digits ?? 4;
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new Error(`table: digits must be an integer in [0, 15], got ${digits}`);
  const { header, rows, index } = isRows(source) ? fromRows(source) : fromDataFrame(source);
  const columns = opts.columns ?? header;
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`table: unknown column(s) ${missing.map((c) => `'${c}'`).join(', ')}; the data has ${header.join(', ')}`);
  const at = columns.map((c) => header.indexOf(c));
  const defaultIndex = index.every((v, i) => v === i);
  const showIndex = opts.showIndex ?? (!isRows(source) && !defaultIndex);
  const th = (showIndex ? ['<th></th>'] : []).concat(columns.map((c) => `<th>${escapeHtml(c)}</th>`)).join('');
  const body = rows
    .map((r, i) => {
      const cells = at.map((j) => cell(r[j], digits));
      if (showIndex) cells.unshift(`<th>${escapeHtml(String(index[i]))}</th>`);
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const caption = opts.title !== undefined ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(opts.title)}</caption>` : '';
  return `<table class="layerwise-table">${caption}<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/** A number as the table shows it. */
export function formatNumber(v: number, digits = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return v.toFixed(digits);
  return v.toExponential(Math.max(digits - 1, 0));
}

function cell(v: unknown, digits: number): string {
  if (typeof v === 'number') return `<td style="text-align:right">${formatNumber(v, digits)}</td>`;
  if (v === null || v === undefined) return '<td></td>';
  if (typeof v === 'string') return `<td>${escapeHtml(v)}</td>`;
  if (typeof v === 'boolean' || typeof v === 'bigint') return `<td>${String(v)}</td>`;
  return `<td>${escapeHtml(JSON.stringify(v) ?? String(v))}</td>`;
}

function isRows(x: readonly Row[] | DataFrameLike): x is readonly Row[] {
  return Array.isArray(x);
}

interface Cells {
  header: string[];
  rows: unknown[][];
  index: (string | number)[];
}

function fromRows(rows: readonly Row[]): Cells {
  const header: string[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new Error(`table: rows[${i}] is not an object`);
    for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); header.push(k); }
  });
  return { header, rows: rows.map((r) => header.map((k) => r[k])), index: rows.map((_, i) => i) };
}

function fromDataFrame(df: DataFrameLike): Cells {
  const header = [...df.columns];
  const values = df.values;
  if (!Array.isArray(values)) throw new Error('table: DataFrame values is not an array');
  const rows = values.map((r: unknown, i: number) => {
    // danfojs gives a 1-D array for a single-column frame.
    const row: unknown[] = Array.isArray(r) ? r : [r];
    if (row.length !== header.length) throw new Error(`table: DataFrame row ${i} has ${row.length} values for ${header.length} columns`);
    return row;
  });
  if (df.index.length !== rows.length) throw new Error(`table: DataFrame index has ${df.index.length} entries for ${rows.length} rows`);
  return { header, rows, index: [...df.index] };
}
