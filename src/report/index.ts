/** Notebooks as reports: headless execution with injected parameters, offline HTML, a browser check; and `analyzeLayers`, seed 000's analysis as one call with its CSVs and report. */
export { renderReport, NotebookCellError, type RenderReportOptions, type RenderReportResult } from './renderReport';
export { checkReport, type CheckReportOptions, type CheckReportResult } from './checkReport';
export type { ParamValue } from './injectParameters';
export { analyzeLayers, type AnalyzeLayersOptions, type AnalyzeLayersResult, type LayerSummary } from './analyzeLayers';
