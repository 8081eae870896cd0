/**
 * Write a file so that readers see either the old file or the complete new one, never a partial write: the
 * bytes go to a temporary file beside the target (same file system), which is then renamed over it.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorMessage } from './describeError';

let counter = 0;

/** A fresh temporary path in the same folder as `path` (pid and a counter keep concurrent writers apart). */
export function temporaryPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

/** Write `data` to `path` atomically (temporary file + rename). */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = temporaryPathFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`${path}: cannot write file (${errorMessage(e)})`);
  }
}
