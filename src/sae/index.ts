/**
 * Sparse autoencoders on layer activations (seed 003): training (relu-l1, topk, batch-topk) as onnxruntime
 * graphs, the fitted SAE, safetensors / PyTorch checkpoint I/O without pickle execution, measures, and
 * top-activating examples from a frame-level feature store.
 */
export { SAE, SAE_CHUNK_FRAMES, type EncodeOptions } from './SAE';
export { SAE_VARIANTS, checkSAEConfig, type SAEConfig, type SAEVariant } from './SAEConfig';
export { SAE_PARAMETERS, SAE_PARAMETER_NAMES, checkSAEWeights, columnNorms, saeParameterShape, type SAEParameter, type SAEWeights } from './SAEWeights';
export { initSAEWeights } from './initSAEWeights';
export { trainSAE, saeSchedule, type TrainProgress, type TrainSAEOptions, type TrainSAEResult } from './trainSAE';
export { SAETrainer, type SAETrainerOptions, type StepResult } from './SAETrainer';
export { buildTrainStepGraph, trainStepGraphKey, type TrainStepGraphSpec, type StepFloat } from './trainStepGraph';
export { asFrameSource, isFrameSource, matrixFrameSource, type FrameSource } from './FrameSource';
export { featureStoreFrameSource } from './featureStoreFrameSource';
export { ShuffledBatches, type FrameRange, type ShuffledBatchesOptions } from './ShuffledBatches';
export { evaluateSAE, type EvaluateSAEOptions, type SAEMetrics } from './evaluateSAE';
export { activationPercentage, compareActivationPercentages, type ActivationComparisonRow, type ActivationPercentageOptions } from './activationPercentage';
export { featureDensityHistogram, type FeatureDensityHistogram, type FeatureDensityHistogramOptions } from './featureDensityHistogram';
export { topActivations, topNeuronActivations, type TopActivationExample, type TopActivationsOptions, type TopActivationsResult } from './topActivations';
export { saveSAE, encodeSAE, SAE_CONFIG_METADATA_KEY } from './saveSAE';
export { loadSAE, saeFromTensors, type LoadSAEOptions } from './loadSAE';
export { readSafetensors, writeSafetensors, encodeSafetensors, decodeSafetensors, type NamedTensor, type SafetensorsFile } from './safetensors';
export { readTorchStateDict } from './readTorchStateDict';
export { readPickle, type PickleValue, type PickleKey, type PickleTuple, type PickledStorage, type PickledTensor, type ReadPickleOptions } from './readPickle';
export { formatTrainProgress, terminalTrainProgress, textTrainProgress, type TextTrainProgressOptions } from './trainProgress';
