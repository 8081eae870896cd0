/**
 * `readCheckpoint(file)`: the floating tensors of a weights file in any of the formats the hub holds, told
 * apart by their first bytes rather than their names: safetensors (`model.safetensors`), a torch zip archive
 * or a legacy torch pickle (`pytorch_model.bin`). No pickle code is ever run (`readPickle`).
 */
import { readSourceBytes } from '../data/io/readSourceBytes';
import { atU8 } from '../util/at';
import { readTorchStateDict } from './readTorchStateDict';
import { decodeSafetensors, type NamedTensor } from './safetensors';

/** The three layouts of a weights file. */
export type CheckpointFormat = 'safetensors' | 'torch-zip' | 'torch-legacy';

/** Options of `readCheckpoint`. */
export interface ReadCheckpointOptions {
  /** Integer and bool tensors: an error (default) or left out (a model needs only its floating weights). */
  readonly nonFloat?: 'error' | 'skip';
}

/** What `readCheckpoint` read. */
export interface Checkpoint {
  /**
   * Tensors by state_dict name; floating tensors come as float32 (float16 and bfloat16 widened) or float64.
   * The map is the caller's to take entries out of (a graph builder does, so memory holds one copy).
   */
  readonly tensors: Map<string, NamedTensor>;
  /** safetensors `__metadata__` (empty for torch files). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly format: CheckpointFormat;
}

/** The format of a weights file from its first bytes. */
export function checkpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'torch-zip';
  if (bytes.length >= 2 && bytes[0] === 0x80 && atU8(bytes, 1) <= 5) return 'torch-legacy';
  return 'safetensors';
}

/** Read the weights at `file` (a path, or `{bytes, name}` already in memory). */
export function readCheckpoint(file: string | { readonly bytes: Uint8Array; readonly name: string }, opts: ReadCheckpointOptions = {}): Checkpoint {
  const { bytes, name } = typeof file === 'string' ? { bytes: readSourceBytes(file).bytes, name: file } : file;
  const format = checkpointFormat(bytes);
  if (format === 'safetensors') {
    const st = decodeSafetensors(bytes, name, opts.nonFloat ?? 'error');
    return { tensors: st.tensors, metadata: st.metadata, format };
  }
  return { tensors: readTorchStateDict(bytes, { name, ...(opts.nonFloat !== undefined ? { nonFloat: opts.nonFloat } : {}) }), metadata: {}, format };
}
