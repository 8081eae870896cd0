/**
 * Per-clip and per-store views of one activation that the seed's notebook computes by hand: a feature's
 * activation over the frames of one clip (a stored neuron, or an SAE latent computed from the stored
 * residual stream), and the share of positive entries of a stored layer counted shard by shard, so that a
 * large store is never in memory at once.
 */
import { column } from '../matrix';
import type { FeatureStore } from '../store/FeatureStore';
import type { SAE } from './SAE';

/**
 * Feature `feature`'s activation on every frame of item `clipId` `[frames]`: column `feature` of the stored
 * layer, or with `sae`, SAE latent `feature` of that layer's frames (normalised by its decoder norm, as the
 * seed's cards show it).
 */
export async function clipFeatureTrace(store: FeatureStore, layer: string, clipId: string, feature: number, sae?: SAE): Promise<Float32Array> {
  const frames = store.framesOf(clipId, layer);
  if (sae !== undefined) return (await sae.encodeNormalized(frames, { features: [feature] })).data;
  return Float32Array.from(column(frames, feature));
}

/** The share of a stored layer's entries above zero. */
export interface StoredActivationPercentage {
  /** 100 * entries > 0 / all entries, over every frame of every item. */
  readonly percent: number;
  /** The layer's width. */
  readonly features: number;
}

/** `activationPercentage` of a whole frame-store layer, read one shard at a time. */
export function storedActivationPercentage(store: FeatureStore, layer: string): StoredActivationPercentage {
  let positive = 0;
  let total = 0;
  const features = store.layerInfo(layer).dim;
  for (const shard of store.iterateShards(layer)) {
    for (const v of shard.frames.data) if (v > 0) positive++;
    total += shard.frames.data.length;
  }
  if (total === 0) throw new Error(`${store.dir}: layer '${layer}' holds no frames`);
  return { percent: (100 * positive) / total, features };
}
