/**
 * Read the tensors of a PyTorch checkpoint saved by `torch.save(state_dict, path)` (the zip format of
 * torch >= 1.6: `<archive>/data.pkl` plus one `<archive>/data/<key>` record per storage) without running any
 * pickle code: the pickle goes through the restricted `readPickle`, and tensors are assembled here from their
 * storages, offsets and strides.
 */
import { readFileSync } from 'node:fs';
import { listZipEntries, readZipEntry, type ZipEntry } from '../data/io/readZip';
import type { FloatArray } from '../matrix';
import { readPickle, type PickledStorage, type PickledTensor, type PickleKey, type PickleValue } from './readPickle';
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

function isTensor(v: PickleValue): v is PickledTensor {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Uint8Array) && v.kind === 'tensor';
}

function persistentLoad(where: string): (pid: PickleValue) => PickleValue {
  return (pid) => {
    const items = typeof pid === 'object' && pid !== null && !Array.isArray(pid) && !(pid instanceof Map) && !(pid instanceof Uint8Array) && pid.kind === 'tuple' ? pid.items : null;
    if (items === null || items.length !== 5 || items[0] !== 'storage') throw new Error(`${where}: unsupported persistent id (expected ('storage', type, key, location, numel))`);
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

function materialise(t: PickledTensor, name: string, records: ReadonlyMap<string, ZipEntry>, bytes: Uint8Array, prefix: string, where: string): NamedTensor {
  const dtype = FLOAT_STORAGES[t.storage.type];
  if (dtype === undefined) throw new Error(`${where}: tensor '${name}' is stored as ${t.storage.type}; only floating tensors (Float, Double, Half, BFloat16) are read`);
  const recordName = `${prefix}data/${t.storage.key}`;
  const entry = records.get(recordName);
  if (entry === undefined) throw new Error(`${where}: tensor '${name}' needs record '${recordName}', which the archive lacks`);
  const raw = readZipEntry(bytes, entry, where);
  const numel = t.storage.numel;
  if (raw.length < numel * ELEMENT_BYTES[dtype]) throw new Error(`${where}: record '${recordName}' holds ${raw.length} bytes, fewer than ${numel} ${dtype} values`);
  const storage = decodeFloats(raw, dtype, numel, `${where}: tensor '${name}'`);
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

/** The floating tensors of the checkpoint at `file` (or its bytes), by `state_dict` name (nested dicts dotted). */
export function readTorchStateDict(file: string | Uint8Array, name = '<buffer>'): Map<string, NamedTensor> {
  const where = typeof file === 'string' ? file : name;
  let bytes: Uint8Array;
  try {
    bytes = typeof file === 'string' ? new Uint8Array(readFileSync(file)) : file;
  } catch (e) {
    throw new Error(`${where}: cannot read file (${errorMessage(e)})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x80 && atU8(bytes, 1) <= 5) {
    throw new Error(`${where}: a legacy (pre-1.6, non-zip) torch checkpoint; re-save it with a current torch.save, which writes the zip format`);
  }
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
  for (const [n, t] of found) out.set(n, materialise(t, n, records, bytes, prefix, where));
  return out;
}
