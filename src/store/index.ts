/**
 * The feature store: the layer between models and analysis. `extractFeatures` runs a model over a dataset
 * and writes every selected layer to disk (mean-pooled `[items, hidden]` or every frame, in resumable
 * shards); `openFeatureStore` reads it back for the kernels, the SAEs and the figures. A run can be split into
 * shards of equal audio time (`planShards`, `extractFeatures({shard})`) and joined again (`mergeFeatureStores`).
 */
export { extractFeatures, type ExtractOptions, type ExtractResult, type ExtractDataset, type ExtractItem, type AudioLoader } from './extractFeatures';
export { openFeatureStore, frameItemIds, FeatureStore, type FrameIndex, type FrameShard, type FramesOptions, type SegmentRow } from './FeatureStore';
export type { FeatureStoreMeta, StoreItem, ItemSource, StoreLayer, StoreShard, StoreOptions, SkippedItem, Pooling, MaxLengthPadding, StoreSegment, SpanSetting, StoreShardOf } from './FeatureStoreMeta';
export { boxFilterLocal, LOCAL_BOX_FILTERS } from './boxFilterLocal';
export { planShards, itemSeconds, type ShardPlan, type PlannedItem } from './planShards';
export { mergeFeatureStores, type MergeResult } from './mergeFeatureStores';
