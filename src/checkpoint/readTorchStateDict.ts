/**
 * Read the tensors of a PyTorch checkpoint saved by `torch.save(state_dict, path)` without running any pickle
 * code: the pickle goes through the restricted `readPickle`, and tensors are assembled here from their
 * storages, offsets and strides. Both formats `torch.save` writes: the zip archive of torch >= 1.6
 * (`<archive>/data.pkl` plus one `<archive>/data/<key>` record per storage, stored uncompressed) and the legacy
 * format (`_use_new_zipfile_serialization=False`, and every checkpoint from before 1.6): five pickles in a row
 * (magic number, protocol version, system info, the state_dict, the list of storage keys), then each storage
 * as an int64 element count and its raw little-endian bytes, in the order of that list.
 */
import { readFileSync } from 'node:fs';
import { listZipEntries, readZipEntry } from '../data/io/readZip';
import type { FloatArray } from '../matrix';
import { readPickle, readPickleAt, type PickledStorage, type PickledTensor, type PickleKey, type PickleValue } from './readPickle';
import { decodeFloats, type NamedTensor } from './safetensors';
import { atFloat, atNum, atU8 } from '../util/at';
import { errorMessage } from '../util/describeError';

const FLOAT_STORAGES: Readonly<Record<string, 'F64' | 'F32' | 'F16' | 'BF16'>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
};

const ELEMENT_BYTES: Readonly<Record<'F64' | 'F32' | 'F16' | 'BF16', number>> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

/** Bytes per element of every storage type, to step over the ones that are not read (legacy format). */
const STORAGE_BYTES: Readonly<Record<string, number>> = {
  DoubleStorage: 8, FloatStorage: 4, HalfStorage: 2, BFloat16Storage: 2, LongStorage: 8, IntStorage: 4, ShortStorage: 2, CharStorage: 1, ByteStorage: 1, BoolStorage: 1,
};

/** Options of `readTorchStateDict`. */
export interface ReadTorchStateDictOptions {
  /** Names the source in errors when `file` is bytes (default '<buffer>'). */
  readonly name?: string;
  /**
   * Integer and bool tensors (buffers such as BERT's `position_ids`): an error (default), or left out of the
   * result, for callers that need only the floating weights.
   */
  readonly nonFloat?: 'error' | 'skip';
}

function isTensor(v: PickleValue): v is PickledTensor {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Uint8Array) && v.kind === 'tensor';
}

function persistentLoad(where: string): (pid: PickleValue) => PickleValue {
  return (pid) => {
    const items = typeof pid === 'object' && pid !== null && !Array.isArray(pid) && !(pid instanceof Map) && !(pid instanceof Uint8Array) && pid.kind === 'tuple' ? pid.items : null;
    // The zip format's ids have five items; the legacy format adds a sixth, view metadata (None for a state_dict).
    if (items === null || (items.length !== 5 && !(items.length === 6 && items[5] === null)) || items[0] !== 'storage') {
      throw new Error(`${where}: unsupported persistent id (expected ('storage', type, key, location, numel))`);
    }
    const [, type, key, location, numel] = items;
    const isStorageType = typeof type === 'object' && type !== null && !Array.isArray(type) && !(type instanceof Map) && !(type instanceof Uint8Array) && type.kind === 'global';
    if (!isStorageType || typeof key !== 'string' || typeof location !== 'string' || !(typeof numel === 'number' || typeof numel === 'bigint')) {
      throw new Error(`${where}: malformed storage persistent id`);
    }
    const storage: PickledStorage = { kind: 'storage', type: type.name, key, location, numel: Number(numel) };
    return storage;
  };
}

/** Deepest dict nesting a state_dict may have (real ones have one or two levels). */
const MAX_DEPTH = 32;
/** Most entries a walk may visit: bounds dicts shared under many names (each level doubling the names). */
const MAX_ENTRIES = 1_000_000;

/**
 * Flatten nested dicts into dotted names, keeping tensors only. The pickle keeps shared objects shared, so
 * an untrusted file can make a dict contain itself or share one sub-dict under two keys at every level
 * (2^60 names from 1.5 KB): the walk refuses cycles and depths beyond MAX_DEPTH, and stops after MAX_ENTRIES.
 */
function collect(root: PickleValue, out: Map<string, PickledTensor>, where: string): void {
  const open = new Set<Map<PickleKey, PickleValue>>();
  let visited = 0;
  const walk = (v: PickleValue, prefix: string, depth: number): void => {
    if (++visited > MAX_ENTRIES) throw new Error(`${where}: the checkpoint's dicts name more than ${MAX_ENTRIES} entries (sub-dicts shared under many names); a state_dict names each tensor once`);
    if (isTensor(v)) {
      out.set(prefix, v);
      return;
    }
    if (!(v instanceof Map)) return;
    if (open.has(v)) throw new Error(`${where}: the checkpoint's dict '${prefix}' contains itself; a state_dict has no cycles`);
    if (depth > MAX_DEPTH) throw new Error(`${where}: the checkpoint's dicts nest deeper than ${MAX_DEPTH} levels (at '${prefix}'); not a state_dict`);
    open.add(v);
    for (const [k, x] of v) walk(x, prefix === '' ? String(k) : `${prefix}.${String(k)}`, depth + 1);
    open.delete(v);
  };
  walk(root, '', 0);
}

/** The raw bytes of storage `key` (a zip record, or a run of bytes in a legacy file) and what to call it in errors. */
type StorageBytes = (key: string, tensor: string) => { readonly raw: Uint8Array; readonly what: string };

function materialise(t: PickledTensor, name: string, storageBytes: StorageBytes, where: string): NamedTensor {
  const dtype = FLOAT_STORAGES[t.storage.type];
  if (dtype === undefined) throw new Error(`${where}: tensor '${name}' is stored as ${t.storage.type}; only floating tensors (Float, Double, Half, BFloat16) are read`);
  const { raw, what } = storageBytes(t.storage.key, name);
  const numel = t.storage.numel;
  if (raw.length < numel * ELEMENT_BYTES[dtype]) throw new Error(`${where}: ${what} holds ${raw.length} bytes, fewer than ${numel} ${dtype} values`);
  const storage = decodeFloats(raw, dtype, numel, `${where}: tensor '${name}'`);
  // A contiguous tensor over its whole storage (nearly every state_dict entry) is the decoded storage itself.
  if (t.offset === 0 && numel === t.shape.reduce((a, b) => a * b, 1) && isContiguous(t.shape, t.stride)) return { shape: t.shape, data: storage };
  const count = t.shape.reduce((a, b) => a * b, 1);
  const out: FloatArray = storage instanceof Float64Array ? new Float64Array(count) : new Float32Array(count);
  if (count === 0) return { shape: t.shape, data: out };
  let maxIndex = t.offset;
  for (let k = 0; k < t.shape.length; k++) {
    if (atNum(t.stride, k) < 0) throw new Error(`${where}: tensor '${name}' has a negative stride`);
    maxIndex += (atNum(t.shape, k) - 1) * atNum(t.stride, k);
  }
  if (t.offset < 0 || maxIndex >= numel) throw new Error(`${where}: tensor '${name}' reaches element ${maxIndex} of a storage with ${numel}`);
  // Walk the index odometer so that any stride pattern (transposed views included) comes out row-major.
  const nd = t.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let src = t.offset;
  for (let i = 0; i < count; i++) {
    out[i] = atFloat(storage, src);
    for (let k = nd - 1; k >= 0; k--) {
      idx[k] += 1;
      src += atNum(t.stride, k);
      if (atNum(idx, k) < atNum(t.shape, k)) break;
      src -= atNum(t.shape, k) * atNum(t.stride, k);
      idx[k] = 0;
    }
  }
  return { shape: t.shape, data: out };
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    if (atNum(shape, k) !== 1 && atNum(stride, k) !== expected) return false;
    expected *= atNum(shape, k);
  }
  return true;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function asCount(v: PickleValue, what: string, where: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw new Error(`${where}: ${what} is not a count`);
}

/** The legacy (non-zip) format; see the file comment. */
function readLegacy(bytes: Uint8Array, where: string, keep: (t: PickledTensor) => boolean): Map<string, NamedTensor> {
  const opts = { name: where, persistentLoad: persistentLoad(where) };
  const magic = readPickleAt(bytes, 0, { name: where });
  if (magic.value !== LEGACY_MAGIC && !(typeof magic.value === 'number' && BigInt(magic.value) === LEGACY_MAGIC)) {
    throw new Error(`${where}: starts with a pickle but not torch's legacy magic number; not a torch.save checkpoint`);
  }
  const protocol = readPickleAt(bytes, magic.end, { name: where });
  if (protocol.value !== 1001) throw new Error(`${where}: legacy torch checkpoint of protocol version ${String(protocol.value)}; only 1001 is read`);
  const sysInfo = readPickleAt(bytes, protocol.end, { name: where });
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) throw new Error(`${where}: saved big-endian; only little-endian checkpoints are read`);
  const main = readPickleAt(bytes, sysInfo.end, opts);
  const keys = readPickleAt(bytes, main.end, { name: where });
  const keyList = Array.isArray(keys.value) ? keys.value.filter((k): k is string => typeof k === 'string') : [];
  if (!Array.isArray(keys.value) || keyList.length !== keys.value.length) throw new Error(`${where}: the legacy storage key list is malformed`);
  if (!(main.value instanceof Map)) throw new Error(`${where}: the checkpoint is not a dict of tensors (a state_dict)`);
  const found = new Map<string, PickledTensor>();
  collect(main.value, found, where);
  const sizes = new Map<string, number>();
  for (const t of found.values()) {
    const size = STORAGE_BYTES[t.storage.type];
    if (size === undefined) throw new Error(`${where}: storage type ${t.storage.type} is unknown`);
    sizes.set(t.storage.key, size);
  }
  // Storages follow in key order, each an int64 element count and count * element-size bytes.
  const spans = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const key of keyList) {
    if (pos + 8 > bytes.length) throw new Error(`${where}: truncated before storage '${key}'`);
    const count = asCount(Number(view.getBigInt64(pos, true)), `storage '${key}' element count`, where);
    const size = sizes.get(key);
    if (size === undefined) throw new Error(`${where}: storage '${key}' is listed but no tensor uses it`);
    pos += 8;
    if (pos + count * size > bytes.length) throw new Error(`${where}: storage '${key}' needs ${count * size} bytes, the file ends after ${bytes.length - pos}`);
    spans.set(key, bytes.subarray(pos, pos + count * size));
    pos += count * size;
  }
  const out = new Map<string, NamedTensor>();
  for (const [n, t] of found) {
    if (!keep(t)) continue;
    out.set(
      n,
      materialise(t, n, (key, tensor) => {
        const raw = spans.get(key);
        if (raw === undefined) throw new Error(`${where}: tensor '${tensor}' needs storage '${key}', which the file lacks`);
        return { raw, what: `storage '${key}'` };
      }, where),
    );
  }
  return out;
}

/** The floating tensors of the checkpoint at `file` (or its bytes), by `state_dict` name (nested dicts dotted). */
export function readTorchStateDict(file: string | Uint8Array, opts: ReadTorchStateDictOptions = {}): Map<string, NamedTensor> {
  const where = typeof file === 'string' ? file : opts.name ?? '<buffer>';
  const keep = (t: PickledTensor): boolean => opts.nonFloat !== 'skip' || FLOAT_STORAGES[t.storage.type] !== undefined;
  let bytes: Uint8Array;
  try {
    bytes = typeof file === 'string' ? new Uint8Array(readFileSync(file)) : file;
  } catch (e) {
    throw new Error(`${where}: cannot read file (${errorMessage(e)})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x80 && atU8(bytes, 1) <= 5) return readLegacy(bytes, where, keep);
  const entries = listZipEntries(bytes, where);
  const records = new Map(entries.map((e) => [e.name, e]));
  const pkl = entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (pkl === undefined) throw new Error(`${where}: no data.pkl record; not a torch.save checkpoint`);
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const order = records.get(`${prefix}byteorder`);
  if (order !== undefined) {
    const bo = Buffer.from(readZipEntry(bytes, order, where)).toString('latin1').trim();
    if (bo !== 'little') throw new Error(`${where}: saved with byte order '${bo}'; only little-endian checkpoints are read`);
  }
  const root = readPickle(readZipEntry(bytes, pkl, where), { name: `${where}: ${pkl.name}`, persistentLoad: persistentLoad(where) });
  if (!(root instanceof Map)) throw new Error(`${where}: the checkpoint is not a dict of tensors (a state_dict)`);
  const found = new Map<string, PickledTensor>();
  collect(root, found, where);
  const out = new Map<string, NamedTensor>();
  const storageBytes: StorageBytes = (key, tensor) => {
    const recordName = `${prefix}data/${key}`;
    const entry = records.get(recordName);
    if (entry === undefined) throw new Error(`${where}: tensor '${tensor}' needs record '${recordName}', which the archive lacks`);
    return { raw: readZipEntry(bytes, entry, where), what: `record '${recordName}'` };
  };
  for (const [n, t] of found) if (keep(t)) out.set(n, materialise(t, n, storageBytes, where));
  return out;
}
