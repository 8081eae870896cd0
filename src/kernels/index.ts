/**
 * Analysis kernels. A *kernel* here is an analysis function over layer representations (not a Jupyter
 * kernel: that side lives in `src/jupyter/`): pure over row-major matrices with explicit shapes
 * (`[items, hidden]`, `[frames, hidden]`), checked at the boundary, never writing into its inputs, with the
 * heavy linear algebra in onnxruntime graphs (`engine/`). Similarity between layers (CKA, the kNN family,
 * cosine, the CCA family, and `layerMatrix` over all layer pairs), class structure (convexity, mutual
 * information of clusters with labels, linear probes), projections (PCA, t-SNE, UMAP) and feature statistics.
 * Fitted methods share the `FittedModel` shape.
 */
export type { FittedModel } from './FittedModel';
export type { LabelsLike } from './labels';
export type { CcaResult } from './ccaCore';
export type { KnnOptions } from './knnLists';
export { linearCKA, type LinearCKAOptions } from './linearCKA';
export { rbfCKA, type RbfCKAOptions } from './rbfCKA';
export { mutualKNN, type MutualKNNOptions } from './mutualKNN';
export { cycleKNN, type CycleKNNOptions } from './cycleKNN';
export { lcsKNN, type LcsKNNOptions } from './lcsKNN';
export { editDistanceKNN, type EditDistanceKNNOptions } from './editDistanceKNN';
export { cknna, type CknnaOptions } from './cknna';
export { cosineSimilarity } from './cosineSimilarity';
export { meanCCA, type MeanCCAOptions } from './meanCCA';
export { svcca, type SvccaOptions, type SvccaResult } from './svcca';
export { pwcca, type PwccaOptions, type PwccaResult } from './pwcca';
export { crossValidatedPwcca, oneHot, type CrossValidatedPwccaOptions, type CrossValidatedPwccaResult, type PwccaSplitScore } from './crossValidatedPwcca';
export { melFeatures, type MelFeaturesOptions } from './melFeatures';
export { spearman } from './spearman';
export { layerMatrix, crossLayerMatrix, type LayerMetric, type LayerMetricOptions, type LayerMatrixOptions, type LayerMatrixResult } from './layerMatrix';
export { featureStats, type FeatureStatsOptions, type FeatureStatsResult } from './featureStats';
export { mutualInformation, type MutualInformationResult } from './mutualInformation';
export { kmeans, KMeansModel, type KMeansOptions, type KMeansResult, type KMeansModelJSON } from './kmeans';
export { pca, fitPCA, PCAModel, type PCAOptions, type PCAResult, type PCAModelJSON } from './pca';
export { graphConvexity, type GraphConvexityOptions, type GraphConvexityResult, type ConvexityClassScore } from './graphConvexity';
export { tsne, type TSNEOptions, type TSNEResult } from './tsne';
export { umap, type UMAPOptions, type UMAPResult } from './umap';
export { trustworthiness, type TrustworthinessOptions } from './trustworthiness';
export { fitLogisticRegression, LogisticRegressionModel, type LogisticRegressionOptions, type LogisticRegressionModelJSON } from './logisticRegression';
export { linearProbe, type LinearProbeOptions, type LinearProbeResult } from './linearProbe';
