/**
 * Figures: builders return plain Plotly values `{data, layout}`; `show` (display.ts) puts them in the
 * notebook, `saveHTML`/`savePNG` write them to files.
 */
export * from './Figure';
export * from './categoryColor';
export * from './layerHeatmap';
export * from './heatmapGrid';
export * from './layerCurves';
export * from './projectionScatter';
export * from './projectionGrid';
export * from './pcaTitle';
export * from './varianceHistograms';
export * from './activationTrace';
export * from './audioPlayer';
export * from './table';
export * from './display';
export * from './figureHtml';
export * from './plotlyBundle';
export * from './htmlPage';
export * from './saveHTML';
export * from './savePNG';
export * from './launchChromium';
export * from './featureDensityFigure';
export * from './activationComparisonFigure';
export * from './activationSparkline';
export * from './featureCard';
