/** Weights files (safetensors, torch zip and legacy `.bin`), read without running pickle code. */
export { readCheckpoint, type Checkpoint, type CheckpointFormat, type ReadCheckpointOptions } from './readCheckpoint';
export type { NamedTensor } from './safetensors';
