/**
 * Tables and matrices as CSV or TSV files for a report or a spreadsheet: the rows `table()` shows (objects, columns
 * in first-seen order), or a matrix such as a layer x layer CKA result, with optional row and column names.
 * Numbers are written in full (`String(x)`, which reads back to the same double); RFC 4180 quoting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toMatrix, type MatrixLike } from '../matrix';
import type { Row } from './table';
import { writeFileAtomic } from '../util/writeFileAtomic';

/** Options of `saveCSV`. */
export interface SaveCSVOptions {
  /** Field separator (default: tab for a `.tsv` file, else comma). */
  delimiter?: ',' | '\t' | ';';
  /** Rows: the columns to write, in order (default every column, first-seen order). Matrix: its column names (default 0, 1, ...). */
  columns?: readonly string[];
  /** Matrix only: a name per row, written as a first column (e.g. layer names). */
  rowNames?: readonly string[];
  /** Matrix only: the header of the row-name column (default ''). */
  rowNamesHeader?: string;
}

function field(v: unknown, delimiter: string): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') s = String(v);
  else if (typeof v === 'string') s = v;
  else s = JSON.stringify(v) ?? String(v);
  return s.includes(delimiter) || /["\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function isRowObjects(x: readonly Row[] | MatrixLike): x is readonly Row[] {
  return Array.isArray(x) && x.length > 0 && x.every((r: unknown) => typeof r === 'object' && r !== null && !Array.isArray(r) && !ArrayBuffer.isView(r));
}

/**
 * Write `source` to `file` (parent folders created; written atomically). Returns the absolute path. Throws for
 * an empty table, unknown columns, or names that do not match the matrix's shape.
 */
export function saveCSV(source: readonly Row[] | MatrixLike, file: string, opts: SaveCSVOptions = {}): string {
  const out = path.resolve(file);
  const delimiter = opts.delimiter ?? (out.toLowerCase().endsWith('.tsv') ? '\t' : ',');
  const line = (cells: readonly unknown[]): string => cells.map((c) => field(c, delimiter)).join(delimiter);
  const lines: string[] = [];
  if (isRowObjects(source)) {
    if (opts.rowNames !== undefined) throw new Error('saveCSV: rowNames is for matrices; rows carry their own columns');
    const header: string[] = [];
    for (const r of source) for (const k of Object.keys(r)) if (!header.includes(k)) header.push(k);
    const columns = opts.columns ?? header;
    const unknown = columns.filter((c) => !header.includes(c));
    if (unknown.length > 0) throw new Error(`saveCSV: unknown column(s) ${unknown.map((c) => `'${c}'`).join(', ')}; the rows have ${header.join(', ')}`);
    lines.push(line(columns));
    for (const r of source) lines.push(line(columns.map((c) => r[c])));
  } else {
    if (Array.isArray(source) && source.length === 0) throw new Error(`saveCSV: nothing to write to ${out} (no rows)`);
    const m = toMatrix(source, 'saveCSV', { finite: false });
    const columns = opts.columns ?? Array.from({ length: m.cols }, (_, j) => String(j));
    if (columns.length !== m.cols) throw new Error(`saveCSV: ${columns.length} column names for a matrix of ${m.cols} columns`);
    if (opts.rowNames !== undefined && opts.rowNames.length !== m.rows) throw new Error(`saveCSV: ${opts.rowNames.length} row names for a matrix of ${m.rows} rows`);
    const names = opts.rowNames;
    lines.push(line(names !== undefined ? [opts.rowNamesHeader ?? '', ...columns] : columns));
    for (let i = 0; i < m.rows; i++) {
      const values = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
      lines.push(line(names !== undefined ? [names[i], ...values] : values));
    }
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  writeFileAtomic(out, lines.join('\r\n') + '\r\n');
  return out;
}
