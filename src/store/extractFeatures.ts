/**
 * Runs a dataset through a speech model and keeps every requested layer's hidden states on disk, mean-pooled
 * per item (`layer_XX.npy`, `[items, hidden]`), frame by frame (sharded `[frames, hidden]` plus an index), or
 * per aligned phone or word (`span`: `[segments, hidden]`, each row the mean of the span's frames by
 * layerwise-analysis's rule), with resumable atomic shards. This is the seeds' `output_hidden_states=True`
 * loop over a dataset.
 *
 * Clips run one at a time and unpadded, so a mean never averages over padding; `padding: {mode:
 * 'max_length'}` reproduces the seed notebook's zero-padding to a fixed length (the zeros are added before the
 * model's own normalisation, as Wav2Vec2FeatureExtractor does when it returns no attention mask).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { AlignedSpan, Alignment } from '../data/alignments/Alignment';
import { spanFrames, type FrameRule } from '../data/alignments/spanFrames';
import { loadAudio } from '../data/audio/loadAudio';
import { meanRowsInto, type Matrix } from '../matrix';
import type { ActivationCache } from '../model/ActivationCache';
import { type FeatureStoreMeta, type ItemSource, type MaxLengthPadding, type Pooling, type SkippedItem, type SpanSetting, type StoreItem, type StoreOptions, type StoreSegment } from './FeatureStoreMeta';
import { FeatureStoreWriter, storeFingerprint } from './FeatureStoreWriter';
import { itemSeconds, planShards } from './planShards';
import { boxFilterLocal } from './boxFilterLocal';
import { parseActivationName } from '../model/activationNames';
import { ProgressTracker, type ProgressCallback } from '../util/progress';
import { resolveLayers, type LayerSelection } from '../model/resolveLayers';
import { runInWindows, type WindowLayout } from '../model/runInWindows';
import type { ClipMeans, RunOptions, SpeechModel } from '../model/SpeechModel';
import { at, atF32 } from '../util/at';
import { errorCode, errorMessage } from '../util/describeError';
import { lockDirectory } from '../util/dirLock';

/** One clip: a file (or a segment of one) or samples already in memory. */
export interface ExtractItem {
  readonly id: string;
  readonly path?: string;
  /** Mono samples at the model's sample rate (used instead of `path` when given). */
  readonly samples?: Float32Array;
  readonly label?: string | number;
  readonly transcript?: string;
  readonly speaker?: string;
  /** Segment bounds in seconds within `path`. */
  readonly start?: number;
  readonly end?: number;
}

/** A dataset: a list of items, or anything with an `items` list (the data loaders' result). */
export type ExtractDataset = readonly ExtractItem[] | { readonly items: readonly ExtractItem[] };

/** Loads an item's audio as mono samples at `sampleRate`. */
export type AudioLoader = (item: ExtractItem, sampleRate: number) => Promise<Float32Array>;

/** Options of `extractFeatures`: pooling, layers, output folder, sharding, padding, progress. */
export interface ExtractOptions {
  /** Output directory (created if missing). */
  out: string;
  /** `mean` (default): one row per item; `frames`: every frame. */
  pooling?: Pooling;
  /** Layers to keep (default `'all'`: every hidden state). */
  layers?: LayerSelection;
  /**
   * Clips per model call when the model offers `runBatch` and consecutive clips have equal length
   * (default 1). Results equal one-at-a-time runs up to float rounding, so it is not part of the store's
   * fingerprint.
   */
  batchSize?: number;
  /** Items per shard (default 64): an interrupted run recomputes at most this many. */
  shardItems?: number;
  /** Frame stores also close a shard once it holds this many frames (default 8192). */
  shardFrames?: number;
  /** Reproduce the seed's `padding='max_length'` (default: none, clips run at their own length). */
  padding?: MaxLengthPadding | null;
  /** Skip clips shorter than `model.minSamples`, recording them in `meta.skipped` (default false: error). */
  skipShort?: boolean;
  /**
   * Skip items whose audio cannot be read (missing, corrupt or truncated files, NaN samples, empty audio),
   * recording each with the reason in `meta.skipped` (default false: the first such item stops the run). A
   * rerun after the file is fixed recomputes it, reusing every committed shard before it.
   */
  skipBad?: boolean;
  onProgress?: ProgressCallback;
  /**
   * Refuse a clip whose forward pass the model estimates to need more than this many bytes
   * (`SpeechModel.estimateRunBytes`; default 70% of this machine's memory), naming the clip, its length and
   * this option, instead of letting the out-of-memory killer end the process.
   */
  maxClipBytes?: number;
  /**
   * Run clips longer than `seconds` as overlapping windows of at most `seconds` (context included), each frame
   * taken from the window whose core holds it (`runInWindows`; default: every clip in one piece). The store
   * records the setting and, per item, how many windows it took.
   */
  chunk?: ChunkOptions;
  /** How to read `item.path` (default: `loadAudio` from the data module, resampled to the model's rate). */
  loadAudio?: AudioLoader;
  /**
   * Pool per aligned span instead of per clip: one row per phone or word interval of the item's alignment
   * (`alignments`, by item id), the mean of its frames. Every interval of the tier becomes a row (pass a data
   * sample's alignments to keep only the drawn segments); `pooling` must be left unset.
   */
  span?: 'phone' | 'word';
  /** With `span`: the alignments, by item id (`loadAlignments`, `sampleSegments(...).alignments`). */
  alignments?: ReadonlyMap<string, Alignment>;
  /** With `span`: `layerwise-analysis` (default) or seed 002's `truncate-inclusive` (see `spanFrames`). */
  frameRule?: FrameRule;
  /** With `span`: average the middle third of each span (default: true for phones, false for words, as the peer). */
  middleThird?: boolean;
  /** With `span`: seconds an interval may run past the end of its audio (default 0.01; aligners round). */
  spanTolerance?: number;
  /**
   * Frame stores: `10ms` stores conv layers 1-6 on layerwise-analysis's 10 ms grid (box-filtered,
   * `boxFilterLocal`) instead of their own rate (local.1 has one frame per 5 samples: 32 times the 10 ms
   * grid's rows); `native` (default) keeps every conv frame.
   */
  localGrid?: 'native' | '10ms';
  /**
   * Extract only shard `index` of `count` (`planShards`: equal audio time per shard) into `out`, a store of its
   * own that resumes like any other; `mergeFeatureStores` joins the `count` stores into the store a single run
   * writes. Not for span (phone/word) stores.
   */
  shard?: { readonly index: number; readonly count: number };
}

/** How `extractFeatures` cuts long clips (see `ExtractOptions.chunk`). */
export interface ChunkOptions {
  /** The longest piece run at once, in seconds, context included. */
  readonly seconds: number;
  /** Context on each side of a window's core, in seconds (default 1). */
  readonly overlapSeconds?: number;
}

/** What `extractFeatures` did: the store folder and its meta, items computed and resumed, audio seconds and wall time. */
export interface ExtractResult {
  readonly dir: string;
  readonly meta: FeatureStoreMeta;
  /** Items computed in this call (0 when the store was already complete). */
  readonly computed: number;
  /** Items taken over from an interrupted earlier run. */
  readonly resumed: number;
  /** Wall seconds spent in this call and seconds of audio it processed. */
  readonly seconds: number;
  readonly audioSeconds: number;
  readonly alreadyComplete: boolean;
}

/** Reads `item.path` (or its `start`-`end` segment) as mono samples at `sampleRate`. */
export const defaultAudioLoader: AudioLoader = async (item, sampleRate) => {
  if (item.path === undefined) throw new Error('has neither samples nor a path');
  const clip = await loadAudio(item.path, {
    sampleRate,
    ...(item.start !== undefined ? { start: item.start } : {}),
    ...(item.end !== undefined ? { end: item.end } : {}),
  });
  return clip.samples;
};

function datasetItems(dataset: ExtractDataset): readonly ExtractItem[] {
  const items = Array.isArray(dataset) ? (dataset as readonly ExtractItem[]) : (dataset as { items: readonly ExtractItem[] }).items;
  if (!Array.isArray(items)) throw new Error('extractFeatures: dataset must be a list of items or have an items list');
  return items;
}

function positiveInt(value: number, name: string): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new Error(`extractFeatures: ${name} must be a positive integer, got ${value}`);
  return value;
}

/** `id` with `@start-end` for segments: what identifies an item across runs. */
export function itemKey(item: Pick<ExtractItem, 'id' | 'start' | 'end'>): string {
  return item.start === undefined && item.end === undefined ? item.id : `${item.id}@${item.start ?? ''}-${item.end ?? ''}`;
}

function describeItem(item: ExtractItem): string {
  return item.path === undefined ? `item '${item.id}'` : `item '${item.id}' (${item.path})`;
}

interface Ready {
  readonly pos: number;
  readonly item: ExtractItem;
  /** The file as it was read (absent for in-memory samples). */
  readonly source: ItemSource | undefined;
  /** What the model runs (padded when `padding` is set). */
  readonly samples: Float32Array;
  /** Length before padding. */
  readonly numSamples: number;
  /** Run in windows (longer than `chunk.seconds`). */
  readonly chunked: boolean;
}

type Loaded = Ready | { readonly pos: number; readonly item: ExtractItem; readonly skip: string; readonly source?: ItemSource | undefined };

type Produced =
  | { readonly pos: number; readonly item: ExtractItem; readonly source: ItemSource | undefined; readonly numSamples: number; readonly cache: ActivationCache; readonly windows: number }
  | { readonly pos: number; readonly item: ExtractItem; readonly source: ItemSource | undefined; readonly numSamples: number; readonly means: ClipMeans }
  | { readonly pos: number; readonly item: ExtractItem; readonly skip: string; readonly source?: ItemSource | undefined };

/** Mean over frames of `[frames, dim]`, accumulated in float64. */
function meanRow(m: Matrix<Float32Array>): Matrix<Float32Array> {
  const row = new Float32Array(m.cols);
  meanRowsInto(m, 0, m.rows, row, 0);
  return { rows: 1, cols: m.cols, data: row };
}

function checkFinite(a: Float32Array, item: ExtractItem, what: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = atF32(a, i);
    if (!Number.isFinite(v)) throw new Error(`${describeItem(item)}: ${what} contains ${v} at position ${i}`);
  }
}

/** The stored activations of one item: `[1, dim]` means or the `[frames, dim]` matrices themselves (conv layers 1-6 on the 10 ms grid with `tenMs`). */
function pooled(item: ExtractItem, cache: ActivationCache, layers: readonly string[], pooling: Pooling, tenMs: boolean, numSamples: number): Matrix<Float32Array>[] {
  return layers.map((name) => {
    const m = cache.get(name);
    if (m.rows < 1) throw new Error(`${describeItem(item)}: the model produced 0 frames for ${name}`);
    if (pooling === 'mean') return meanRow(m);
    if (tenMs && name.startsWith('local.')) {
      const { index } = parseActivationName(name);
      if (index <= 6) return boxFilterLocal(m, index, numSamples, `${describeItem(item)}: ${name}`);
    }
    return m;
  });
}

/** Each layer's mean from the model's in-graph pooling, `[1, features]`. */
function meansOf(item: ExtractItem, clip: ClipMeans, layers: readonly string[]): Matrix<Float32Array>[] {
  return layers.map((name) => {
    const frames = clip.frames.get(name);
    const mean = clip.means.get(name);
    if (frames === undefined || mean === undefined) throw new Error(`${describeItem(item)}: the model's means lack ${name}`);
    if (frames < 1) throw new Error(`${describeItem(item)}: the model produced 0 frames for ${name}`);
    return { rows: 1, cols: mean.length, data: mean };
  });
}

/** The item's metadata row; `frames` counts transformer frames (the first hidden/ffn layer stored). */
function storeItem(item: ExtractItem, source: ItemSource | undefined, numSamples: number, framesOf: (layer: string) => number, layers: readonly string[], windows: number): StoreItem {
  const ref = layers.find((n) => !n.startsWith('local.')) ?? at(layers, 0);
  return {
    id: item.id,
    ...(item.label !== undefined ? { label: item.label } : {}),
    ...(item.transcript !== undefined ? { transcript: item.transcript } : {}),
    ...(item.speaker !== undefined ? { speaker: item.speaker } : {}),
    ...(item.start !== undefined ? { start: item.start } : {}),
    ...(item.end !== undefined ? { end: item.end } : {}),
    numSamples,
    frames: framesOf(ref),
    ...(source !== undefined ? { source } : {}),
    ...(windows > 1 ? { windows } : {}),
  };
}

/** Size and modification time of `file` now (size -1 when it does not exist). */
function statSource(file: string): ItemSource {
  try {
    const st = fs.statSync(file);
    // Whole milliseconds: what every file system and `fs.utimes` keep alike.
    return { path: file, size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return { path: file, size: -1, mtimeMs: -1 };
    throw e;
  }
}

/** Whether the file a stored or skipped item came from has changed since (size, or mtime beyond rounding). */
function sourceChanged(it: { readonly source?: ItemSource }): boolean {
  if (it.source === undefined) return false;
  const now = statSource(it.source.path);
  // Within a millisecond: file systems and `fs.utimes` round sub-millisecond times differently.
  return now.size !== it.source.size || Math.abs(now.mtimeMs - it.source.mtimeMs) > 1;
}

/**
 * The first committed shard a resume must recompute: one holding an item whose file changed (edited, replaced or
 * removed) since its features were stored, or a skipped item whose file changed since it was found unreadable.
 * Taking such a shard over would mix features of old and new audio, or keep a fixed file skipped.
 */
function firstStaleShard(shards: readonly { readonly kept: readonly StoreItem[]; readonly skipped: readonly SkippedItem[] }[]): number {
  return shards.findIndex((s) => [...s.kept, ...s.skipped].some(sourceChanged));
}

/** A resolved `span` setting: the store's record and each item's spans. */
interface ResolvedSpan {
  readonly setting: SpanSetting;
  readonly spansOf: ReadonlyMap<string, readonly AlignedSpan[]>;
  readonly sourceOf: ReadonlyMap<string, string>;
  readonly tolerance: number;
}

function resolveSpan(opts: ExtractOptions, items: readonly ExtractItem[]): ResolvedSpan | null {
  const { span } = opts;
  if (span === undefined) {
    for (const key of ['alignments', 'frameRule', 'middleThird'] as const) {
      if (opts[key] !== undefined) throw new Error(`extractFeatures: ${key} is given without span ('phone' or 'word')`);
    }
    return null;
  }
  if (span !== 'phone' && span !== 'word') throw new Error(`extractFeatures: span must be 'phone' or 'word', got '${String(span)}'`);
  if (opts.pooling !== undefined) throw new Error(`extractFeatures: span pools per ${span}; leave pooling unset (got '${opts.pooling}')`);
  const alignments = opts.alignments;
  if (alignments === undefined) throw new Error(`extractFeatures: span '${span}' needs alignments (loadAlignments or a data sample's alignments)`);
  const rule = opts.frameRule ?? 'layerwise-analysis';
  if (rule !== 'layerwise-analysis' && rule !== 'truncate-inclusive') throw new Error(`extractFeatures: frameRule must be 'layerwise-analysis' or 'truncate-inclusive', got '${String(rule)}'`);
  const middleThird = opts.middleThird ?? (span === 'phone' && rule === 'layerwise-analysis');
  if (middleThird && rule !== 'layerwise-analysis') throw new Error("extractFeatures: middleThird belongs to the 'layerwise-analysis' frame rule");
  const tolerance = opts.spanTolerance ?? 0.01;
  if (!(tolerance >= 0)) throw new Error(`extractFeatures: spanTolerance must be >= 0, got ${tolerance}`);
  const spansOf = new Map<string, readonly AlignedSpan[]>();
  const sourceOf = new Map<string, string>();
  const missing: string[] = [];
  const hash = createHash('sha256');
  for (const it of items) {
    const a = alignments.get(it.id);
    if (a === undefined) {
      missing.push(it.id);
      continue;
    }
    const spans = span === 'phone' ? a.phones : a.words;
    spansOf.set(it.id, spans);
    sourceOf.set(it.id, a.source);
    hash.update(`${it.id}\n`);
    for (const x of spans) hash.update(`${x.label}\t${x.start}\t${x.end}\n`);
  }
  if (missing.length > 0) {
    throw new Error(
      `extractFeatures: no alignment for ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? `, ... (${missing.length} items in all)` : ''}; ` +
        'keep only aligned items (dataset.filter((it) => alignments.has(it.id)))',
    );
  }
  return { setting: { tier: span, rule, middleThird, spansHash: hash.digest('hex') }, spansOf, sourceOf, tolerance };
}

/** Seconds between frames of `layer`: the transformer's, or a conv layer's own from the model's geometry. */
function frameStride(model: SpeechModel, layer: string): number {
  if (!layer.startsWith('local.')) return model.frameSeconds;
  let geo;
  try {
    geo = model.frameGeometry?.(layer);
  } catch (e) {
    throw new Error(`extractFeatures: model ${model.id} does not give the frame geometry of ${layer} (${errorMessage(e)}), so its frames cannot be matched to spans`);
  }
  if (geo === undefined) throw new Error(`extractFeatures: model ${model.id} does not give the frame geometry of ${layer}, so its frames cannot be matched to spans`);
  return geo.stride / model.sampleRate;
}

/**
 * Each span's mean per layer (`[spans, dim]`) and the spans' store records (transformer frames). An interval
 * past the audio's end (beyond `tolerance`), or one that covers no frame, is an error naming the alignment file.
 */
function spanPooled(model: SpeechModel, item: ExtractItem, numSamples: number, cache: ActivationCache, layers: readonly string[], span: ResolvedSpan): { values: Matrix<Float32Array>[]; segments: StoreSegment[] } {
  const spans = span.spansOf.get(item.id) ?? [];
  const source = span.sourceOf.get(item.id) ?? 'the alignment';
  const duration = numSamples / model.sampleRate;
  const { rule, middleThird } = span.setting;
  for (const x of spans) {
    if (x.end > duration + span.tolerance) {
      throw new Error(`${source}: ${span.setting.tier} interval '${x.label}' [${x.start}, ${x.end}] ends past the end of ${describeItem(item)} (${duration.toFixed(3)} s of audio)`);
    }
  }
  // Frame ranges per grid (stride, frame count): the hidden and FFN layers share one, each conv layer has its own.
  const grids = new Map<string, { first: number; end: number }[]>();
  const rangesOf = (name: string, frames: number): { first: number; end: number }[] => {
    const stride = frameStride(model, name);
    const key = `${stride}:${frames}`;
    let rs = grids.get(key);
    if (rs === undefined) {
      rs = spans.map((x) => spanFrames(x.start, x.end, { stride, frames, rule, middleThird }, `${source}: ${span.setting.tier} interval '${x.label}'`));
      grids.set(key, rs);
    }
    return rs;
  };
  // The store records the transformer's frame ranges (the first conv layer's when only conv layers are kept).
  const ref = layers.find((n) => !n.startsWith('local.')) ?? at(layers, 0);
  const refRanges = rangesOf(ref, cache.get(ref).rows);
  const values = layers.map((name) => {
    const m = cache.get(name);
    const rs = rangesOf(name, m.rows);
    const out = new Float32Array(rs.length * m.cols);
    rs.forEach((r, k) => meanRowsInto(m, r.first, r.end, out, k));
    return { rows: rs.length, cols: m.cols, data: out };
  });
  const segments = spans.map((x, k) => {
    const r = at(refRanges, k);
    return { label: x.label, start: x.start, end: x.end, first: r.first, last: r.end };
  });
  return { values, segments };
}

/** Extract features of every item of `dataset` into `opts.out` (see the module comment). */
export async function extractFeatures(model: SpeechModel, dataset: ExtractDataset, opts: ExtractOptions): Promise<ExtractResult> {
  const t0 = performance.now();
  const items = datasetItems(dataset);
  const span = resolveSpan(opts, items);
  const pooling: Pooling = span !== null ? 'segments' : (opts.pooling ?? 'mean');
  if (pooling !== 'mean' && pooling !== 'frames' && pooling !== 'segments') throw new Error(`extractFeatures: pooling must be 'mean' or 'frames', got '${String(pooling)}'`);
  if (span === null && pooling === 'segments') throw new Error("extractFeatures: pooling 'segments' comes from span ('phone' or 'word') with alignments");
  const batchSize = positiveInt(opts.batchSize ?? 1, 'batchSize');
  const shardItems = positiveInt(opts.shardItems ?? 64, 'shardItems');
  const shardFrames = positiveInt(opts.shardFrames ?? 8192, 'shardFrames');
  const padding = opts.padding ?? null;
  if (padding !== null) {
    if (padding.mode !== 'max_length') throw new Error(`extractFeatures: padding.mode must be 'max_length', got '${String(padding.mode)}'`);
    positiveInt(padding.maxLength, 'padding.maxLength');
  }
  const skipShort = opts.skipShort ?? false;
  const skipBad = opts.skipBad ?? false;
  const localGrid = opts.localGrid ?? 'native';
  if (localGrid !== 'native' && localGrid !== '10ms') throw new Error(`extractFeatures: localGrid must be 'native' or '10ms', got '${String(localGrid)}'`);
  if (localGrid === '10ms' && pooling !== 'frames') throw new Error("extractFeatures: localGrid '10ms' applies to frame stores (pooling: 'frames')");
  const layers = resolveLayers(opts.layers ?? 'all', model.layerNames);
  if (items.length === 0) throw new Error('extractFeatures: the dataset has no items');
  const seen = new Set<string>();
  for (const it of items) {
    if (typeof it.id !== 'string' || it.id.length === 0) throw new Error('extractFeatures: every item needs a non-empty string id');
    if (seen.has(it.id)) throw new Error(`extractFeatures: item id '${it.id}' occurs twice; ids must be unique`);
    seen.add(it.id);
  }

  let shard: ResolvedShard | null = null;
  if (opts.shard !== undefined) {
    if (span !== null) throw new Error('extractFeatures: shard is for mean and frame stores, not span (phone/word) stores');
    const { index, count } = opts.shard;
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) throw new Error(`extractFeatures: shard must be {index, count} with 0 <= index < count, got ${index}/${count}`);
    const plan = planShards(items, count, items.map((it) => itemSeconds(it, model.sampleRate)));
    const positions = at(plan, index).positions;
    shard = { index, count, positions, allKeys: items.map(itemKey) };
  }
  const runItems = shard === null ? items : shard.positions.map((p) => at(items, p));
  const chunk = resolveChunk(opts.chunk, model);
  const maxClipBytes = opts.maxClipBytes ?? Math.floor(0.7 * os.totalmem());
  if (!(maxClipBytes > 0)) throw new Error(`extractFeatures: maxClipBytes must be a positive number, got ${maxClipBytes}`);
  // One run per store at a time: a second run into the same folder would delete the first's temporary files
  // and could commit rows of its own into it.
  const lock = lockDirectory(opts.out, `layerwise extract (${model.id})`);
  try {
    return await extractLocked(model, runItems, opts, { pooling, batchSize, shardItems, shardFrames, padding, skipShort, skipBad, layers, maxClipBytes, chunk, span, tenMs: localGrid === '10ms', shard }, t0);
  } finally {
    lock.release();
  }
}

interface ResolvedExtractOptions {
  readonly pooling: Pooling;
  readonly batchSize: number;
  readonly shardItems: number;
  readonly shardFrames: number;
  readonly padding: MaxLengthPadding | null;
  readonly skipShort: boolean;
  readonly skipBad: boolean;
  readonly layers: readonly string[];
  readonly maxClipBytes: number;
  readonly chunk: ResolvedChunk | null;
  readonly span: ResolvedSpan | null;
  readonly tenMs: boolean;
  readonly shard: ResolvedShard | null;
}

/** One shard of a sharded run: its positions in the whole dataset, and every item's key (for the run's fingerprint). */
interface ResolvedShard {
  readonly index: number;
  readonly count: number;
  readonly positions: readonly number[];
  readonly allKeys: readonly string[];
}

/** A chunk setting in samples. */
interface ResolvedChunk {
  readonly option: { readonly seconds: number; readonly overlapSeconds: number };
  readonly window: number;
  readonly layout: WindowLayout;
}

function resolveChunk(chunk: ChunkOptions | undefined, model: SpeechModel): ResolvedChunk | null {
  if (chunk === undefined) return null;
  const overlapSeconds = chunk.overlapSeconds ?? 1;
  const sr = model.sampleRate;
  const hop = Math.round(model.frameSeconds * sr);
  if (!(chunk.seconds > 0) || !(overlapSeconds >= 0)) throw new Error(`extractFeatures: chunk.seconds must be positive and chunk.overlapSeconds non-negative, got ${chunk.seconds} and ${overlapSeconds}`);
  const overlap = Math.ceil((overlapSeconds * sr) / hop) * hop;
  const core = Math.floor((chunk.seconds * sr - 2 * overlap) / hop) * hop;
  if (core < hop) throw new Error(`extractFeatures: chunk.seconds (${chunk.seconds}) must exceed twice chunk.overlapSeconds (${overlapSeconds}) by at least one frame`);
  return { option: { seconds: chunk.seconds, overlapSeconds }, window: core + 2 * overlap, layout: { core, overlap } };
}

async function extractLocked(model: SpeechModel, items: readonly ExtractItem[], opts: ExtractOptions, o: ResolvedExtractOptions, t0: number): Promise<ExtractResult> {
  const { pooling, batchSize, shardItems, shardFrames, padding, skipShort, skipBad, layers, maxClipBytes, chunk, span, tenMs, shard: part } = o;
  const runOptions: StoreOptions = {
    modelHash: model.hash,
    sampleRate: model.sampleRate,
    normalize: model.normalize,
    pooling,
    layers,
    padding,
    skipShort,
    ...(skipBad ? { skipBad } : {}),
    ...(chunk !== null ? { chunk: chunk.option } : {}),
    ...(span !== null ? { span: span.setting } : {}),
    ...(tenMs ? { localGrid: '10ms' as const } : {}),
    ...(model.frameNote !== undefined ? { frames: model.frameNote } : {}),
    shardItems,
    shardFrames,
    itemKeys: items.map(itemKey),
  };
  // a shard's store: its own items, and the fingerprint the whole run would have (what the merge checks)
  const options: StoreOptions =
    part === null
      ? runOptions
      : { ...runOptions, shard: { index: part.index, count: part.count, positions: part.positions, of: storeFingerprint({ ...runOptions, itemKeys: part.allKeys }) } };
  const writer = FeatureStoreWriter.open(opts.out, {
    model: { id: model.id, hash: model.hash },
    sampleRate: model.sampleRate,
    frameSeconds: model.frameSeconds,
    options,
  });
  if (writer.completeMeta !== null) {
    const done = writer.completeMeta;
    const changed = [...done.items, ...done.skipped].find(sourceChanged);
    if (changed?.source !== undefined) {
      throw new Error(
        `${opts.out} is a finished feature store, but the file of item '${changed.id}' (${changed.source.path}) has changed since it was made; ` +
          'its features (or its skip) would be stale: delete the store to recompute it, or extract into another folder',
      );
    }
    return { dir: opts.out, meta: writer.completeMeta, computed: 0, resumed: items.length, seconds: (performance.now() - t0) / 1000, audioSeconds: 0, alreadyComplete: true };
  }

  const stale = firstStaleShard(writer.committedShards);
  if (stale >= 0) writer.dropShardsFrom(stale);
  const resumed = writer.nextPosition;
  const tracker = new ProgressTracker(items.length, resumed);
  opts.onProgress?.(tracker.info());
  const load = opts.loadAudio ?? defaultAudioLoader;

  const loadAt = async (pos: number): Promise<Loaded> => {
    const item = at(items, pos);
    let samples: Float32Array;
    let source: ItemSource | undefined;
    try {
      if (item.samples !== undefined) {
        if (!(item.samples instanceof Float32Array)) throw new Error('samples must be a Float32Array');
        samples = item.samples;
      } else {
        if (item.path === undefined) throw new Error('has neither samples nor a path');
        source = statSource(item.path);
        samples = await load(item, model.sampleRate);
      }
    } catch (e) {
      const msg = errorMessage(e);
      if (skipBad) return { pos, item, skip: `unreadable: ${msg}`, source };
      // Loaders already name the file; add the item so the user can find it in the dataset.
      throw new Error(`${describeItem(item)}: ${msg}${item.path !== undefined ? '; pass skipBad (--skip-bad) to record and skip unreadable files' : ''}`);
    }
    if (samples.length === 0) {
      if (skipBad) return { pos, item, skip: 'unreadable: the audio is empty (0 samples)', source };
      throw new Error(`${describeItem(item)}: the audio is empty (0 samples)`);
    }
    // Before anything walks the samples: a clip too long to run is refused at once.
    const runLength = Math.max(samples.length, padding?.maxLength ?? 0);
    const chunked = chunk !== null && runLength > chunk.window;
    const needs = model.estimateRunBytes?.(chunk !== null && chunked ? chunk.window : runLength);
    if (needs !== undefined && needs > maxClipBytes) {
      const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;
      throw new Error(
        `${describeItem(item)}: ${(samples.length / model.sampleRate).toFixed(1)} s of audio needs about ${gib(needs)} to run in one piece ` +
          `(self-attention grows with the square of the length), above the limit of ${gib(maxClipBytes)} (maxClipBytes, --max-clip-memory); ` +
          'run it in windows (chunk, --chunk-seconds), cut it into shorter segments (items with start/end), or raise the limit on a machine with more memory',
      );
    }
    try {
      checkFinite(samples, item, 'the audio');
    } catch (e) {
      if (skipBad) return { pos, item, skip: `unreadable: ${errorMessage(e)}`, source };
      throw e;
    }
    const numSamples = samples.length;
    if (padding !== null && samples.length < padding.maxLength) {
      const padded = new Float32Array(padding.maxLength);
      padded.set(samples);
      samples = padded;
    }
    if (samples.length < model.minSamples) {
      const sr = model.sampleRate;
      const reason = `${samples.length} samples (${(samples.length / sr).toFixed(4)} s) is shorter than the model's minimum of ${model.minSamples} samples (${(model.minSamples / sr).toFixed(4)} s)`;
      if (skipShort) return { pos, item, skip: reason };
      throw new Error(`${describeItem(item)}: ${reason}; drop it from the dataset or pass skipShort (--skip-short) to record and skip such clips`);
    }
    // Checked last, so unreadable or too-short audio is reported as before; but before the model runs on it.
    if (span !== null && (span.spansOf.get(item.id)?.length ?? 0) === 0) return { pos, item, skip: `its alignment has no ${span.setting.tier} intervals`, source };
    return { pos, item, source, samples, numSamples, chunked };
  };

  const runOpts: RunOptions = { layers };
  const runBatch = batchSize > 1 && model.runBatch !== undefined ? model.runBatch.bind(model) : null;
  // Mean pooling inside the model's graph when it offers it: the frames never leave the runtime.
  const runMeans = pooling === 'mean' && span === null ? model.runMeans?.bind(model) : undefined;
  const batches = batchSize > 1 && (runMeans !== undefined || runBatch !== null);

  // Produces items in order, loading the next clip while the model runs the current one.
  async function* produce(from: number): AsyncGenerator<Produced> {
    let next = from;
    const startLoad = (): Promise<Loaded> | null => {
      if (next >= items.length) return null;
      const p = loadAt(next++);
      // Attach a handler now so a failing prefetch is reported when awaited, not as an unhandled rejection.
      p.catch(() => undefined);
      return p;
    };
    let pending = startLoad();
    let carried: Loaded | null = null;
    for (;;) {
      let first: Loaded;
      if (carried !== null) {
        first = carried;
        carried = null;
      } else if (pending !== null) {
        first = await pending;
        pending = startLoad();
      } else {
        return;
      }
      if ('skip' in first) {
        yield first;
        continue;
      }
      if (first.chunked && chunk !== null) {
        let run: { cache: ActivationCache; windows: number };
        try {
          run = await runInWindows(model, first.samples, layers, chunk.layout);
        } catch (e) {
          throw new Error(`model ${model.id} failed on ${describeItem(first.item)} (in windows): ${errorMessage(e)}`);
        }
        yield { pos: first.pos, item: first.item, source: first.source, numSamples: first.numSamples, cache: run.cache, windows: run.windows };
        continue;
      }
      const batch: Ready[] = [first];
      while (batches && batch.length < batchSize && pending !== null) {
        const cand: Loaded = await pending;
        pending = startLoad();
        if ('samples' in cand && !cand.chunked && cand.samples.length === first.samples.length) batch.push(cand);
        else {
          carried = cand;
          break;
        }
      }
      if (runMeans !== undefined) {
        let means: ClipMeans[];
        try {
          means = await runMeans(batch.map((b) => b.samples), runOpts);
        } catch (e) {
          throw new Error(`model ${model.id} failed on ${batch.map((b) => describeItem(b.item)).join(', ')}: ${errorMessage(e)}`);
        }
        if (means.length !== batch.length) throw new Error(`model ${model.id}: runMeans returned ${means.length} results for ${batch.length} clips`);
        for (let k = 0; k < batch.length; k++) {
          const b = at(batch, k);
          yield { pos: b.pos, item: b.item, source: b.source, numSamples: b.numSamples, means: at(means, k) };
        }
        continue;
      }
      let caches: ActivationCache[];
      try {
        caches =
          batch.length > 1 && runBatch !== null
            ? await runBatch(
                batch.map((b) => b.samples),
                runOpts,
              )
            : [await model.run(first.samples, runOpts)];
      } catch (e) {
        const who = batch.map((b) => describeItem(b.item)).join(', ');
        throw new Error(`model ${model.id} failed on ${who}: ${errorMessage(e)}`);
      }
      if (caches.length !== batch.length) throw new Error(`model ${model.id}: runBatch returned ${caches.length} results for ${batch.length} clips`);
      for (let k = 0; k < batch.length; k++) {
        const b = at(batch, k);
        yield { pos: b.pos, item: b.item, source: b.source, numSamples: b.numSamples, cache: at(caches, k), windows: 1 };
      }
    }
  }

  let audioSeconds = 0;
  let computed = 0;
  let shard = writer.startShard();
  try {
    for await (const p of produce(resumed)) {
      if ('skip' in p) {
        shard.skip(p.pos, p.item.id, p.skip, p.source);
      } else if ('means' in p) {
        const { frames } = p.means;
        shard.add(p.pos, storeItem(p.item, p.source, p.numSamples, (name) => frames.get(name) ?? 0, layers, 1), meansOf(p.item, p.means, layers));
        audioSeconds += p.numSamples / model.sampleRate;
      } else {
        const { cache } = p;
        const base = storeItem(p.item, p.source, p.numSamples, (name) => cache.get(name).rows, layers, p.windows);
        if (span !== null) {
          const { values, segments } = spanPooled(model, p.item, p.numSamples, p.cache, layers, span);
          shard.add(p.pos, { ...base, segments }, values);
        } else {
          shard.add(p.pos, base, pooled(p.item, p.cache, layers, pooling, tenMs, p.numSamples));
        }
        audioSeconds += p.numSamples / model.sampleRate;
      }
      computed++;
      opts.onProgress?.(tracker.advance(1, 'skip' in p ? 0 : p.numSamples / model.sampleRate));
      if (shard.full || p.pos === items.length - 1) {
        writer.commit(shard);
        shard = writer.startShard();
      }
    }
  } catch (e) {
    // The shard in progress is lost (its temporary files removed); committed shards stay for a rerun.
    shard.abort();
    throw e;
  }
  const meta = writer.finish();
  return { dir: opts.out, meta, computed, resumed, seconds: (performance.now() - t0) / 1000, audioSeconds, alreadyComplete: false };
}
