/** The model module: loading speech models, exposing their layers, activation caches. */
export * from './ActivationCache';
export type { SpeechModel, RunOptions } from './SpeechModel';
export { loadModel, type LoadModelOptions, type LoadedSpeechModel, type LoadedModelInfo } from './loadModel';
export { exposeLayers, exposeLayersInModel, type ExposeLayersOptions, type ExposeLayersResult } from './exposeLayers';
export { mapLayers, type LayerMap, type MappedTensor, type ConvGeometry } from './mapLayers';
export { convFrames, convMinSamples, convHop } from './convGeometry';
export { normalizeWaveform } from './normalizeWaveform';
export { greedyCTCDecode, readCTCVocab, parseCTCVocab, type CTCVocab, type CTCSpecialTokens } from './ctcDecode';
export { readSpeechModelConfig, parseSpeechModelConfig, type SpeechModelConfig } from './readSpeechModelConfig';
export {
  downloadHubFile,
  downloadOptionalHubFile,
  hubCachePath,
  hubFileUrl,
  HubFileNotFoundError,
  type HubOptions,
  type HubFile,
} from './downloadHubFile';
export {
  extractFeatures,
  defaultAudioLoader,
  itemKey,
  type ExtractItem,
  type ExtractDataset,
  type ExtractOptions,
  type ExtractResult,
  type AudioLoader,
} from './extractFeatures';
export { FeatureStore, openFeatureStore, readNpyRows, type FrameIndex, type FrameShard } from './FeatureStore';
export {
  FEATURE_STORE_VERSION,
  readFeatureStoreMeta,
  type FeatureStoreMeta,
  type MaxLengthPadding,
  type Pooling,
  type SkippedItem,
  type StoreItem,
  type StoreLayer,
  type StoreOptions,
  type StoreShard,
} from './FeatureStoreMeta';
export { FeatureStoreWriter, ShardWriter, storeFingerprint, describeOptionChanges, type FeatureStoreWriterInit } from './FeatureStoreWriter';
export { resolveLayers, parseLayerSelection, layerFileStem, type LayerSelection } from './resolveLayers';
export {
  ProgressTracker,
  textProgress,
  terminalProgress,
  formatProgress,
  formatDuration,
  type ProgressInfo,
  type ProgressCallback,
  type TextProgressOptions,
  type TerminalProgress,
  type Clock,
} from './progress';
