/**
 * Write a `.npy` file NumPy reads with `np.load` (format 1.0, or 2.0 for very long headers; little-endian;
 * C order; data 64-byte aligned), atomically.
 */
import { descrOf, dtypeOfData, encodeNpyHeader, headerDict, shapeSize, type NpyData, type NpyDtype } from './NpyArray';
import { writeFileAtomic } from '../../util/writeFileAtomic';

/** What `writeNpy` takes: typed data and a shape, with an optional dtype to store it as. */
export interface NpyInput {
  /** Values in C (row-major) order for `shape`. */
  readonly data: NpyData;
  readonly shape: readonly number[];
  /** Override the dtype implied by `data`; only 'bool' (with a Uint8Array of 0/1) differs from it. */
  readonly dtype?: NpyDtype;
}

/** The bytes of a `.npy` file holding `array`. */
export function encodeNpy(array: NpyInput, name = 'encodeNpy'): Buffer {
  const dtype = checkedDtype(array, name);
  const count = shapeSize(array.shape, name);
  if (array.data.length !== count) {
    throw new Error(`${name}: data has ${array.data.length} values but shape [${array.shape.join(', ')}] needs ${count}`);
  }
  const header = encodeNpyHeader(headerDict(dtype, array.shape));
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  return Buffer.concat([header, body]);
}

/** Write `array` to `path` as `.npy` (temporary file + rename). */
export function writeNpy(path: string, array: NpyInput): void {
  writeFileAtomic(path, encodeNpy(array, path));
}

/** The dtype to write, after checking `dtype` against `data`. */
export function checkedDtype(array: { data: NpyData; dtype?: NpyDtype }, name: string): NpyDtype {
  const implied = dtypeOfData(array.data);
  const dtype = array.dtype ?? implied;
  if (dtype === 'bool') {
    if (implied !== 'uint8') throw new Error(`${name}: dtype 'bool' needs a Uint8Array of 0/1, got ${implied} data`);
    for (let i = 0; i < array.data.length; i++) {
      const v = array.data[i];
      if (v !== 0 && v !== 1) throw new Error(`${name}: dtype 'bool' needs 0/1 values, data[${i}] is ${String(v)}`);
    }
  } else if (dtype !== implied) {
    throw new Error(`${name}: dtype '${dtype}' (${descrOf(dtype)}) does not match ${implied} data`);
  }
  return dtype;
}
