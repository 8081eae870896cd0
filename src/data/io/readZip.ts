/**
 * A small ZIP reader (PKWARE APPNOTE 6.3): the central directory (with its ZIP64 forms, which NumPy's
 * `savez` writes), stored and deflated entries, CRC-32 checked. Enough for `.npz` files; no encryption,
 * no multi-disk archives.
 *
 * Archives are untrusted: an entry is inflated only up to the size its directory record declares (a zip bomb
 * that declares little and inflates to much stops there), a declared size above the caller's limit is refused
 * before anything is inflated, and entries whose data overlap (one compressed block serving several names,
 * which multiplies what a small file inflates to) are refused by `listZipEntries`.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { at } from '../../util/at';
import { errorCode, errorMessage } from '../../util/describeError';

/** One entry of a zip archive's central directory. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc: number;
  readonly localHeaderOffset: number;
  readonly flags: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('value beyond 2^53');
  return Number(v);
}

/** The entries of the archive in `bytes`, in central-directory order. `name` prefixes errors. */
export function listZipEntries(bytes: Uint8Array, name: string): ZipEntry[] {
  const fail: (reason: string) => never = (reason) => {
    throw new Error(`${name}: ${reason}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length === 0) fail('empty file (0 bytes)');
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive, or truncated: no end-of-central-directory record');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) fail('multi-disk zip archives are not supported');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== ZIP64_LOCATOR) fail('corrupt zip archive: ZIP64 locator missing');
    const at = u64(view, loc + 8);
    if (at + 56 > bytes.length || view.getUint32(at, true) !== ZIP64_EOCD) fail('corrupt zip archive: ZIP64 end-of-central-directory record missing');
    count = u64(view, at + 32);
    cdSize = u64(view, at + 40);
    cdOffset = u64(view, at + 48);
  }
  if (cdOffset + cdSize > bytes.length) fail('truncated zip archive: the central directory lies past the end of the file');
  const entries: ZipEntry[] = [];
  let pos = cdOffset;
  for (let k = 0; k < count; k++) {
    if (pos + 46 > bytes.length || view.getUint32(pos, true) !== CENTRAL) fail(`corrupt zip archive: central directory entry ${k} is damaged`);
    const flags = view.getUint16(pos + 8, true);
    const method = view.getUint16(pos + 10, true);
    const crc = view.getUint32(pos + 16, true);
    let compressedSize = view.getUint32(pos + 20, true);
    let size = view.getUint32(pos + 24, true);
    const nameLen = view.getUint16(pos + 28, true);
    const extraLen = view.getUint16(pos + 30, true);
    const commentLen = view.getUint16(pos + 32, true);
    let localHeaderOffset = view.getUint32(pos + 42, true);
    const entryName = Buffer.from(bytes.subarray(pos + 46, pos + 46 + nameLen)).toString(flags & 0x800 ? 'utf8' : 'latin1');
    // ZIP64 extended information: only the fields saturated in the fixed record are present, in this order.
    let e = pos + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let f = e + 4;
        if (size === 0xffffffff) { size = u64(view, f); f += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = u64(view, f); f += 8; }
        if (localHeaderOffset === 0xffffffff) { localHeaderOffset = u64(view, f); f += 8; }
      }
      e += 4 + len;
    }
    entries.push({ name: entryName, method, compressedSize, size, crc, localHeaderOffset, flags });
    pos = extraEnd + commentLen;
  }
  // Each entry's local header and data must lie apart from every other's: overlapping entries let a few
  // kilobytes of deflate data stand for several huge arrays.
  const spans = entries.map((en) => ({ name: en.name, start: en.localHeaderOffset, end: en.localHeaderOffset + 30 + en.compressedSize })).sort((a, b) => a.start - b.start);
  for (let k = 1; k < spans.length; k++) {
    const prev = at(spans, k - 1);
    const cur = at(spans, k);
    if (cur.start < prev.end) fail(`corrupt or malicious zip archive: entries '${prev.name}' and '${cur.name}' share data`);
  }
  return entries;
}

/** Limits on what reading an untrusted archive may allocate. */
export interface ZipReadOptions {
  /** Largest uncompressed entry to inflate, in bytes (default 4 GiB). */
  readonly maxEntryBytes?: number;
}

/** Default `maxEntryBytes`: 4 GiB, far above any layer matrix an `.npz` of features holds on this machine size. */
export const DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 ** 3;

/** The uncompressed bytes of `entry`, checked against its CRC-32 and bounded by its declared size and `opts`. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, name: string, opts: ZipReadOptions = {}): Uint8Array {
  const where = `${name}: entry '${entry.name}'`;
  const limit = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  if (entry.size > limit) {
    throw new Error(`${where}: declares ${entry.size} uncompressed bytes, above the limit of ${limit} (maxEntryBytes); refusing to inflate it`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localHeaderOffset;
  if (entry.flags & 0x1) throw new Error(`${where}: encrypted zip entries are not supported`);
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw new Error(`${where}: corrupt zip archive: local header missing`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new Error(`${where}: truncated zip archive: data runs past the end of the file`);
  const raw = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      // Never inflate past the declared size: one byte more than declared is enough to tell a lie.
      data = inflateRawSync(raw, { maxOutputLength: entry.size + 1 });
    } catch (e) {
      // zlib stops with ERR_BUFFER_TOO_LARGE once the output would pass maxOutputLength (checked by code, not
      // by class: errors from node's zlib need not share this realm's RangeError).
      if (errorCode(e) === 'ERR_BUFFER_TOO_LARGE') throw new Error(`${where}: corrupt or malicious: inflates past its declared ${entry.size} bytes`);
      throw new Error(`${where}: corrupt deflate data (${errorMessage(e)})`);
    }
  } else {
    throw new Error(`${where}: unsupported compression method ${entry.method} (only stored and deflated)`);
  }
  if (data.length !== entry.size) throw new Error(`${where}: corrupt: ${data.length} bytes, the directory says ${entry.size}`);
  if (crc32(data) >>> 0 !== entry.crc) throw new Error(`${where}: corrupt: CRC-32 mismatch`);
  return data;
}
