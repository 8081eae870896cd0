/**
 * Sparse autoencoders on layer activations (seed 003): training (relu-l1, topk, batch-topk) as onnxruntime
 * graphs, the fitted `SAE` (a `FittedModel`: safetensors or PyTorch checkpoints, read without pickle
 * execution), measures, and top-activating examples from a frame-level feature store.
 */
export { SAE, type SAEJSON, type EncodeOptions } from './SAE';
export type { SAEConfig, SAEVariant } from './SAEConfig';
export type { SAEWeights } from './SAEWeights';
export type { LoadSAEOptions } from './saeFile';
export { trainSAE, type TrainSAEOptions, type TrainSAEResult, type TrainProgress } from './trainSAE';
export { textTrainProgress, terminalTrainProgress, type TextTrainProgressOptions } from './trainProgress';
export { evaluateSAE, type EvaluateSAEOptions, type SAEMetrics } from './evaluateSAE';
export { activationPercentage, compareActivationPercentages, type ActivationPercentageOptions, type ActivationComparisonRow } from './activationPercentage';
export { storedActivationPercentage, clipFeatureTrace, type StoredActivationPercentage } from './featureTraces';
export { featureDensityHistogram, type FeatureDensityHistogram, type FeatureDensityHistogramOptions } from './featureDensityHistogram';
export { topActivations, topNeuronActivations, type TopActivationsOptions, type TopActivationExample, type TopActivationsResult } from './topActivations';
export { featureStoreFrameSource } from './featureStoreFrameSource';
export { matrixFrameSource, type FrameSource } from './FrameSource';
