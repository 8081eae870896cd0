/**
 * Read a NumPy `.npz` archive (`np.savez` / `np.savez_compressed`): a zip of `.npy` files, returned by array
 * name as NumPy's `np.load(...)[name]` gives them (the '.npy' suffix dropped).
 */
import type { NpyArray } from './NpyArray';
import { readNpy } from './readNpy';
import { listZipEntries, readZipEntry } from './readZip';
import { readSourceBytes } from './readSourceBytes';

/** Read every array in the `.npz` at `source` (a path, or the archive's bytes labelled `label`). */
export function readNpz(source: string | Uint8Array, label = '<buffer>'): Record<string, NpyArray> {
  const { bytes, name } = readSourceBytes(source, label);
  const out: Record<string, NpyArray> = {};
  for (const entry of listZipEntries(bytes, name)) {
    if (entry.name.endsWith('/')) continue;
    const key = entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name;
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new Error(`${name}: array '${key}' appears twice`);
    out[key] = readNpy(readZipEntry(bytes, entry, name), `${name}[${key}]`);
  }
  return out;
}
