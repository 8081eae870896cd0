/** Helpers shared by every layer: progress reporting for long jobs and folder-safe names. */
export { textProgress, terminalProgress, type ProgressInfo, type ProgressCallback, type TextProgressOptions, type TerminalProgress } from './progress';
export { slug } from './slug';
