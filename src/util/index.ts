/** Helpers shared by every layer: progress reporting for long jobs, folder-safe names, the package's own files. */
export { textProgress, terminalProgress, type ProgressInfo, type ProgressCallback, type TextProgressOptions, type TerminalProgress } from './progress';
export { slug } from './slug';
export { demoDataPath, packageRoot } from './packagePaths';
