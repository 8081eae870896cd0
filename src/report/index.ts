/** Notebooks as reports: headless execution with injected parameters, offline HTML, a browser check. */
export * from './notebookJson';
export * from './injectParameters';
export * from './parseParam';
export * from './renderReport';
export * from './checkReport';
