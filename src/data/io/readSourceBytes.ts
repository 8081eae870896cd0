/**
 * The bytes of a file-or-buffer argument, with the name errors should use: the path for files, the caller's
 * label for buffers. Readers of `.npy`, `.npz` and checkpoints share it so a missing file reads the same
 * everywhere.
 */
import { readFileSync } from 'node:fs';
import { errorCode, errorMessage } from '../../util/describeError';

export interface SourceBytes {
  readonly bytes: Uint8Array;
  readonly name: string;
}

export function readSourceBytes(source: string | Uint8Array, label = '<buffer>'): SourceBytes {
  if (typeof source !== 'string') return { bytes: source, name: label };
  try {
    return { bytes: readFileSync(source), name: source };
  } catch (e) {
    const code = errorCode(e);
    throw new Error(code === 'ENOENT' ? `${source}: file not found` : `${source}: cannot read file (${errorMessage(e)})`);
  }
}
