/**
 * Models: loading a speech model (a local ONNX file or folder, or a hub repo id), finding and exposing every
 * layer's output in its graph, and the `ActivationCache` one forward pass returns; text encoders (BERT,
 * RoBERTa) with their tokenizers, for word-level comparisons with speech models (`loadTextModel`, `embedWords`). Layer names follow
 * `activationNames.ts` (layers numbered from 1; `hidden.<i>` is Hugging Face `hidden_states[i]`).
 */
export { loadModel, type LoadModelOptions, type LoadedSpeechModel, type LoadedModelInfo } from './loadModel';
export type { ModelSourceOptions } from './resolveModelSource';
export type { SpeechModel, RunOptions, ClipMeans } from './SpeechModel';
export { ActivationCache, type ActivationEntry, type ActivationCacheMeta } from './ActivationCache';
export { parseActivationName, activationName, type ActivationKind } from './activationNames';
export type { LayerSelection } from './resolveLayers';
export { exposeLayers, type ExposeLayersResult } from './exposeLayers';
export type { ExposeLayersOptions } from './ExposeLayersOptions';
export type { LayerMap, MappedTensor, ConvGeometry } from './LayerMap';
export { loadTextModel, type LoadTextModelOptions } from './text/loadTextModel';
export { TextModel, type TextModelInfo, type TextRunMeta } from './text/TextModel';
export { embedWords, type EmbedWordsOptions, type EmbeddedWords } from './text/embedWords';
export type { TokenizedWords } from './text/tokenizeWords';
export type { TextFamily } from './text/textArchitecture';
