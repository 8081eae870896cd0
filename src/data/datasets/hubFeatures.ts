/**
 * The column types Hugging Face `datasets` records in every Parquet file it writes: the footer's `huggingface`
 * key holds `{"info": {"features": {...}}}`, where `Audio` marks a `{bytes, path}` struct column, `ClassLabel`
 * an integer column with its class `names`, and `Value` a plain column. Files written without `datasets` have
 * no such key; then a struct with `bytes` and `path` children is taken as audio and everything else as values.
 */
import type { ParquetColumn } from '../io/ParquetFile';
import { errorMessage } from '../../util/describeError';

/** What `datasets` says a column holds. */
export type HubFeature =
  | { readonly kind: 'audio'; readonly samplingRate: number | undefined }
  | { readonly kind: 'classLabel'; readonly names: readonly string[] }
  | { readonly kind: 'value'; readonly dtype: string }
  | { readonly kind: 'other'; readonly type: string };

/** Each top-level column's feature, in schema order. `name` labels errors (repo, config, split, file). */
export function hubFeatures(columns: readonly ParquetColumn[], metadata: string | undefined, name: string): Map<string, HubFeature> {
  const declared = metadata === undefined ? undefined : declaredFeatures(metadata, name);
  const out = new Map<string, HubFeature>();
  for (const c of columns) {
    const d = declared?.[c.name];
    out.set(c.name, d !== undefined ? featureOf(d, c.name, name) : inferred(c));
  }
  return out;
}

function declaredFeatures(metadata: string, name: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch (e) {
    throw new Error(`${name}: the 'huggingface' metadata is not JSON (${errorMessage(e)})`);
  }
  const info = record(record(parsed)?.['info']);
  const features = record(info?.['features']);
  return features;
}

function featureOf(d: unknown, column: string, name: string): HubFeature {
  const f = record(d);
  const type = typeof f?.['_type'] === 'string' ? f['_type'] : undefined;
  if (type === 'Audio') {
    const rate = f?.['sampling_rate'];
    return { kind: 'audio', samplingRate: typeof rate === 'number' ? rate : undefined };
  }
  if (type === 'ClassLabel') {
    const names = f?.['names'];
    if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) {
      throw new Error(`${name}: ClassLabel column '${column}' has no list of class names in its 'huggingface' metadata`);
    }
    return { kind: 'classLabel', names };
  }
  if (type === 'Value') return { kind: 'value', dtype: typeof f?.['dtype'] === 'string' ? f['dtype'] : 'unknown' };
  return { kind: 'other', type: type ?? 'unknown' };
}

function inferred(c: ParquetColumn): HubFeature {
  if (c.type === undefined && c.children.includes('bytes') && c.children.includes('path')) return { kind: 'audio', samplingRate: undefined };
  return c.type === undefined ? { kind: 'other', type: 'struct' } : { kind: 'value', dtype: c.type };
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
