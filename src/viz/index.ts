/**
 * Figures: builders return plain Plotly values `{data, layout}` (or HTML strings for players, tables and
 * cards); `show` (display.ts, the only file that talks to tslab) puts them in the notebook, `saveHTML` and
 * `savePNG`/`savePNGs` write them to files, `saveCSV` writes tables and matrices as CSV/TSV.
 */
export type { Figure, Layout, Trace, ScatterTrace, HeatmapTrace, HistogramTrace, BarTrace, Axis, Annotation } from './Figure';
export { show, liveLine, type LineWriter, type ShowOptions, type Showable } from './display';
export { saveHTML } from './saveHTML';
export { savePNG, savePNGs, type SavePNGOptions, type PNGItem } from './savePNG';
export { saveCSV, type SaveCSVOptions } from './saveCSV';
export { layerHeatmap, type LayerHeatmapOptions } from './layerHeatmap';
export { heatmapGrid, type HeatmapPanel, type HeatmapGridOptions } from './heatmapGrid';
export { modelComparisonHeatmap, modelComparisonPanel, type ModelComparisonLike, type ModelComparisonHeatmapOptions } from './modelComparisonHeatmap';
export { layerCurves, type LayerSeries, type LayerCurvesOptions } from './layerCurves';
export { propertyContentFigure, type PropertyContentFigureOptions } from './propertyContentFigure';
export { projectionScatter, type ProjectionScatterOptions, type Label, type LabelNames } from './projectionScatter';
export { projectionGrid, type ProjectionPanel, type ProjectionGridOptions } from './projectionGrid';
export { pcaTitle } from './pcaTitle';
export { varianceHistograms, type LayerVariances, type VarianceHistogramsOptions } from './varianceHistograms';
export { activationTrace, type ActivationTraceOptions } from './activationTrace';
export { audioPlayer, type AudioPlayerOptions } from './audioPlayer';
export { table, type TableOptions, type Row, type DataFrameLike } from './table';
export { featureDensityFigure, type FeatureDensityFigureOptions } from './featureDensityFigure';
export { activationComparisonFigure, type ActivationComparisonEntry, type ActivationComparisonFigureOptions } from './activationComparisonFigure';
export { featureCard, peakSegment, type FeatureCardExample, type FeatureCardOptions } from './featureCard';
export { featureCardExamples, type FeatureCardExamplesOptions, type ExampleAudio } from './featureCardExamples';
