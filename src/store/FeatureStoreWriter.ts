/**
 * Writes a feature store in atomic shards so that an interrupted extraction (Ctrl-C, kill -9, a crash) resumes
 * where it stopped and a run with different arguments never mixes its output with another's.
 *
 * A shard covers consecutive dataset positions. Its data files are written to temporary names and renamed
 * into place; then its record `.partial/shard_NNNNN.json` is written the same way. A shard exists only once
 * its record does, so a killed run loses at most the shard it was writing. `finish()` assembles the final
 * layout (see FeatureStoreMeta), writes `meta.json` and removes `.partial/`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Matrix } from '../matrix';
import { NpyWriter } from '../data/io/NpyWriter';
import { readNpy } from '../data/io/readNpy';
import { LOCK_FILE } from '../util/dirLock';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { writeNpy } from '../data/io/writeNpy';
import {
  FEATURE_STORE_VERSION,
  META_FILE,
  PARTIAL_DIR,
  readFeatureStoreMeta,
  type FeatureStoreMeta,
  type ItemSource,
  type SkippedItem,
  type StoreItem,
  type StoreLayer,
  type StoreOptions,
  type StoreShard,
} from './FeatureStoreMeta';
import { layerFileStem } from '../model/activationNames';
import { at, atF32, atNum } from '../util/at';
import { errorMessage } from '../util/describeError';

export interface FeatureStoreWriterInit {
  readonly model: { readonly id: string; readonly hash: string };
  readonly sampleRate: number;
  readonly frameSeconds: number;
  readonly options: StoreOptions;
}

/** `.partial/run.json`: what the unfinished run was started with. */
interface RunRecord {
  readonly formatVersion: number;
  readonly fingerprint: string;
  readonly options: StoreOptions;
}

interface KeptRecord {
  readonly pos: number;
  readonly item: StoreItem;
  /** Rows per layer (1 each for mean stores). */
  readonly rows: readonly number[];
}

/** `.partial/shard_NNNNN.json`. */
interface ShardRecord {
  readonly shard: number;
  readonly firstPosition: number;
  readonly positions: number;
  readonly kept: readonly KeptRecord[];
  readonly skipped: readonly (SkippedItem & { readonly pos: number })[];
  /** Feature width per layer (empty when nothing was kept). */
  readonly dims: readonly number[];
}

const RUN_FILE = 'run.json';

/** sha256 over the canonical JSON of a store's options. */
export function storeFingerprint(options: StoreOptions): string {
  return createHash('sha256').update(JSON.stringify(options)).digest('hex');
}

/** The fingerprint of everything but the dataset: runs that agree on it can share committed shards. */
function optionsFingerprint(options: StoreOptions): string {
  return storeFingerprint({ ...options, itemKeys: [] });
}

/**
 * How many of an interrupted run's committed shards a run over `now` can take over: the longest prefix whose
 * every position holds the same item key in both datasets (a removed or replaced item ends the prefix).
 */
function sharedPrefix(records: readonly ShardRecord[], was: readonly string[], now: readonly string[]): number {
  let k = 0;
  for (const r of records) {
    for (let p = r.firstPosition; p < r.firstPosition + r.positions; p++) {
      if (p >= now.length || was[p] !== now[p]) return k;
    }
    k++;
  }
  return k;
}

function shardName(k: number): string {
  return `shard_${String(k).padStart(5, '0')}`;
}

/** Human-readable differences between the options a directory was made with and the requested ones. */
export function describeOptionChanges(was: StoreOptions, now: StoreOptions): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (was.modelHash !== now.modelHash) out.push(`model hash ${was.modelHash.slice(0, 12)} -> ${now.modelHash.slice(0, 12)}`);
  if (was.sampleRate !== now.sampleRate) out.push(`model sample rate ${was.sampleRate} -> ${now.sampleRate}`);
  if (was.normalize !== now.normalize) out.push(`model normalisation ${was.normalize} -> ${now.normalize}`);
  if (was.pooling !== now.pooling) out.push(`pooling ${was.pooling} -> ${now.pooling}`);
  if (!same(was.layers, now.layers)) out.push(`layers [${was.layers.join(', ')}] -> [${now.layers.join(', ')}]`);
  if (!same(was.padding, now.padding)) out.push(`padding ${JSON.stringify(was.padding)} -> ${JSON.stringify(now.padding)}`);
  if (was.skipShort !== now.skipShort) out.push(`skipShort ${was.skipShort} -> ${now.skipShort}`);
  if (JSON.stringify(was.chunk ?? null) !== JSON.stringify(now.chunk ?? null)) out.push(`chunk ${JSON.stringify(was.chunk ?? null)} -> ${JSON.stringify(now.chunk ?? null)}`);
  if (!same(was.span ?? null, now.span ?? null)) {
    const d = (x: StoreOptions['span']): string => (x === undefined ? 'none' : `${x.tier} (${x.rule}${x.middleThird ? ', middle third' : ''}, spans ${x.spansHash.slice(0, 12)})`);
    out.push(`spans ${d(was.span)} -> ${d(now.span)}`);
  }
  if ((was.localGrid ?? 'native') !== (now.localGrid ?? 'native')) out.push(`localGrid ${was.localGrid ?? 'native'} -> ${now.localGrid ?? 'native'}`);
  if ((was.skipBad ?? false) !== (now.skipBad ?? false)) out.push(`skipBad ${String(was.skipBad ?? false)} -> ${String(now.skipBad ?? false)}`);
  if (was.shardItems !== now.shardItems || was.shardFrames !== now.shardFrames) {
    out.push(`shard size ${was.shardItems} items/${was.shardFrames} frames -> ${now.shardItems}/${now.shardFrames}`);
  }
  if (!same(was.itemKeys, now.itemKeys)) {
    const n = Math.min(was.itemKeys.length, now.itemKeys.length);
    let i = 0;
    while (i < n && was.itemKeys[i] === now.itemKeys[i]) i++;
    const detail = i < n ? `first difference at position ${i}: '${was.itemKeys[i]}' -> '${now.itemKeys[i]}'` : 'one list extends the other';
    out.push(`dataset items (${was.itemKeys.length} -> ${now.itemKeys.length} items; ${detail})`);
  }
  return out;
}

/** One shard being filled; hand it to `FeatureStoreWriter.commit` when `full` (or at the end). */
export class ShardWriter {
  private readonly kept: KeptRecord[] = [];
  private readonly skippedItems: (SkippedItem & { pos: number })[] = [];
  private positions = 0;
  private frameCount = 0;
  private dims: number[] | null;
  /** Mean and segment stores: pooled rows, one Float32Array of all layers' widths per row. */
  private readonly meanRows: Float32Array[] = [];
  /** Frame stores: one streaming writer per layer, opened with the first kept item. */
  private writers: NpyWriter[] | null = null;

  constructor(
    readonly index: number,
    readonly firstPosition: number,
    private readonly dir: string,
    private readonly options: StoreOptions,
    dims: readonly number[] | null,
  ) {
    this.dims = dims === null ? null : [...dims];
  }

  /** True once the shard holds `shardItems` positions or (frame stores) `shardFrames` frames. */
  get full(): boolean {
    return this.positions >= this.options.shardItems || (this.options.pooling === 'frames' && this.frameCount >= this.options.shardFrames);
  }

  get size(): number {
    return this.positions;
  }

  private expect(pos: number): void {
    if (pos !== this.firstPosition + this.positions) {
      throw new Error(`ShardWriter: got dataset position ${pos}, expected ${this.firstPosition + this.positions}`);
    }
  }

  /** Add the item at dataset position `pos` with one matrix per layer (`[1, dim]` for mean stores, `[segments, dim]` for segment stores). */
  add(pos: number, item: StoreItem, values: readonly Matrix<Float32Array>[]): void {
    this.expect(pos);
    const layers = this.options.layers;
    if (values.length !== layers.length) throw new Error(`ShardWriter: item '${item.id}' has ${values.length} layers, the store ${layers.length}`);
    const dims = values.map((v) => v.cols);
    const known = this.dims ?? dims;
    this.dims = known;
    values.forEach((v, l) => {
      const want = atNum(known, l);
      if (v.cols !== want) throw new Error(`item '${item.id}': ${layers[l]} has ${v.cols} features, earlier items ${want}`);
      if (v.data.length !== v.rows * v.cols) throw new Error(`item '${item.id}': ${layers[l]} data does not match [${v.rows}, ${v.cols}]`);
      for (let k = 0; k < v.data.length; k++) {
        if (!Number.isFinite(atF32(v.data, k))) throw new Error(`item '${item.id}': ${layers[l]} holds ${v.data[k]} (row ${Math.floor(k / v.cols)}); the model produced non-finite values`);
      }
    });
    if (this.options.pooling !== 'frames') {
      const width = dims.reduce((a, b) => a + b, 0);
      const want = this.options.pooling === 'mean' ? 1 : (item.segments?.length ?? 0);
      for (const v of values) if (v.rows !== want) throw new Error(`ShardWriter: ${this.options.pooling} store got ${v.rows} rows for item '${item.id}', expected ${want}`);
      for (let r = 0; r < want; r++) {
        const row = new Float32Array(width);
        let off = 0;
        for (const v of values) {
          row.set(v.data.subarray(r * v.cols, (r + 1) * v.cols), off);
          off += v.cols;
        }
        this.meanRows.push(row);
      }
    } else {
      if (this.writers === null) {
        this.writers = layers.map((name, l) => {
          const folder = path.join(this.dir, layerFileStem(name));
          fs.mkdirSync(folder, { recursive: true });
          return new NpyWriter(path.join(folder, `${shardName(this.index)}.npy`), { dtype: 'float32', rowShape: [atNum(known, l)] });
        });
      }
      values.forEach((v, l) => ((this.writers as NpyWriter[])[l] as NpyWriter).append(v.data));
    }
    this.kept.push({ pos, item, rows: values.map((v) => v.rows) });
    this.positions++;
    this.frameCount += item.frames;
  }

  /** Record that the item at `pos` was skipped, and why. */
  skip(pos: number, id: string, reason: string, source?: ItemSource): void {
    this.expect(pos);
    this.skippedItems.push({ pos, id, reason, ...(source !== undefined ? { source } : {}) });
    this.positions++;
  }

  /** Write the shard's data files into place and return its record (called by the store writer). */
  flush(): ShardRecord {
    const dims = this.dims ?? [];
    if (this.kept.length > 0) {
      if (this.options.pooling !== 'frames') {
        const width = dims.reduce((a, b) => a + b, 0);
        const data = new Float32Array(this.meanRows.length * width);
        this.meanRows.forEach((r, i) => data.set(r, i * width));
        writeNpy(path.join(this.dir, PARTIAL_DIR, `${shardName(this.index)}.npy`), { data, shape: [this.meanRows.length, width] });
      } else {
        for (const w of this.writers ?? []) w.close();
      }
    }
    return {
      shard: this.index,
      firstPosition: this.firstPosition,
      positions: this.positions,
      kept: this.kept,
      skipped: this.skippedItems,
      dims: this.kept.length > 0 ? dims : [],
    };
  }

  /** Drop what was written (temporary files only; nothing committed is touched). */
  abort(): void {
    for (const w of this.writers ?? []) w.abort();
  }
}

export class FeatureStoreWriter {
  /** The finished store when `dir` already holds one made with the same options; nothing to do then. */
  readonly completeMeta: FeatureStoreMeta | null;
  private readonly records: ShardRecord[] = [];
  private readonly fingerprint: string;

  private constructor(
    readonly dir: string,
    private readonly init: FeatureStoreWriterInit,
    complete: FeatureStoreMeta | null,
    records: readonly ShardRecord[],
  ) {
    this.completeMeta = complete;
    this.records.push(...records);
    this.fingerprint = storeFingerprint(init.options);
  }

  /**
   * Open `dir` for writing: a new (missing or empty) directory starts a run; an unfinished run with the same
   * options resumes after its last committed shard; a finished store with the same options is returned as
   * `completeMeta`. Anything else (other options, foreign files) is refused.
   */
  static open(dir: string, init: FeatureStoreWriterInit): FeatureStoreWriter {
    const fingerprint = storeFingerprint(init.options);
    fs.mkdirSync(dir, { recursive: true });
    const refuse = (what: string, was: StoreOptions): never => {
      const changes = describeOptionChanges(was, init.options);
      throw new Error(
        `${dir} already holds ${what} made with different arguments (${changes.join('; ') || 'format version'}); ` +
          'use another output directory, or delete this one to start over',
      );
    };
    if (fs.existsSync(path.join(dir, META_FILE))) {
      const meta = readFeatureStoreMeta(dir);
      if (meta.fingerprint !== fingerprint) refuse('a finished feature store', meta.options);
      // A run killed between writing meta.json and removing its work folder leaves the folder behind.
      fs.rmSync(path.join(dir, PARTIAL_DIR), { recursive: true, force: true });
      return new FeatureStoreWriter(dir, init, meta, []);
    }
    const partial = path.join(dir, PARTIAL_DIR);
    const runFile = path.join(partial, RUN_FILE);
    if (fs.existsSync(runFile)) {
      const run = readJson<RunRecord>(runFile);
      if (run.formatVersion !== FEATURE_STORE_VERSION || optionsFingerprint(run.options) !== optionsFingerprint(init.options)) refuse('an unfinished extraction', run.options);
      // Same options, maybe another dataset (a bad file removed or replaced): keep the committed shards whose
      // items are unchanged, recompute from the first that differs.
      const all = committedShards(partial);
      const keep = sharedPrefix(all, run.options.itemKeys, init.options.itemKeys);
      removeUncommitted(dir, partial, keep, init.options);
      if (run.fingerprint !== fingerprint) {
        const updated: RunRecord = { formatVersion: FEATURE_STORE_VERSION, fingerprint, options: init.options };
        writeFileAtomic(runFile, JSON.stringify(updated));
      }
      return new FeatureStoreWriter(dir, init, null, all.slice(0, keep));
    }
    // A `.partial/` folder without this format's run record is not ours: never delete what a run did not create.
    if (fs.existsSync(partial) && fs.readdirSync(partial).length > 0) {
      throw new Error(`${dir} holds a ${PARTIAL_DIR}/ folder that no layerwise extraction started (no ${RUN_FILE} in it); move it away or choose another output directory`);
    }
    const foreign = fs.readdirSync(dir).filter((f) => f !== PARTIAL_DIR && f !== LOCK_FILE);
    if (foreign.length > 0) {
      throw new Error(`${dir} is not empty (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}) and holds no layerwise feature store; choose an empty or new output directory`);
    }
    fs.mkdirSync(partial, { recursive: true });
    const run: RunRecord = { formatVersion: FEATURE_STORE_VERSION, fingerprint, options: init.options };
    writeFileAtomic(runFile, JSON.stringify(run));
    return new FeatureStoreWriter(dir, init, null, []);
  }

  /** The shards an interrupted run committed (what a resume takes over): their kept and skipped items. */
  get committedShards(): readonly { readonly kept: readonly StoreItem[]; readonly skipped: readonly SkippedItem[] }[] {
    return this.records.map((r) => ({ kept: r.kept.map((k) => k.item), skipped: r.skipped }));
  }

  /** Give up the committed shards from `shard` on (their files are deleted); the run recomputes their items. */
  dropShardsFrom(shard: number): void {
    if (shard >= this.records.length) return;
    this.records.splice(shard);
    removeUncommitted(this.dir, path.join(this.dir, PARTIAL_DIR), shard, this.init.options);
  }

  /** The first dataset position no committed shard covers. */
  get nextPosition(): number {
    const last = this.records[this.records.length - 1];
    return last === undefined ? 0 : last.firstPosition + last.positions;
  }

  private get dims(): number[] | null {
    const withData = this.records.find((r) => r.dims.length > 0);
    return withData === undefined ? null : [...withData.dims];
  }

  startShard(): ShardWriter {
    return new ShardWriter(this.records.length, this.nextPosition, this.dir, this.init.options, this.dims);
  }

  /** Make the shard durable; an empty shard is ignored. */
  commit(shard: ShardWriter): void {
    if (shard.size === 0) return;
    if (shard.index !== this.records.length || shard.firstPosition !== this.nextPosition) {
      throw new Error(`FeatureStoreWriter: shard ${shard.index} is out of order (expected ${this.records.length})`);
    }
    let record: ShardRecord;
    try {
      record = shard.flush();
    } catch (e) {
      shard.abort();
      throw e;
    }
    writeFileAtomic(path.join(this.dir, PARTIAL_DIR, `${shardName(record.shard)}.json`), JSON.stringify(record));
    this.records.push(record);
  }

  /** Assemble the final store from the committed shards, write `meta.json`, remove `.partial/`. */
  finish(): FeatureStoreMeta {
    const o = this.init.options;
    if (this.nextPosition !== o.itemKeys.length) {
      throw new Error(`FeatureStoreWriter: ${this.nextPosition} of ${o.itemKeys.length} items are committed; cannot finish yet`);
    }
    const dims = this.dims;
    if (dims === null) throw new Error(`${this.dir}: every item was skipped (${this.records.flatMap((r) => r.skipped).map((s) => s.id).slice(0, 3).join(', ')}, ...); nothing to store`);
    const kept = this.records.flatMap((r) => r.kept);
    const skipped: SkippedItem[] = this.records.flatMap((r) => r.skipped.map((s) => ({ id: s.id, reason: s.reason, ...(s.source !== undefined ? { source: s.source } : {}) })));
    const framesOfItem = kept.map((k) => k.item.frames);
    const layers: StoreLayer[] = o.layers.map((name, l) => {
      const counts = kept.map((k) => atNum(k.rows, l));
      const layer: StoreLayer = { name, file: layerFileStem(name), dim: atNum(dims, l) };
      return o.pooling === 'frames' && counts.some((c, i) => c !== framesOfItem[i]) ? { ...layer, frameCounts: counts } : layer;
    });
    let items: StoreItem[];
    const shards: StoreShard[] = [];
    if (o.pooling !== 'frames') {
      items = kept.map((k) => k.item);
      this.assembleMean(dims);
    } else {
      let offset = 0;
      items = kept.map((k) => {
        const it: StoreItem = { ...k.item, frameOffset: offset };
        offset += k.item.frames;
        return it;
      });
      let first = 0;
      for (const r of this.records) {
        if (r.kept.length > 0) shards.push({ file: `${shardName(r.shard)}.npy`, firstItem: first, items: r.kept.length });
        first += r.kept.length;
      }
    }
    const meta: FeatureStoreMeta = {
      formatVersion: FEATURE_STORE_VERSION,
      pooling: o.pooling,
      padding: o.padding,
      model: { id: this.init.model.id, hash: this.init.model.hash },
      sampleRate: this.init.sampleRate,
      frameSeconds: this.init.frameSeconds,
      layers,
      items,
      skipped,
      shards,
      totalFrames: framesOfItem.reduce((a, b) => a + b, 0),
      fingerprint: this.fingerprint,
      options: o,
    };
    writeFileAtomic(path.join(this.dir, META_FILE), `${JSON.stringify(meta, null, 1)}\n`);
    fs.rmSync(path.join(this.dir, PARTIAL_DIR), { recursive: true, force: true });
    return meta;
  }

  /** Split the pooled shards (all layers side by side) into one `[items, dim]` file per layer. */
  private assembleMean(dims: readonly number[]): void {
    const o = this.init.options;
    const width = dims.reduce((a, b) => a + b, 0);
    const writers = o.layers.map((name, l) => new NpyWriter(path.join(this.dir, `${layerFileStem(name)}.npy`), { dtype: 'float32', rowShape: [atNum(dims, l)] }));
    try {
      for (const r of this.records) {
        if (r.kept.length === 0) continue;
        const file = path.join(this.dir, PARTIAL_DIR, `${shardName(r.shard)}.npy`);
        const a = readNpy(file);
        // One row per item (mean stores) or per segment (segment stores).
        const rows = r.kept.reduce((t, k) => t + atNum(k.rows, 0), 0);
        if (!(a.data instanceof Float32Array) || a.shape[0] !== rows || a.shape[1] !== width) {
          throw new Error(`${file}: expected float32 [${rows}, ${width}], found ${a.dtype} [${a.shape.join(', ')}]`);
        }
        const data = a.data;
        let off = 0;
        dims.forEach((d, l) => {
          const block = new Float32Array(rows * d);
          for (let i = 0; i < rows; i++) block.set(data.subarray(i * width + off, i * width + off + d), i * d);
          at(writers, l).append(block);
          off += d;
        });
      }
    } catch (e) {
      for (const w of writers) w.abort();
      throw e;
    }
    for (const w of writers) w.close();
  }
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${file}: cannot read (${errorMessage(e)}); delete the output directory to start over`);
  }
}

/** The shard records 0, 1, 2, ... that exist without a gap. */
function committedShards(partial: string): ShardRecord[] {
  const out: ShardRecord[] = [];
  for (let k = 0; ; k++) {
    const file = path.join(partial, `${shardName(k)}.json`);
    if (!fs.existsSync(file)) return out;
    const r = readJson<ShardRecord>(file);
    const prev = out[out.length - 1];
    const expected = prev === undefined ? 0 : prev.firstPosition + prev.positions;
    if (r.shard !== k || r.firstPosition !== expected) throw new Error(`${file}: shard record out of sequence; delete the output directory to start over`);
    out.push(r);
  }
}

/** Delete temporary files and the data of shards that never got their record (a killed run's last shard). */
function removeUncommitted(dir: string, partial: string, committed: number, o: StoreOptions): void {
  const isStale = (f: string): boolean => {
    if (f.startsWith('.') && f.endsWith('.tmp')) return true;
    const m = /^shard_(\d+)\.(npy|json)$/.exec(f);
    return m !== null && Number(m[1]) >= committed;
  };
  // The store's own folder too: a run killed while assembling the final layer files leaves their temporaries there.
  const folders = [dir, partial, ...(o.pooling === 'frames' ? o.layers.map((n) => path.join(dir, layerFileStem(n))) : [])];
  for (const folder of folders) {
    if (!fs.existsSync(folder)) continue;
    for (const f of fs.readdirSync(folder)) if (isStale(f)) fs.rmSync(path.join(folder, f), { force: true });
  }
}
