/**
 * `load_dataset(repo, config, split=...)` for audio datasets on the Hugging Face hub: the split's Parquet files
 * (found by `findHubParquetFiles`) are downloaded through the hub client into the cache, read row group by row
 * group, and each row's audio bytes (the `Audio` feature's `{bytes, path}` struct) written once as an audio file
 * beside them, so the result is a `Dataset` of file items like the local loaders' and extraction takes it
 * unchanged. Columns come as `datasets` gives them: `ClassLabel` ids in `columns`, their names as `label`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, type DatasetItem } from './Dataset';
import { findHubParquetFiles } from './findHubParquetFiles';
import { hubFeatures, type HubFeature } from './hubFeatures';
import { detectAudioFormat } from '../audio/decodeAudio';
import { ParquetFile, type ParquetRecord } from '../io/ParquetFile';
import { downloadHubFile, hubCachePath, type HubOptions } from '../../hub/downloadHubFile';
import { openHubRanges } from '../../hub/openHubRanges';
import { writeFileAtomic } from '../../util/writeFileAtomic';

/** A plain column value as `datasets` returns it (int64 as number where exact, else bigint). */
export type HubValue = string | number | bigint | boolean | null | Uint8Array | readonly HubValue[] | { readonly [key: string]: HubValue };

/** One row of a hub dataset: a file item, plus its position in the split and every column but the audio. */
export interface HubDatasetItem extends DatasetItem {
  /** Row index within the split, in source order (what `datasets` shuffles). */
  readonly row: number;
  /** The other columns, as `datasets` gives them (`ClassLabel` columns as their integer ids). */
  readonly columns: Readonly<Record<string, HubValue>>;
}

/** Options of `loadHubDataset`: which config and split, the hub client's options, and column roles. */
export interface LoadHubDatasetOptions extends Omit<HubOptions, 'repoType'> {
  /** Dataset config (default 'default'; Speech Commands: 'v0.02'). */
  config?: string;
  /** Split (default 'train'). */
  split?: string;
  /** The audio column (default: the first `Audio` feature). */
  audioColumn?: string;
  /** The ClassLabel column whose name becomes `label` (default 'label' if it is one, else the first ClassLabel). */
  labelColumn?: string;
  /** Column giving item ids (default 'id' if present and unique, else the audio's `path`, else the row number). */
  idColumn?: string;
  /**
   * Read the Parquet files by HTTP range requests instead of downloading them first (like `streaming=True`):
   * only the footers and the row groups read are fetched. The rows' audio is still written to the cache.
   */
  streaming?: boolean;
  /** Only the first `limit` rows of the split (like `IterableDataset.take(limit)`); row groups past them are not read. */
  limit?: number;
  /** Called after each row group with rows read so far and the rows to read in all. */
  onProgress?: (rowsRead: number, totalRows: number) => void;
}

const TRANSCRIPT_COLUMNS = ['text', 'sentence', 'transcript', 'transcription', 'normalized_text'];
const SPEAKER_COLUMNS = ['speaker_id', 'speaker', 'client_id'];
const EXTENSIONS = { wav: '.wav', flac: '.flac', ogg: '.ogg', mp3: '.mp3' } as const;

interface FileRows {
  readonly file: string;
  readonly rows: { readonly columns: Record<string, HubValue>; readonly audioFile: string; readonly audioPath: string | null }[];
}

/** A dataset on the hub written as one string: `hub:REPO/CONFIG/SPLIT` (REPO may be `org/name`). */
export interface HubSource {
  readonly repo: string;
  readonly config: string;
  readonly split: string;
}

/** `hub:speech_commands/v0.02/test` -> {repo, config, split}; undefined for anything not starting with `hub:`. */
export function parseHubSource(text: string): HubSource | undefined {
  if (!text.startsWith('hub:')) return undefined;
  const parts = text.slice(4).split('/');
  if (parts.length !== 3 && parts.length !== 4) {
    throw new Error(`'${text}': a hub dataset is written hub:REPO/CONFIG/SPLIT (REPO may be org/name; CONFIG 'default' when the dataset has none)`);
  }
  const split = parts[parts.length - 1] ?? '';
  const config = parts[parts.length - 2] ?? '';
  const repo = parts.slice(0, parts.length - 2).join('/');
  if ([repo, config, split].some((p) => p === '')) throw new Error(`'${text}': empty repo, config or split in hub:REPO/CONFIG/SPLIT`);
  return { repo, config, split };
}

/**
 * Load `split` of `config` of the hub dataset `repo` (e.g. `loadHubDataset('speech_commands', {config: 'v0.02',
 * split: 'test'})`, or the same as `loadHubDataset('hub:speech_commands/v0.02/test')`). Files are cached (`$LAYERWISE_CACHE`, default ~/.cache/layerwise) and used offline once
 * there; pin `revision` for reproducible results. Errors name repo, config, split and file: a missing config
 * or split (listing those that exist), a truncated or unreadable Parquet file, a schema without an audio column,
 * a row without audio bytes.
 */
export async function loadHubDataset(source: string, opts: LoadHubDatasetOptions = {}): Promise<Dataset<HubDatasetItem>> {
  const parsed = parseHubSource(source);
  const repo = parsed?.repo ?? source;
  if (parsed !== undefined && (opts.config !== undefined || opts.split !== undefined)) {
    throw new Error(`loadHubDataset: '${source}' names its config and split; leave out the config and split options`);
  }
  const config = parsed?.config ?? opts.config ?? 'default';
  const split = parsed?.split ?? opts.split ?? 'train';
  const hub: HubOptions = { ...opts, repoType: 'dataset' };
  const found = await findHubParquetFiles(repo, config, split, hub);
  const at = { ...hub, revision: found.revision };
  const where = (file: string): string => `dataset ${repo}, config '${config}', split '${split}', file '${file}'`;
  const limit = opts.limit ?? Infinity;
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) throw new Error(`loadHubDataset: limit must be a non-negative integer, got ${opts.limit}`);
  const open = async (entry: string): Promise<ParquetFile> =>
    opts.streaming === true
      ? ParquetFile.fromRanges(await openHubRanges(repo, entry, at), where(entry))
      : ParquetFile.open((await downloadHubFile(repo, entry, at)).path, where(entry));

  const perFile: FileRows[] = [];
  let features: Map<string, HubFeature> | undefined;
  const opened: ParquetFile[] = [];
  try {
    // the whole split: every footer first (the row count to report progress against, and a bad file fails before
    // any audio is written); with a limit, files are opened in turn and those past the limit never fetched
    const eager = limit === Infinity;
    if (eager) for (const f of found.files) opened.push(await open(f.path));
    const total = eager ? opened.reduce((sum, p) => sum + p.rows, 0) : limit;
    let read = 0;
    for (let i = 0; i < found.files.length && read < total; i++) {
      const entry = found.files[i]?.path ?? '';
      let pq = opened[i];
      if (pq === undefined) {
        pq = await open(entry);
        opened.push(pq);
      }
      const fileFeatures = hubFeatures(pq.columns, pq.keyValue('huggingface'), pq.name);
      features ??= fileFeatures;
      const audioColumn = opts.audioColumn ?? [...fileFeatures].find(([, f]) => f.kind === 'audio')?.[0];
      if (audioColumn === undefined || !fileFeatures.has(audioColumn)) {
        const cols = pq.columns.map((c) => c.name).join(', ');
        throw new Error(`${pq.name}: ${audioColumn === undefined ? 'no Audio column' : `no column '${audioColumn}'`} (columns: ${cols}); pass audioColumn to name the one holding {bytes, path}`);
      }
      const audioDir = `${hubCachePath(repo, entry, at)}.audio`;
      const done = read;
      const rows = await readFileRows(pq, audioColumn, audioDir, total - read, (n) => opts.onProgress?.(done + n, total));
      perFile.push(rows);
      read += rows.rows.length;
    }
  } finally {
    for (const pq of opened) await pq.close();
  }
  return new Dataset(itemsOf(perFile, features ?? new Map(), opts, `dataset ${repo}, config '${config}', split '${split}'`));
}

/** Every row of one file: its columns, and its audio written to `audioDir` (once; a `.complete` record lists them). */
async function readFileRows(pq: ParquetFile, audioColumn: string, audioDir: string, maxRows: number, progress: (rows: number) => void): Promise<FileRows> {
  const marker = path.join(audioDir, '.complete.json');
  const recorded = readMarker(marker, pq.rows);
  const others = pq.columns.map((c) => c.name).filter((c) => c !== audioColumn);
  const rows: FileRows['rows'][number][] = [];
  let row = 0;
  for (let g = 0; g < pq.rowGroups.length && row < maxRows; g++) {
    // once the audio is on disk, read only the small columns (plus the audio path, for ids)
    const records: ParquetRecord[] = await pq.readRowGroup(g, recorded !== undefined && others.length > 0 ? others : undefined);
    for (const r of records) {
      if (row >= maxRows) break;
      const columns: Record<string, HubValue> = {};
      for (const c of others) columns[c] = plain(r[c]);
      let audioFile: string;
      let audioPath: string | null;
      if (recorded !== undefined) {
        const known = recorded[row];
        if (known === undefined) throw new Error(`${marker}: lists fewer rows than ${pq.name} holds; delete ${audioDir} and load again`);
        [audioFile, audioPath] = [path.join(audioDir, known.file), known.path];
      } else {
        ({ audioFile, audioPath } = writeAudio(r[audioColumn], row, audioDir, `${pq.name}, row ${row}, column '${audioColumn}'`));
      }
      rows.push({ columns, audioFile, audioPath });
      row++;
    }
    progress(row);
  }
  const whole = row === pq.rows;
  if (!whole && row < maxRows) throw new Error(`${pq.name}: read ${row} rows but the footer announces ${pq.rows}`);
  if (recorded === undefined && whole) {
    writeFileAtomic(marker, JSON.stringify(rows.map((r) => ({ file: path.basename(r.audioFile), path: r.audioPath }))) + '\n');
  }
  return { file: pq.name, rows };
}

function readMarker(marker: string, rows: number): { file: string; path: string | null }[] | undefined {
  if (!fs.existsSync(marker)) return undefined;
  try {
    const list: unknown = JSON.parse(fs.readFileSync(marker, 'utf8'));
    if (!Array.isArray(list) || list.length !== rows) return undefined;
    const ok = list.every((e: unknown) => typeof e === 'object' && e !== null && typeof (e as { file?: unknown }).file === 'string');
    return ok ? (list as { file: string; path: string | null }[]) : undefined;
  } catch {
    // a damaged record only costs a rewrite of the audio files
    return undefined;
  }
}

function writeAudio(value: unknown, row: number, audioDir: string, where: string): { audioFile: string; audioPath: string | null } {
  const audio = typeof value === 'object' && value !== null ? (value as { bytes?: unknown; path?: unknown }) : undefined;
  const audioPath = typeof audio?.path === 'string' ? audio.path : null;
  const bytes = audio?.bytes;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new Error(
      `${where}: no audio bytes${audioPath !== null ? ` (only the path '${audioPath}', a file outside the Parquet data, which is not supported)` : ''}`,
    );
  }
  const format = detectAudioFormat(bytes);
  if (format === null) throw new Error(`${where}: the audio bytes are not WAV, FLAC, Ogg or MP3 (first bytes ${Buffer.from(bytes.subarray(0, 8)).toString('hex')})`);
  const file = path.join(audioDir, `${String(row).padStart(6, '0')}${EXTENSIONS[format]}`);
  fs.mkdirSync(audioDir, { recursive: true });
  if (!(fs.existsSync(file) && fs.statSync(file).size === bytes.length)) writeFileAtomic(file, bytes);
  return { audioFile: file, audioPath };
}

/** Typed arrays of numbers that list columns may decode to (Uint8Array stays bytes). */
const NUMBER_ARRAYS = [Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array] as const;

/** A Parquet value as `datasets` gives it: int64 to number where exact, structs and lists element-wise. */
function plain(v: unknown): HubValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Uint8Array) return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Array.from(v);
  for (const T of NUMBER_ARRAYS) if (v instanceof T) return Array.from(v);
  if (typeof v === 'object') {
    const out: Record<string, HubValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return String(v);
}

function itemsOf(files: readonly FileRows[], features: Map<string, HubFeature>, opts: LoadHubDatasetOptions, where: string): HubDatasetItem[] {
  const classLabels = [...features].filter(([, f]) => f.kind === 'classLabel');
  const labelColumn = opts.labelColumn ?? (features.get('label')?.kind === 'classLabel' ? 'label' : classLabels[0]?.[0]);
  const labelFeature = labelColumn === undefined ? undefined : features.get(labelColumn);
  if (opts.labelColumn !== undefined && labelFeature?.kind !== 'classLabel') {
    throw new Error(`${where}: labelColumn '${opts.labelColumn}' is not a ClassLabel column (ClassLabel columns: ${classLabels.map(([c]) => c).join(', ') || 'none'})`);
  }
  const names = labelFeature?.kind === 'classLabel' ? labelFeature.names : undefined;
  const rows = files.flatMap((f) => f.rows);
  const columnNames = new Set(rows[0] === undefined ? [] : Object.keys(rows[0].columns));
  const pick = (candidates: readonly string[]): string | undefined => candidates.find((c) => columnNames.has(c));
  const transcriptColumn = pick(TRANSCRIPT_COLUMNS);
  const speakerColumn = pick(SPEAKER_COLUMNS);
  const ids = idsOf(rows, opts.idColumn, where);
  return rows.map((r, row) => {
    let label: string | undefined;
    if (names !== undefined && labelColumn !== undefined) {
      const id = r.columns[labelColumn];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < -1 || id >= names.length) {
        throw new Error(`${where}: row ${row}: '${labelColumn}' is ${String(id)}, not a class id in 0..${names.length - 1}`);
      }
      label = id === -1 ? undefined : names[id];
    }
    const transcript = transcriptColumn === undefined ? undefined : r.columns[transcriptColumn];
    const speaker = speakerColumn === undefined ? undefined : r.columns[speakerColumn];
    return {
      id: ids[row] ?? String(row),
      path: r.audioFile,
      row,
      columns: r.columns,
      ...(label !== undefined ? { label } : {}),
      ...(typeof transcript === 'string' ? { transcript } : {}),
      ...(speaker !== undefined && speaker !== null ? { speaker: String(speaker) } : {}),
    };
  });
}

function idsOf(rows: readonly FileRows['rows'][number][], idColumn: string | undefined, where: string): string[] {
  const unique = (ids: (string | undefined)[]): ids is string[] => ids.every((i) => i !== undefined) && new Set(ids).size === ids.length;
  const column = (c: string): (string | undefined)[] =>
    rows.map((r) => {
      const v = r.columns[c];
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
    });
  if (idColumn !== undefined) {
    const ids = column(idColumn);
    if (!unique(ids)) throw new Error(`${where}: idColumn '${idColumn}' is missing in some rows or not unique`);
    return ids;
  }
  for (const ids of [column('id'), rows.map((r) => r.audioPath ?? undefined)]) if (unique(ids)) return ids;
  return rows.map((_, i) => String(i));
}
