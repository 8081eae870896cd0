/** The model module: loading speech models, exposing their layers, activation caches. */
export * from './ActivationCache';
export type { SpeechModel, RunOptions } from './SpeechModel';
export { loadModel, type LoadModelOptions, type LoadedSpeechModel, type LoadedModelInfo } from './loadModel';
export { exposeLayers, exposeLayersInModel, type ExposeLayersOptions, type ExposeLayersResult } from './exposeLayers';
export { mapLayers, type LayerMap, type MappedTensor, type ConvGeometry } from './mapLayers';
export { convFrames, convMinSamples, convHop } from './convGeometry';
export { normalizeWaveform } from './normalizeWaveform';
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
