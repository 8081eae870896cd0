/**
 * A manifest lists audio items in a CSV/TSV file (header row, RFC 4180 quoting) or a JSONL file (one object
 * per line). Recognised fields: `path` (required; relative paths are relative to the manifest's folder),
 * `id`, `label`, `start` and `end` (seconds, to cut a segment), `transcript`, `speaker`. Other fields are
 * ignored.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Dataset, type DatasetItem } from './Dataset';
import { errorMessage } from '../../util/describeError';
import { at } from '../../util/at';

/** The manifest's format: `csv`, `tsv` or `jsonl` (default: from the file extension). */
export type ManifestFormat = 'csv' | 'tsv' | 'jsonl';

/** Options of `loadManifest`. */
export interface LoadManifestOptions {
  /** Format (default from the extension: .csv, .tsv, .jsonl/.ndjson). */
  format?: ManifestFormat;
  /** Check that every referenced audio file exists (default true). */
  checkFiles?: boolean;
}

type Row = Record<string, unknown>;

/**
 * Load the manifest at `path`, keeping its row order. Without an `id` field, an item's id is its path as
 * written, plus `@start-end` for segments. Throws naming the manifest line for a missing path, a bad
 * start/end, a duplicate id or (with `checkFiles`) a missing audio file.
 */
export function loadManifest(path: string, opts: LoadManifestOptions = {}): Dataset {
  const { checkFiles = true } = opts;
  const manifest = resolve(path);
  if (!existsSync(manifest)) throw new Error(`loadManifest: ${manifest}: file not found`);
  const format = opts.format ?? formatFromName(manifest);
  const text = readFileSync(manifest, 'utf8').replace(/^\uFEFF/, '');
  const rows = format === 'jsonl' ? parseJsonl(text, manifest) : parseDelimited(text, format === 'tsv' ? '\t' : ',', manifest);
  if (rows.length === 0) throw new Error(`loadManifest: ${manifest}: no items`);
  const base = dirname(manifest);
  const items = rows.map(({ line, row }) => {
    const where = `loadManifest: ${manifest}:${line}`;
    const rawPath = stringField(row, 'path', where);
    if (rawPath === undefined) throw new Error(`${where}: missing 'path'`);
    const file = isAbsolute(rawPath) ? rawPath : resolve(base, rawPath);
    if (checkFiles && !(existsSync(file) && statSync(file).isFile())) throw new Error(`${where}: audio file not found: ${file}`);
    const start = seconds(row, 'start', where);
    const end = seconds(row, 'end', where);
    if (start !== undefined && end !== undefined && end <= start) throw new Error(`${where}: end (${end}) must be greater than start (${start})`);
    const segment = start !== undefined || end !== undefined ? `@${start ?? 0}-${end ?? ''}` : '';
    const item: { -readonly [K in keyof DatasetItem]: DatasetItem[K] } = { id: stringField(row, 'id', where) ?? `${rawPath}${segment}`, path: file };
    const label = stringField(row, 'label', where);
    const transcript = stringField(row, 'transcript', where);
    const speaker = stringField(row, 'speaker', where);
    if (label !== undefined) item.label = label;
    if (transcript !== undefined) item.transcript = transcript;
    if (speaker !== undefined) item.speaker = speaker;
    if (start !== undefined) item.start = start;
    if (end !== undefined) item.end = end;
    return item;
  });
  try {
    return new Dataset(items);
  } catch (e) {
    throw new Error(`loadManifest: ${manifest}: ${errorMessage(e)}`);
  }
}

function formatFromName(file: string): ManifestFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv')) return 'tsv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  throw new Error(`loadManifest: ${file}: cannot tell the format from the extension (.csv, .tsv, .jsonl); pass opts.format`);
}

/** A string field; numbers are accepted (labels are often integers); empty strings count as absent. */
function stringField(row: Row, key: string, where: string): string | undefined {
  const v = row[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new Error(`${where}: '${key}' must be a string, got ${JSON.stringify(v)}`);
}

function seconds(row: Row, key: string, where: string): number | undefined {
  const v = row[key];
  if (v === undefined || v === null || v === '') return undefined;
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x) || x < 0) throw new Error(`${where}: '${key}' must be a non-negative number of seconds, got ${JSON.stringify(v)}`);
  return x;
}

function parseJsonl(text: string, file: string): { line: number; row: Row }[] {
  const out: { line: number; row: Row }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new Error(`loadManifest: ${file}:${i + 1}: invalid JSON (${errorMessage(e)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`loadManifest: ${file}:${i + 1}: expected a JSON object`);
    out.push({ line: i + 1, row: value as Row });
  });
  return out;
}

/** RFC 4180 fields: quoted fields may hold the delimiter, newlines and doubled quotes. */
function parseDelimited(text: string, delimiter: string, file: string): { line: number; row: Row }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const ch = at(text, i);
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += ch;
    i++;
  }
  if (quoted) throw new Error(`loadManifest: ${file}:${recordLine}: unterminated quoted field`);
  if (field !== '' || fields.length > 0) endRecord();
  const header = records.shift();
  if (header === undefined) return [];
  const names = header.fields.map((h) => h.trim());
  if (!names.includes('path')) throw new Error(`loadManifest: ${file}:1: the header has no 'path' column (got ${names.join(', ')})`);
  return records.map(({ line: at, fields: values }) => {
    if (values.length !== names.length) {
      throw new Error(`loadManifest: ${file}:${at}: ${values.length} fields, the header has ${names.length}`);
    }
    const row: Row = {};
    names.forEach((n, k) => {
      row[n] = values[k];
    });
    return { line: at, row };
  });
}
