/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then the raw
 * little-endian tensor bytes (offsets relative to the end of the header). Written and read here without the
 * `safetensors` package. Floating tensors are read as float32 (F16/BF16 widened, F64 kept as float64); aligned
 * float32 tensors are views of the file's bytes (see `decodeFloats`) (writing to one changes nothing on disk).
 */
import * as fs from 'node:fs';
import type { FloatArray } from '../matrix';
import { at } from '../util/at';
import { errorMessage } from '../util/describeError';

/** A tensor read from a weights file: its shape and its values, row-major. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;
}

export interface SafetensorsFile {
  readonly tensors: Map<string, NamedTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

const DTYPE_BYTES: Readonly<Record<'F64' | 'F32' | 'F16' | 'BF16', number>> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

/** Serialise tensors (float32 as F32, float64 as F64) and string metadata, names in the given order. */
export function encodeSafetensors(tensors: ReadonlyMap<string, NamedTensor>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = { ...metadata };
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new Error(`safetensors: a tensor may not be called '__metadata__'`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    const bytes = new Uint8Array(t.data.byteLength);
    const view = new DataView(bytes.buffer);
    const f64 = t.data instanceof Float64Array;
    for (let i = 0; i < t.data.length; i++) {
      if (f64) view.setFloat64(8 * i, at(t.data, i), true);
      else view.setFloat32(4 * i, at(t.data, i), true);
    }
    header[name] = { dtype: f64 ? 'F64' : 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    parts.push(bytes);
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (as the reference writer does).
  while ((8 + Buffer.byteLength(json, 'utf8')) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decode floating-point little-endian bytes of a torch/safetensors dtype into float32 (float64 for F64). */
export function decodeFloats(bytes: Uint8Array, dtype: 'F64' | 'F32' | 'F16' | 'BF16', count: number, where: string): FloatArray {
  const size = DTYPE_BYTES[dtype];
  if (bytes.length < count * size) throw new Error(`${where}: needs ${count * size} bytes of ${dtype}, has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F64') {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
    return out;
  }
  if (dtype === 'F32') {
    // Every supported host is little-endian, so a float32 storage is its bytes. Aligned (safetensors pads its
    // header to 8 bytes, torch aligns zip records to 64), it is a view of them: a 400 MB checkpoint is then held
    // once, not twice. Otherwise one copy, which aligns it (not `bytes.slice`: on a Node Buffer that is a view).
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(0, 4 * count));
    return out;
  }
  const out = new Float32Array(count);
  if (dtype === 'F16') for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  else {
    const tmp = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      tmp.setUint32(0, view.getUint16(2 * i, true) << 16, true);
      out[i] = tmp.getFloat32(0, true);
    }
  }
  return out;
}

const INTEGER_DTYPES = new Set(['I64', 'I32', 'I16', 'I8', 'U8', 'U16', 'U32', 'U64', 'BOOL']);

/**
 * Parse safetensors bytes; `where` (a file path) names the source in errors. Integer and bool tensors are an
 * error unless `nonFloat` is 'skip' (a model needs only its floating weights).
 */
export function decodeSafetensors(bytes: Uint8Array, where = 'safetensors', nonFloat: 'error' | 'skip' = 'error'): SafetensorsFile {
  if (bytes.length < 8) throw new Error(`${where}: too short for a safetensors file (${bytes.length} bytes)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8) throw new Error(`${where}: header length ${n} exceeds the file (${bytes.length} bytes); not a safetensors file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${where}: header is not valid JSON (${errorMessage(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error(`${where}: header is not a JSON object`);
  const data = bytes.subarray(8 + n);
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: __metadata__ is not an object`);
      metadata = {};
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new Error(`${where}: __metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const shape = e.shape;
    const offs = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) throw new Error(`${where}: tensor '${name}' has no valid shape`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0)) throw new Error(`${where}: tensor '${name}' has no valid data_offsets`);
    const dtype = e.dtype;
    if (nonFloat === 'skip' && typeof dtype === 'string' && INTEGER_DTYPES.has(dtype)) continue;
    if (dtype !== 'F64' && dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
      throw new Error(`${where}: tensor '${name}' has dtype ${String(dtype)}; only floating tensors (F64, F32, F16, BF16) are read`);
    }
    const [b, end] = offs as [number, number];
    const count = (shape as number[]).reduce((a, s) => a * s, 1);
    if (end > data.length || b > end || end - b !== count * DTYPE_BYTES[dtype]) {
      throw new Error(`${where}: tensor '${name}' data_offsets [${b}, ${end}] do not fit ${count} ${dtype} values in ${data.length} data bytes`);
    }
    tensors.set(name, { shape: shape as number[], data: decodeFloats(data.subarray(b, end), dtype, count, `${where}: tensor '${name}'`) });
  }
  return { tensors, metadata };
}

export function readSafetensors(file: string): SafetensorsFile {
  return decodeSafetensors(new Uint8Array(fs.readFileSync(file)), file);
}

export function writeSafetensors(file: string, tensors: ReadonlyMap<string, NamedTensor>, metadata: Readonly<Record<string, string>> = {}): void {
  fs.writeFileSync(file, encodeSafetensors(tensors, metadata));
}
