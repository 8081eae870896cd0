import { atU8 } from '../../util/at';
import { errorMessage } from '../../util/describeError';
import { parsePythonLiteral, tupleItems, type PythonLiteral } from './parsePythonLiteral';
/**
 * The NumPy `.npy` format (numpy.lib.format, versions 1.0-3.0): a magic string, a version, a header length,
 * a Python-literal header dict `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with
 * spaces to a multiple of 64 bytes and ended by '\n', then the raw array data.
 */

export type NpyDtype =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool';

/** The typed array an `.npy` file's data is read into (one per dtype). */
export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/** An n-dimensional array in C (row-major) order; `bool` arrays hold 0/1 in a Uint8Array. */
export interface NpyArray {
  readonly data: NpyData;
  readonly shape: readonly number[];
  readonly dtype: NpyDtype;
}

interface DtypeInfo {
  readonly kind: 'f' | 'i' | 'u' | 'b';
  readonly size: number;
  readonly make: (n: number) => NpyData;
}

export const NPY_DTYPES: Readonly<Record<NpyDtype, DtypeInfo>> = {
  float32: { kind: 'f', size: 4, make: (n) => new Float32Array(n) },
  float64: { kind: 'f', size: 8, make: (n) => new Float64Array(n) },
  int8: { kind: 'i', size: 1, make: (n) => new Int8Array(n) },
  int16: { kind: 'i', size: 2, make: (n) => new Int16Array(n) },
  int32: { kind: 'i', size: 4, make: (n) => new Int32Array(n) },
  int64: { kind: 'i', size: 8, make: (n) => new BigInt64Array(n) },
  uint8: { kind: 'u', size: 1, make: (n) => new Uint8Array(n) },
  uint16: { kind: 'u', size: 2, make: (n) => new Uint16Array(n) },
  uint32: { kind: 'u', size: 4, make: (n) => new Uint32Array(n) },
  uint64: { kind: 'u', size: 8, make: (n) => new BigUint64Array(n) },
  bool: { kind: 'b', size: 1, make: (n) => new Uint8Array(n) },
};

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The dtype a typed array is written as (a Uint8Array is 'uint8' unless told 'bool'). */
export function dtypeOfData(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigUint64Array) return 'uint64';
  throw new Error('npy: data must be a Float32/Float64/Int8/Int16/Int32/BigInt64/Uint8/Uint16/Uint32/BigUint64 array');
}

/** The descr string NumPy writes for `dtype` on a little-endian machine ('<f4', '|u1', '|b1', ...). */
export function descrOf(dtype: NpyDtype): string {
  const { kind, size } = NPY_DTYPES[dtype];
  return `${size === 1 ? '|' : '<'}${kind}${size}`;
}

/** Product of the dimensions, after checking they are non-negative integers. `name` prefixes errors. */
export function shapeSize(shape: readonly number[], name: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(`${name}: shape [${shape.join(', ')}] must hold non-negative integers`);
    n *= d;
  }
  return n;
}

/** The header dict text, as NumPy formats it. */
export function headerDict(dtype: NpyDtype, shape: readonly number[]): string {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${descrOf(dtype)}', 'fortran_order': False, 'shape': ${dims}, }`;
}

/**
 * Magic, version and header for `dict`, padded with spaces so the data starts on a multiple of 64 bytes.
 * Version 1.0 (2-byte length) when it fits, else 2.0 (4-byte length). `minLength` reserves room for a
 * header that will be rewritten later with a longer shape.
 */
export function encodeNpyHeader(dict: string, minLength = 0): Uint8Array {
  const body = Buffer.from(dict, 'latin1');
  const build = (prefix: number): Uint8Array | null => {
    const unpadded = prefix + body.length + 1;
    const total = Math.max(Math.ceil(unpadded / 64) * 64, Math.ceil(minLength / 64) * 64);
    const headerLen = total - prefix;
    if (prefix === 10 && headerLen > 0xffff) return null;
    const out = Buffer.alloc(total, 0x20);
    out.set(NPY_MAGIC, 0);
    out[6] = prefix === 10 ? 1 : 2;
    out[7] = 0;
    if (prefix === 10) out.writeUInt16LE(headerLen, 8);
    else out.writeUInt32LE(headerLen, 8);
    out.set(body, prefix);
    out[total - 1] = 0x0a;
    return out;
  };
  const v1 = build(10);
  if (v1 !== null) return v1;
  const v2 = build(12);
  if (v2 === null) throw new Error('npy: header too long');
  return v2;
}

export interface ParsedNpyHeader {
  readonly dtype: NpyDtype;
  readonly littleEndian: boolean;
  readonly fortranOrder: boolean;
  readonly shape: number[];
  /** Byte offset where the data starts. */
  readonly dataOffset: number;
}

/** Parse the magic, version and header dict of `.npy` bytes. `name` prefixes errors. */
export function parseNpyHeader(bytes: Uint8Array, name: string): ParsedNpyHeader {
  const fail: (reason: string) => never = (reason) => {
    throw new Error(`${name}: ${reason}`);
  };
  if (bytes.length < 10) fail(`not a .npy file: ${bytes.length} bytes`);
  for (let i = 0; i < NPY_MAGIC.length; i++) if (bytes[i] !== NPY_MAGIC[i]) fail("not a .npy file: missing the '\\x93NUMPY' magic string");
  const major = atU8(bytes, 6);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let prefix: number;
  let headerLen: number;
  if (major === 1) {
    prefix = 10;
    headerLen = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated .npy file: header length cut off');
    prefix = 12;
    headerLen = view.getUint32(8, true);
  } else {
    return fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (prefix + headerLen > bytes.length) fail(`truncated .npy file: header needs ${headerLen} bytes`);
  const text = Buffer.from(bytes.subarray(prefix, prefix + headerLen)).toString(major === 3 ? 'utf8' : 'latin1');
  // NumPy writes the header with repr(dict) and reads it with ast.literal_eval, requiring exactly these keys.
  let header: PythonLiteral;
  try {
    header = parsePythonLiteral(text.replace(/\s+$/, ''));
  } catch (e) {
    return fail(`corrupt .npy header: ${errorMessage(e)}`);
  }
  if (!(header instanceof Map)) return fail(`corrupt .npy header: not a dict: ${text.trim()}`);
  const keys = [...header.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') return fail(`corrupt .npy header: keys are ${keys.join(', ')}; expected descr, fortran_order, shape`);
  const descr = header.get('descr');
  if (Array.isArray(descr)) return fail('unsupported dtype: structured arrays are not supported');
  if (typeof descr !== 'string') return fail(`corrupt .npy header: 'descr' is not a string in ${text.trim()}`);
  const fortran = header.get('fortran_order');
  if (typeof fortran !== 'boolean') return fail(`corrupt .npy header: 'fortran_order' is not True or False in ${text.trim()}`);
  const dims = tupleItems(header.get('shape'));
  if (dims === undefined) return fail(`corrupt .npy header: 'shape' is not a tuple in ${text.trim()}`);
  const shape = dims.map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) fail(`corrupt .npy header: bad dimension '${String(d)}'`);
    return typeof d === 'number' ? d : 0;
  });
  const { dtype, littleEndian } = parseDescr(descr, fail);
  return { dtype, littleEndian, fortranOrder: fortran, shape, dataOffset: prefix + headerLen };
}

function parseDescr(descr: string, fail: (reason: string) => never): { dtype: NpyDtype; littleEndian: boolean } {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  if (m === null) return fail(`unsupported dtype '${descr}' (supported: float32/64, int8-64, uint8-64, bool)`);
  const [, order = '', kind = '', sizeText = ''] = m;
  const size = Number(sizeText);
  const found = (Object.keys(NPY_DTYPES) as NpyDtype[]).find((d) => NPY_DTYPES[d].kind === kind && NPY_DTYPES[d].size === size);
  if (found === undefined) return fail(`unsupported dtype '${descr}' (supported: float32/64, int8-64, uint8-64, bool)`);
  return { dtype: found, littleEndian: order !== '>' };
}
