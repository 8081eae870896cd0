/**
 * The experiment suite of layerwise-analysis (seed 004, Pasad et al.): per-layer "property content" curves
 * from feature stores, scored by cross-validated PWCCA against filterbanks, the transformer input, one-hot
 * phones and words and word vectors, by k-means mutual information with phone and word labels, and by word
 * similarity benchmarks; results as the peer writes them.
 */
export { EXPERIMENTS, layerId, experimentJson, writeExperimentResult, type ExperimentName, type ExperimentResult } from './ExperimentResult';
export type { ExperimentOptions } from './experimentParts';
export { ccaMel, ccaIntra, ccaLabels, ccaEmbeddings, type CcaExperimentOptions, type CcaMelOptions, type CcaLabelsOptions, type CcaEmbeddingsOptions } from './ccaExperiments';
export { miLabels, type MiLabelsOptions } from './miLabels';
export { wordSimilarity, type WordSimilarityOptions, type WordSimScore } from './wordSimilarity';
export { readWordVectors, type ReadWordVectorsOptions, type WordVectors } from './readWordVectors';
export { readWordSimBenchmark, type WordSimBenchmark } from './readWordSimBenchmark';
