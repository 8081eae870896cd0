/**
 * Read a NumPy `.npz` archive (`np.savez` / `np.savez_compressed`): a zip of `.npy` files, returned by array
 * name as NumPy's `np.load(...)[name]` gives them (the '.npy' suffix dropped).
 */
import type { NpyArray } from './NpyArray';
import { readNpy } from './readNpy';
import { DEFAULT_MAX_ENTRY_BYTES, listZipEntries, readZipEntry } from './readZip';
import { readSourceBytes } from './readSourceBytes';

/** Limits of `readNpz` on an untrusted archive. */
export interface ReadNpzOptions {
  /** Most bytes all arrays together may inflate to (default 4 GiB); checked against the declared sizes first. */
  readonly maxBytes?: number;
  /** Name of the buffer in errors when `source` is bytes (default `<buffer>`). */
  readonly label?: string;
}

/** Read every array in the `.npz` at `source` (a path, or the archive's bytes). */
export function readNpz(source: string | Uint8Array, opts: ReadNpzOptions = {}): Record<string, NpyArray> {
  const { bytes, name } = readSourceBytes(source, opts.label ?? '<buffer>');
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const entries = listZipEntries(bytes, name).filter((e) => !e.name.endsWith('/'));
  const declared = entries.reduce((s, e) => s + e.size, 0);
  if (declared > maxBytes) {
    throw new Error(`${name}: its arrays declare ${declared} bytes in all, above the limit of ${maxBytes} (maxBytes); refusing to inflate them`);
  }
  const out: Record<string, NpyArray> = {};
  for (const entry of entries) {
    const key = entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name;
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new Error(`${name}: array '${key}' appears twice`);
    out[key] = readNpy(readZipEntry(bytes, entry, name, { maxEntryBytes: maxBytes }), `${name}[${key}]`);
  }
  return out;
}
