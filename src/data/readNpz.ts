/**
 * Read a NumPy `.npz` archive (`np.savez` / `np.savez_compressed`): a zip of `.npy` files, returned by array
 * name as NumPy's `np.load(...)[name]` gives them (the '.npy' suffix dropped).
 */
import { readFileSync } from 'node:fs';
import type { NpyArray } from './NpyArray';
import { readNpy } from './readNpy';
import { listZipEntries, readZipEntry } from './readZip';
import { errorCode, errorMessage } from './describeError';

/** Read every array in the `.npz` at `source` (a path, or the archive's bytes labelled `name`). */
export function readNpz(source: string | Uint8Array, name = '<buffer>'): Record<string, NpyArray> {
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    name = source;
    try {
      bytes = readFileSync(source);
    } catch (e) {
      const code = errorCode(e);
      throw new Error(code === 'ENOENT' ? `${source}: file not found` : `${source}: cannot read file (${errorMessage(e)})`);
    }
  } else {
    bytes = source;
  }
  const out: Record<string, NpyArray> = {};
  for (const entry of listZipEntries(bytes, name)) {
    if (entry.name.endsWith('/')) continue;
    const key = entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name;
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new Error(`${name}: array '${key}' appears twice`);
    out[key] = readNpy(readZipEntry(bytes, entry, name), `${name}[${key}]`);
  }
  return out;
}
