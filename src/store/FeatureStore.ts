/**
 * Reads a feature store written by `extractFeatures`: mean stores as one `[items, hidden]` matrix per layer,
 * frame stores as whole `[frames, hidden]` matrices, per-item slices, or shard by shard. Shards are plain
 * `.npy` files, and rows are read straight from their byte offsets, so random access to one item or one
 * shard (SAE training streams shuffled shards) never reads more of the store than it returns.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Matrix, RowBlocks } from '../matrix';
import { resolveActivationName } from '../model/activationNames';
import { atNum } from '../util/at';
import { parseNpyHeader } from '../data/io/NpyArray';
import { readFeatureStoreMeta, type FeatureStoreMeta, type StoreLayer, type StoreSegment } from './FeatureStoreMeta';

/** Where each item's frames lie in one layer of a frame store. */
export interface FrameIndex {
  readonly layer: string;
  /** Item ids in store order. */
  readonly ids: readonly string[];
  /** Row of each item's first frame in the layer's `[frames, hidden]` matrix. */
  readonly offsets: readonly number[];
  /** Frames (rows) of each item in this layer. */
  readonly counts: readonly number[];
  /** Shard (index into `meta.shards`) holding each item. */
  readonly shards: readonly number[];
  readonly totalFrames: number;
}

/** One shard of one layer: the frames of items `firstItem .. firstItem + ids.length - 1`. */
export interface FrameShard {
  readonly shard: number;
  readonly firstItem: number;
  readonly ids: readonly string[];
  /** Row of each item's first frame within `frames`. */
  readonly offsets: readonly number[];
  readonly counts: readonly number[];
  /** Row of the shard's first frame in the layer's whole `[frames, hidden]` matrix. */
  readonly firstFrame: number;
  /** `[frames, hidden]` float32. */
  readonly frames: Matrix<Float32Array>;
}

/** Read rows `[start, start + count)` of a float32 `[rows, cols]` .npy file into `into` from element `intoOffset` on (or a new array). */
export function readNpyRows(file: string, start: number, count: number, cols: number, into?: Float32Array, intoOffset = 0): Float32Array {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(12);
    fs.readSync(fd, head, 0, 12, 0);
    const headerLength = head[6] === 1 ? head.readUInt16LE(8) + 10 : head.readUInt32LE(8) + 12;
    const header = Buffer.alloc(Math.min(headerLength, 1 << 20));
    fs.readSync(fd, header, 0, header.length, 0);
    const h = parseNpyHeader(header, file);
    if (h.dtype !== 'float32' || !h.littleEndian || h.fortranOrder || h.shape.length !== 2 || h.shape[1] !== cols) {
      throw new Error(`${file}: expected a little-endian C-order float32 [rows, ${cols}] array, found ${h.dtype} [${h.shape.join(', ')}]`);
    }
    const rows = atNum(h.shape, 0);
    if (start < 0 || count < 0 || start + count > rows) throw new Error(`${file}: rows ${start}..${start + count} out of range [0, ${rows})`);
    const out = into ?? new Float32Array(count * cols);
    const bytes = new Uint8Array(out.buffer, out.byteOffset + intoOffset * 4, count * cols * 4);
    const got = fs.readSync(fd, bytes, 0, bytes.length, h.dataOffset + start * cols * 4);
    if (got !== bytes.length) throw new Error(`${file}: truncated: read ${got} of ${bytes.length} bytes`);
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** One row of a segment store: the utterance it belongs to and the segment. */
export interface SegmentRow extends StoreSegment {
  readonly utterance: string;
}

/** Options of `FeatureStore.frames`. */
export interface FramesOptions {
  /** Only the frames of the first `items` items (default all). */
  readonly items?: number;
}

/** The item id of every frame an index covers, in row order (the label of each row of `frames().matrix`). */
export function frameItemIds(index: FrameIndex): string[] {
  const out: string[] = [];
  index.ids.forEach((id, i) => {
    for (let t = 0; t < atNum(index.counts, i); t++) out.push(id);
  });
  return out;
}

/** A feature store on disk, opened read-only (see the file comment); `openFeatureStore` makes one. */
export class FeatureStore {
  readonly meta: FeatureStoreMeta;
  private readonly indexes = new Map<string, FrameIndex>();
  private readonly positionOf: ReadonlyMap<string, number>;

  constructor(readonly dir: string) {
    this.meta = readFeatureStoreMeta(dir);
    this.positionOf = new Map(this.meta.items.map((it, i) => [it.id, i] as const));
  }

  /** Stored activation names (`hidden.0`, ..., `local.3`, ...), in store order. */
  get layerNames(): string[] {
    return this.meta.layers.map((l) => l.name);
  }

  get itemIds(): string[] {
    return this.meta.items.map((it) => it.id);
  }

  /**
   * The label of every row of `layer()`: each item's label (undefined where the dataset had none), or in a
   * segment store each segment's phone or word.
   */
  get labels(): (string | number | undefined)[] {
    if (this.meta.pooling === 'segments') return this.segments.map((s) => s.label);
    return this.meta.items.map((it) => it.label);
  }

  /** Segment stores: one entry per row of `layer()`, with its utterance id, label, times and frames. */
  get segments(): SegmentRow[] {
    if (this.meta.pooling !== 'segments') throw new Error(`${this.dir} is a ${this.meta.pooling} store; segments are kept only by span extraction (span: 'phone' | 'word')`);
    return this.meta.items.flatMap((it) => (it.segments ?? []).map((s) => ({ utterance: it.id, ...s })));
  }

  /** The stored layer called `name`: an activation name (`hidden.6`, `ffn.6`) or a hidden-state number (`6`). */
  layerInfo(name: string | number): StoreLayer {
    const key = resolveActivationName(name, this.layerNames, this.dir);
    const found = this.meta.layers.find((l) => l.name === key);
    if (found === undefined) throw new Error(`${this.dir}: no layer '${key}'`);
    return found;
  }

  /** Mean stores: the `[items, hidden]` matrix of one layer, rows in item order; segment stores: `[segments, hidden]` (see `segments`). */
  layer(name: string | number): Matrix<Float32Array> {
    const info = this.layerInfo(name);
    if (this.meta.pooling === 'frames') throw new Error(`${this.dir} is a frame store; use frames(), framesOf() or iterateShards() instead of layer()`);
    const file = path.join(this.dir, `${info.file}.npy`);
    const rows = this.meta.pooling === 'mean' ? this.meta.items.length : this.meta.items.reduce((t, it) => t + (it.segments?.length ?? 0), 0);
    return { rows, cols: info.dim, data: readNpyRows(file, 0, rows, info.dim) };
  }

  /** Frame stores: where every item's frames lie in layer `name`. */
  frameIndex(name: string | number): FrameIndex {
    const info = this.layerInfo(name);
    this.requireFrames('frameIndex');
    const cached = this.indexes.get(info.name);
    if (cached !== undefined) return cached;
    const counts = info.frameCounts ?? this.meta.items.map((it) => it.frames);
    const offsets: number[] = [];
    let total = 0;
    for (const c of counts) {
      offsets.push(total);
      total += c;
    }
    const shards = new Array<number>(counts.length);
    this.meta.shards.forEach((s, k) => shards.fill(k, s.firstItem, s.firstItem + s.items));
    const index: FrameIndex = { layer: info.name, ids: this.itemIds, offsets, counts, shards, totalFrames: total };
    this.indexes.set(info.name, index);
    return index;
  }

  /**
   * Frame stores: the `[frames, hidden]` matrix of a layer with its index: all items, or with `items` only the
   * first `items` items (files are stored one after another, so those are the first rows; only the shards
   * that hold them are read). The returned index describes exactly the returned rows.
   */
  frames(name: string | number, opts: FramesOptions = {}): { matrix: Matrix<Float32Array>; index: FrameIndex } {
    const info = this.layerInfo(name);
    const full = this.frameIndex(name);
    const items = opts.items ?? full.ids.length;
    if (!(Number.isInteger(items) && items >= 0 && items <= full.ids.length)) {
      throw new Error(`${this.dir}: frames(): items must be an integer in [0, ${full.ids.length}], got ${items}`);
    }
    const index: FrameIndex =
      items === full.ids.length
        ? full
        : {
            layer: full.layer,
            ids: full.ids.slice(0, items),
            offsets: full.offsets.slice(0, items),
            counts: full.counts.slice(0, items),
            shards: full.shards.slice(0, items),
            totalFrames: items < full.ids.length ? atNum(full.offsets, items) : full.totalFrames,
          };
    const data = new Float32Array(index.totalFrames * info.dim);
    for (const s of this.meta.shards) {
      if (s.firstItem >= items) break;
      const first = atNum(full.offsets, s.firstItem);
      const rows = this.shardRows(full, s.firstItem, Math.min(s.items, items - s.firstItem));
      readNpyRows(path.join(this.dir, info.file, s.file), 0, rows, info.dim, data, first * info.dim);
    }
    return { matrix: { rows: index.totalFrames, cols: info.dim, data }, index };
  }

  /** Frame stores: the frames `[frames, hidden]` of one item, read from its shard without reading the rest. */
  framesOf(itemId: string, name: string | number): Matrix<Float32Array> {
    const info = this.layerInfo(name);
    const index = this.frameIndex(name);
    const i = this.positionOf.get(itemId);
    if (i === undefined) {
      const skipped = this.meta.skipped.find((s) => s.id === itemId);
      throw new Error(`${this.dir}: no item '${itemId}'${skipped !== undefined ? ` (skipped during extraction: ${skipped.reason})` : ''}`);
    }
    const k = atNum(index.shards, i);
    const shard = this.meta.shards[k];
    if (shard === undefined) throw new Error(`${this.dir}: item '${itemId}' is in no shard; meta.json is inconsistent`);
    const start = atNum(index.offsets, i) - atNum(index.offsets, shard.firstItem);
    const count = atNum(index.counts, i);
    return { rows: count, cols: info.dim, data: readNpyRows(path.join(this.dir, info.file, shard.file), start, count, info.dim) };
  }

  /** Number of shards of a frame store (0 for mean stores). */
  get shardCount(): number {
    return this.meta.shards.length;
  }

  /** Frame stores: shard `k` of a layer, read on its own (cheap random access for shuffled streaming). */
  readShard(name: string | number, k: number): FrameShard {
    const info = this.layerInfo(name);
    const index = this.frameIndex(name);
    const s = this.meta.shards[k];
    if (s === undefined) throw new Error(`${this.dir}: shard ${k} out of range [0, ${this.meta.shards.length})`);
    const rows = this.shardRows(index, s.firstItem, s.items);
    const firstFrame = atNum(index.offsets, s.firstItem);
    const data = readNpyRows(path.join(this.dir, info.file, s.file), 0, rows, info.dim);
    return {
      shard: k,
      firstItem: s.firstItem,
      ids: index.ids.slice(s.firstItem, s.firstItem + s.items),
      offsets: index.offsets.slice(s.firstItem, s.firstItem + s.items).map((o) => o - firstFrame),
      counts: index.counts.slice(s.firstItem, s.firstItem + s.items),
      firstFrame,
      frames: { rows, cols: info.dim, data },
    };
  }

  /** Frame stores: every shard of a layer in order (or in the order `order` lists), one in memory at a time. */
  *iterateShards(name: string | number, order?: readonly number[]): Generator<FrameShard> {
    this.requireFrames('iterateShards');
    const ks = order ?? this.meta.shards.map((_, k) => k);
    for (const k of ks) yield this.readShard(name, k);
  }

  /**
   * A layer's rows in blocks of at most `blockRows` (default 16384), in store order, read from disk as they are
   * consumed: frame stores shard by shard, mean and segment stores from their one file. Only one block is in
   * memory at a time (each a fresh array), so analyses that accumulate over rows (`linearCKA` on `RowBlocks`)
   * handle layers larger than memory.
   */
  rowBlocks(name: string | number, opts: { blockRows?: number } = {}): RowBlocks {
    const info = this.layerInfo(name);
    const blockRows = opts.blockRows ?? 16384;
    if (!(Number.isInteger(blockRows) && blockRows >= 1)) throw new Error(`${this.dir}: rowBlocks(): blockRows must be a positive integer, got ${blockRows}`);
    // runs of rows per file, in order: [file, first row in the file, rows]
    const runs: [string, number][] = [];
    if (this.meta.pooling === 'frames') {
      const index = this.frameIndex(info.name);
      for (const s of this.meta.shards) runs.push([path.join(this.dir, info.file, s.file), this.shardRows(index, s.firstItem, s.items)]);
    } else {
      const rows = this.meta.pooling === 'mean' ? this.meta.items.length : this.meta.items.reduce((n, it) => n + (it.segments?.length ?? 0), 0);
      runs.push([path.join(this.dir, `${info.file}.npy`), rows]);
    }
    const total = runs.reduce((n, [, r]) => n + r, 0);
    const cols = info.dim;
    return {
      rows: total,
      cols,
      name: `${this.dir}:${info.name}`,
      *blocks() {
        let block = new Float32Array(Math.min(blockRows, total) * cols);
        let filled = 0;
        for (const [file, rows] of runs) {
          let done = 0;
          while (done < rows) {
            const take = Math.min(rows - done, blockRows - filled);
            readNpyRows(file, done, take, cols, block, filled * cols);
            done += take;
            filled += take;
            if (filled === blockRows) {
              yield { rows: filled, cols, data: block };
              block = new Float32Array(blockRows * cols);
              filled = 0;
            }
          }
        }
        if (filled > 0) yield { rows: filled, cols, data: block.subarray(0, filled * cols) };
      },
    };
  }

  private shardRows(index: FrameIndex, firstItem: number, items: number): number {
    let rows = 0;
    for (let i = firstItem; i < firstItem + items; i++) rows += atNum(index.counts, i);
    return rows;
  }

  private requireFrames(what: string): void {
    if (this.meta.pooling !== 'frames') throw new Error(`${this.dir} is a mean-pooled store; ${what}() needs a frame store (use layer() instead)`);
  }
}

/** Open the feature store in `dir` (errors say when `dir` holds an unfinished extraction). */
export function openFeatureStore(dir: string): FeatureStore {
  return new FeatureStore(dir);
}
