/**
 * The on-disk description of a feature store (`DIR/meta.json`), shared by the writer and the reader.
 *
 * Layout of a store directory:
 * - `meta.json`: this record; present only once extraction has finished.
 * - mean pooling: `layer_XX.npy` / `local_XX.npy` / `ffn_XX.npy`, each float32 `[items, dim]`, rows in item order.
 * - segment pooling (phones or words from an alignment): the same files, `[segments, dim]`, each item's
 *   segments (`items[i].segments`) in time order, items in dataset order.
 * - frame pooling: `layer_XX/shard_NNNNN.npy` (and `local_XX/`, `ffn_XX/`), each float32 `[frames, dim]`:
 *   the frames of a run of consecutive items (`shards[k]`); `items[i].frameOffset` is the item's first row
 *   in the store-wide frame numbering (layers with their own `frameCounts` number their rows by those).
 * - `.partial/`: work in progress of an unfinished run (removed when it finishes).
 *
 * The record holds no time stamps, so an interrupted-and-resumed run writes the same bytes as one that ran
 * straight through.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../util/describeError';

export const FEATURE_STORE_VERSION = 1;

/**
 * How a store keeps a clip's frames: `mean` (one row per item), `frames` (every frame) or `segments` (one
 * row per aligned phone or word: the mean of its frames).
 */
export type Pooling = 'mean' | 'frames' | 'segments';

/** One aligned span of an item in a segment store: its label, times in seconds and transformer frames `[first, end)`. */
export interface StoreSegment {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly first: number;
  readonly last: number;
}

/** How a segment store cut items into spans (part of its fingerprint). */
export interface SpanSetting {
  readonly tier: 'phone' | 'word';
  readonly rule: 'layerwise-analysis' | 'truncate-inclusive';
  readonly middleThird: boolean;
  /** sha256 over every item's spans, so a changed alignment makes a new store. */
  readonly spansHash: string;
}

/** The seed notebooks' `padding='max_length'`: zero-pad each clip to `maxLength` samples and pool every frame. */
export interface MaxLengthPadding {
  readonly mode: 'max_length';
  readonly maxLength: number;
}

/** One stored layer: its activation name, file stem and width. */
export interface StoreLayer {
  /** Activation name: `hidden.6`, `local.1`, `ffn.3`. */
  readonly name: string;
  /** File stem: `layer_06` (a `.npy` file for mean stores, a directory of shards for frame stores). */
  readonly file: string;
  readonly dim: number;
  /**
   * Frame stores only, for layers whose frame rate differs from the transformer's (early conv layers): the
   * rows each item has in this layer. Absent when every item has `items[i].frames` rows here.
   */
  readonly frameCounts?: readonly number[];
}

/** One stored item (dataset row) of a feature store, with its label, transcript and frame count. */
export interface StoreItem {
  readonly id: string;
  readonly label?: string | number;
  readonly transcript?: string;
  readonly speaker?: string;
  /** Segment bounds in seconds within the source file, when the item is a segment. */
  readonly start?: number;
  readonly end?: number;
  /** Samples the model saw (after resampling, before any padding). */
  readonly numSamples: number;
  /** Transformer frames the model produced for this item (rows of the first stored layer if none is hidden/ffn). */
  readonly frames: number;
  /** Frame stores: the item's first row in the store-wide frame numbering of layers without `frameCounts`. */
  readonly frameOffset?: number;
  /** Present when the clip ran in windows (`chunk`): how many. */
  readonly windows?: number;
  /** The audio file the features came from, as it was when it was read (so a resume can tell it changed). */
  readonly source?: ItemSource;
  /**
   * Segment stores: the item's spans, one store row each, in time order. `first`/`last` are the transformer
   * frames averaged, `[first, last)`; local (conv) layers average the same span on their own frame grid.
   */
  readonly segments?: readonly StoreSegment[];
}

/** An item's audio file: its path, and its size and modification time (whole milliseconds) when it was read. */
export interface ItemSource {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** One shard of a frame store: consecutive items in one `.npy` file per layer. */
export interface StoreShard {
  /** File name of the shard inside each layer directory (`shard_00000.npy`). */
  readonly file: string;
  /** Index (into `items`) of the shard's first item, and how many items it holds. */
  readonly firstItem: number;
  readonly items: number;
}

/** An item left out of a store (too short for one frame with `skipShort`, unreadable with `skipBad`), with the reason. */
export interface SkippedItem {
  readonly id: string;
  readonly reason: string;
  /** The file as it was when it was skipped: a rerun recomputes the item once the file has changed. */
  readonly source?: ItemSource;
}

/** What a store was made from; two runs may share a directory only if these agree. */
export interface StoreOptions {
  readonly modelHash: string;
  /** The rate the model was fed (a loader override changes the features without changing the hash). */
  readonly sampleRate: number;
  /** The model's per-clip normalisation (an override changes the features without changing the hash). */
  readonly normalize: boolean;
  readonly pooling: Pooling;
  readonly layers: readonly string[];
  readonly padding: MaxLengthPadding | null;
  readonly skipShort: boolean;
  /** Present (true) only when unreadable items were skipped rather than stopping the run. */
  readonly skipBad?: boolean;
  /** Present only when long clips ran in windows (`ExtractOptions.chunk`). */
  readonly chunk?: { readonly seconds: number; readonly overlapSeconds: number };
  /** Segment stores only: the tier and frame rule. */
  readonly span?: SpanSetting;
  /** Present (`10ms`) when conv layers 1-6 were stored on layerwise-analysis's 10 ms grid (`boxFilterLocal`). */
  readonly localGrid?: '10ms';
  /** Present when the model keeps only some of the frames it computes (`SpeechModel.frameNote`: Whisper's encoder). */
  readonly frames?: string;
  readonly shardItems: number;
  readonly shardFrames: number;
  /** Item keys in dataset order: the id, with `@start-end` for segments. */
  readonly itemKeys: readonly string[];
  /** Present in the store of one shard of a sharded run (`extract --shard I/N`); `mergeFeatureStores` joins them. */
  readonly shard?: StoreShardOf;
}

/** Which part of a sharded run a store holds. */
export interface StoreShardOf {
  readonly index: number;
  readonly count: number;
  /** Dataset positions (in the whole run's order) of this shard's items, ascending. */
  readonly positions: readonly number[];
  /** Fingerprint of the whole run's options: what a single-process run over every item would have. */
  readonly of: string;
}

/** The contents of a store's `meta.json`: model, options, items, layers and shards. */
export interface FeatureStoreMeta {
  readonly formatVersion: number;
  readonly pooling: Pooling;
  readonly padding: MaxLengthPadding | null;
  readonly model: { readonly id: string; readonly hash: string };
  readonly sampleRate: number;
  /** Seconds between transformer frames. */
  readonly frameSeconds: number;
  readonly layers: readonly StoreLayer[];
  /** Items with features, in dataset (row) order. */
  readonly items: readonly StoreItem[];
  readonly skipped: readonly SkippedItem[];
  /** Frame stores only (empty for mean stores). */
  readonly shards: readonly StoreShard[];
  /** Sum of `items[i].frames` (for segment stores too: the frames the model ran over). */
  readonly totalFrames: number;
  /** sha256 over `options`. */
  readonly fingerprint: string;
  readonly options: StoreOptions;
}

export const META_FILE = 'meta.json';
export const PARTIAL_DIR = '.partial';

/** Read and check `DIR/meta.json`; an unfinished run gets an error saying how to resume it. */
export function readFeatureStoreMeta(dir: string): FeatureStoreMeta {
  const file = path.join(dir, META_FILE);
  if (!fs.existsSync(file)) {
    if (fs.existsSync(path.join(dir, PARTIAL_DIR))) {
      throw new Error(`${dir}: the extraction into this directory has not finished; rerun the same extract command to resume it`);
    }
    throw new Error(`${dir}: no ${META_FILE}; this is not a layerwise feature store`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${errorMessage(e)})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${file}: expected a JSON object`);
  const m = parsed as Partial<FeatureStoreMeta>;
  if (m.formatVersion !== FEATURE_STORE_VERSION) {
    throw new Error(`${file}: format version ${String(m.formatVersion)}, this layerwise reads version ${FEATURE_STORE_VERSION}`);
  }
  if ((m.pooling !== 'mean' && m.pooling !== 'frames' && m.pooling !== 'segments') || !Array.isArray(m.layers) || !Array.isArray(m.items) || !Array.isArray(m.shards)) {
    throw new Error(`${file}: missing pooling, layers, items or shards`);
  }
  // The file names in meta.json are joined to the store's folder: a store from elsewhere must not make a
  // reader open files outside it (`../../etc/...`). Only the names the writer makes are accepted.
  for (const l of m.layers) {
    const name: unknown = typeof l === 'object' && l !== null && 'file' in l ? l.file : undefined;
    if (typeof name !== 'string' || !/^(layer|local|ffn)_\d{2,}$/.test(name)) {
      throw new Error(`${file}: layer file ${JSON.stringify(name)} is not a store file name (layer_NN, local_NN, ffn_NN); refusing a path outside the store`);
    }
  }
  for (const s of m.shards) {
    const name: unknown = typeof s === 'object' && s !== null && 'file' in s ? s.file : undefined;
    if (typeof name !== 'string' || !/^shard_\d{5,}\.npy$/.test(name)) {
      throw new Error(`${file}: shard file ${JSON.stringify(name)} is not a store file name (shard_NNNNN.npy); refusing a path outside the store`);
    }
  }
  return parsed as FeatureStoreMeta;
}
