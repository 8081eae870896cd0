/**
 * A `FrameSource` over one layer of a frame-level feature store (`openFeatureStore`), reading row ranges
 * straight from the shard `.npy` files at their byte offsets: SAE training streams shuffled blocks of a store
 * far larger than memory without ever loading a whole layer. Frames are numbered as the store's frame index
 * numbers them (items in store order, frames in time order).
 */
import * as path from 'node:path';
import { readNpyRows, type FeatureStore } from '../store/FeatureStore';
import { checkRange, type FrameSource } from './FrameSource';
import { atNum } from '../util/at';

/** The frames of one layer of a frame store as a `FrameSource` (read shard by shard, never all at once), for `trainSAE` and `evaluateSAE`. */
export function featureStoreFrameSource(store: FeatureStore, layer: string | number): FrameSource {
  const info = store.layerInfo(layer);
  const index = store.frameIndex(layer);
  const shards = store.meta.shards.map((s) => {
    const first = index.offsets[s.firstItem] ?? index.totalFrames;
    let rows = 0;
    for (let i = s.firstItem; i < s.firstItem + s.items; i++) rows += atNum(index.counts, i);
    return { file: path.join(store.dir, info.file, s.file), first, rows };
  });
  const name = `${store.dir} (${info.name})`;
  return {
    dim: info.dim,
    count: index.totalFrames,
    inMemory: false,
    read: async (start, rows) => {
      checkRange(start, rows, index.totalFrames, name);
      const out = new Float32Array(rows * info.dim);
      // Shards are in frame order: copy the overlap of [start, start + rows) with each.
      let lo = 0;
      let hi = shards.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((shards[mid] as { first: number }).first <= start) lo = mid;
        else hi = mid - 1;
      }
      let at = 0;
      for (let k = lo; k < shards.length && at < rows; k++) {
        const s = shards[k] as { file: string; first: number; rows: number };
        const from = start + at - s.first;
        if (from >= s.rows) continue;
        const n = Math.min(rows - at, s.rows - from);
        readNpyRows(s.file, from, n, info.dim, out, at * info.dim);
        at += n;
      }
      if (at !== rows) throw new Error(`${name}: the shards cover only ${at} of rows [${start}, ${start + rows})`);
      return { rows, cols: info.dim, data: out };
    },
  };
}
