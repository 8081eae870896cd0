/** Notebooks as reports: headless execution with injected parameters, offline HTML, a browser check. */
export { renderReport, NotebookCellError, type RenderReportOptions, type RenderReportResult } from './renderReport';
export { checkReport, type CheckReportOptions, type CheckReportResult } from './checkReport';
export type { ParamValue } from './injectParameters';
