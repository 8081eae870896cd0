/**
 * Joins the stores of a sharded extraction (`extractFeatures` with `shard`, `layerwise extract --shard I/N`) into
 * the store one process over the whole dataset writes, byte for byte: the items are replayed in dataset order
 * through the same shard writer (so shard files, `meta.json` and layer files come out as a single run's), and
 * the result must carry the fingerprint every shard recorded for the whole run. Refuses, naming the folder,
 * a missing or unfinished shard, shards of different runs, a shard given twice or a gap in the positions.
 */
import type { Matrix } from '../matrix';
import { itemKey } from './extractFeatures';
import { FeatureStore, openFeatureStore } from './FeatureStore';
import type { FeatureStoreMeta, StoreItem, StoreOptions } from './FeatureStoreMeta';
import { FeatureStoreWriter, storeFingerprint } from './FeatureStoreWriter';
import { at } from '../util/at';
import { lockDirectory } from '../util/dirLock';

/** What `mergeFeatureStores` wrote (or found already written). */
export interface MergeResult {
  readonly dir: string;
  readonly meta: FeatureStoreMeta;
  readonly shards: number;
  readonly alreadyComplete: boolean;
}

/** One dataset position of the merged run: which shard store holds it, and as which of its own positions. */
interface Source {
  readonly store: FeatureStore;
  readonly local: number;
}

/** Merge the shard stores in `dirs` (any order) into `out`. */
export function mergeFeatureStores(dirs: readonly string[], out: string): MergeResult {
  if (dirs.length === 0) throw new Error('mergeFeatureStores: no shard stores given');
  const stores = dirs.map((d) => {
    const store = openFeatureStore(d);
    if (store.meta.options.shard === undefined) throw new Error(`${d}: not the store of a shard (it was extracted without --shard)`);
    return store;
  });
  const first = at(stores, 0);
  const head = first.meta.options.shard;
  if (head === undefined) throw new Error(`${first.dir}: not a shard store`);
  const byIndex = new Map<number, FeatureStore>();
  for (const s of stores) {
    const sh = s.meta.options.shard;
    if (sh === undefined) continue;
    if (sh.of !== head.of || sh.count !== head.count) {
      throw new Error(`${s.dir} is shard ${sh.index}/${sh.count} of another run than ${first.dir} (shard ${head.index}/${head.count}): the model, options or dataset differ`);
    }
    const twice = byIndex.get(sh.index);
    if (twice !== undefined) throw new Error(`shard ${sh.index} is given twice: ${twice.dir} and ${s.dir}`);
    byIndex.set(sh.index, s);
  }
  const missing = Array.from({ length: head.count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new Error(`shards ${missing.join(', ')} of ${head.count} are missing (given: ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')})`);

  // dataset order: every position held by exactly one shard
  const total = stores.reduce((n, s) => n + (s.meta.options.shard?.positions.length ?? 0), 0);
  const sources: (Source | undefined)[] = new Array<Source | undefined>(total).fill(undefined);
  const keys: string[] = new Array<string>(total).fill('');
  for (const s of stores) {
    const sh = s.meta.options.shard;
    if (sh === undefined) continue;
    if (sh.positions.length !== s.meta.options.itemKeys.length) throw new Error(`${s.dir}: meta.json lists ${sh.positions.length} positions for ${s.meta.options.itemKeys.length} items`);
    sh.positions.forEach((pos, local) => {
      if (!Number.isInteger(pos) || pos < 0 || pos >= total || sources[pos] !== undefined) throw new Error(`${s.dir}: dataset position ${pos} is out of range or held by two shards`);
      sources[pos] = { store: s, local };
      keys[pos] = at(s.meta.options.itemKeys, local);
    });
  }
  // the whole run's options: a shard's, without its shard record, over every item (key order as a single run writes it)
  const { shard: _omit, ...rest } = first.meta.options;
  void _omit;
  const options: StoreOptions = { ...rest, itemKeys: keys };
  if (storeFingerprint(options) !== head.of) throw new Error(`${first.dir}: the shards do not add up to the run they were cut from (fingerprint mismatch)`);

  const lock = lockDirectory(out, 'layerwise merge');
  try {
    const writer = FeatureStoreWriter.open(out, { model: first.meta.model, sampleRate: first.meta.sampleRate, frameSeconds: first.meta.frameSeconds, options });
    if (writer.completeMeta !== null) return { dir: out, meta: writer.completeMeta, shards: head.count, alreadyComplete: true };
    if (writer.nextPosition > 0) writer.dropShardsFrom(0);
    // per shard store: its kept items by key, its skips in order, and (mean stores) its layers, read once
    const kept = new Map<FeatureStore, Map<string, { item: StoreItem; row: number }>>();
    const skips = new Map<FeatureStore, Map<string, FeatureStoreMeta['skipped'][number]>>();
    const meanLayers = new Map<FeatureStore, Matrix<Float32Array>[]>();
    for (const s of stores) {
      kept.set(s, new Map(s.meta.items.map((item, row) => [itemKey(item), { item, row }] as const)));
      const own = s.meta.options.itemKeys.filter((k) => !(kept.get(s)?.has(k) ?? false));
      if (own.length !== s.meta.skipped.length) throw new Error(`${s.dir}: meta.json has ${s.meta.skipped.length} skipped items for ${own.length} keys without features`);
      skips.set(s, new Map(own.map((k, i) => [k, at(s.meta.skipped, i)] as const)));
      if (options.pooling === 'mean') meanLayers.set(s, options.layers.map((name) => s.layer(name)));
    }
    let shard = writer.startShard();
    for (let pos = 0; pos < total; pos++) {
      const src = sources[pos];
      if (src === undefined) throw new Error(`dataset position ${pos} is in no shard`);
      const key = keys[pos] ?? '';
      const hit = kept.get(src.store)?.get(key);
      if (hit !== undefined) {
        // frameOffset is the store-wide row, recomputed by the writer
        const { frameOffset: _offset, ...item } = hit.item;
        void _offset;
        const values =
          options.pooling === 'mean'
            ? (meanLayers.get(src.store) ?? []).map((m) => ({ rows: 1, cols: m.cols, data: m.data.slice(hit.row * m.cols, (hit.row + 1) * m.cols) }))
            : options.layers.map((name) => src.store.framesOf(item.id, name));
        shard.add(pos, item, values);
      } else {
        const s = skips.get(src.store)?.get(key);
        if (s === undefined) throw new Error(`${src.store.dir}: item '${key}' has neither features nor a skip record`);
        shard.skip(pos, s.id, s.reason, s.source);
      }
      if (shard.full || pos === total - 1) {
        writer.commit(shard);
        shard = writer.startShard();
      }
    }
    return { dir: out, meta: writer.finish(), shards: head.count, alreadyComplete: false };
  } finally {
    lock.release();
  }
}
