/**
 * `layerwise data get hub:REPO/CONFIG/SPLIT [--out DIR]`: fetch a Hugging Face dataset's split (its Parquet files,
 * read row group by row group; the audio written once into the cache) and, with --out, a folder that `layerwise
 * extract --data DIR/manifest.jsonl` and `loadManifest` read offline: the audio files and one manifest line per row.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadHubDataset, parseHubSource, type HubValue, type LoadHubDatasetOptions } from '../data/datasets/loadHubDataset';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { intOption, parseArgs } from './parseArgs';

export const usage = `usage: layerwise data get hub:REPO/CONFIG/SPLIT [--out DIR] [--revision R] [--streaming] [--limit N]

  hub:REPO/CONFIG/SPLIT   e.g. hub:speech_commands/v0.02/test, hub:org/name/default/train (CONFIG 'default'
                          for datasets without configs); the repository's own Parquet files are used, else the
                          hub's Parquet conversion (refs/convert/parquet)
  --out DIR               also write DIR/audio/* and DIR/manifest.jsonl (path, id, label, transcript, speaker,
                          row, and the other plain columns), for loadManifest and layerwise extract
  --revision R            branch, tag or commit (pin one for reproducible data)
  --streaming             read the Parquet files by HTTP range requests instead of downloading them
  --limit N               only the first N rows of the split
Files are cached under $LAYERWISE_CACHE (default ~/.cache/layerwise); $HF_ENDPOINT and $HF_TOKEN are honoured.`;

/** A column value as JSON: bytes and big integers do not go into the manifest. */
function jsonValue(v: HubValue): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return undefined;
  if (Array.isArray(v)) return v.map(jsonValue);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)]));
  return v;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'get') throw new Error(`expected 'data get', got ${sub === undefined ? 'nothing' : `'data ${sub}'`}\n${usage}`);
  const a = parseArgs(rest, { strings: ['out', 'revision', 'limit'], booleans: ['streaming'] });
  const [source, ...extra] = a.positional;
  if (source === undefined || extra.length > 0) throw new Error(`give one dataset as hub:REPO/CONFIG/SPLIT\n${usage}`);
  if (parseHubSource(source) === undefined) throw new Error(`'${source}' is not hub:REPO/CONFIG/SPLIT\n${usage}`);
  const limit = intOption(a.strings.limit, 'limit', 0);
  let last = 0;
  const opts: LoadHubDatasetOptions = {
    ...(a.strings.revision !== undefined ? { revision: a.strings.revision } : {}),
    ...(a.booleans.streaming === true ? { streaming: true } : {}),
    ...(limit !== undefined ? { limit } : {}),
    onProgress: (done, total) => {
      const now = Date.now();
      if (now - last > 2000 || done === total) process.stderr.write(`${source}: ${done}/${total} rows\n`);
      last = now;
    },
  };
  const ds = await loadHubDataset(source, opts);
  const labels = ds.labels();
  process.stdout.write(`${source}: ${ds.length} rows${labels.length > 0 ? `, ${labels.length} labels` : ''}; audio in ${ds.length > 0 ? path.dirname(ds.at(0).path) : '(none)'}\n`);
  const out = a.strings.out;
  if (out === undefined) return 0;
  const audioDir = path.join(out, 'audio');
  fs.mkdirSync(audioDir, { recursive: true });
  const lines: string[] = [];
  for (const item of ds) {
    const name = `${String(item.row).padStart(6, '0')}${path.extname(item.path)}`;
    const dest = path.join(audioDir, name);
    if (!(fs.existsSync(dest) && fs.statSync(dest).size === fs.statSync(item.path).size)) fs.copyFileSync(item.path, dest);
    const columns = Object.fromEntries(Object.entries(item.columns).map(([k, v]) => [k, jsonValue(v)]));
    lines.push(JSON.stringify({ path: `audio/${name}`, id: item.id, label: item.label, transcript: item.transcript, speaker: item.speaker, row: item.row, columns }));
  }
  // the manifest last, so a folder with a manifest is a complete copy
  writeFileAtomic(path.join(out, 'manifest.jsonl'), lines.join('\n') + '\n');
  process.stdout.write(`${out}: ${ds.length} audio files and manifest.jsonl\n`);
  return 0;
}
