/**
 * Read a NumPy `.npy` array (any format version, either byte order; Fortran-ordered arrays are transposed
 * into C order so `data` is always row-major for `shape`).
 */
import { NPY_DTYPES, parseNpyHeader, shapeSize, type NpyArray, type NpyData } from './NpyArray';
import { readSourceBytes } from './readSourceBytes';
import { atNum } from '../../util/at';

/** Read the `.npy` file at `source`, or parse its bytes (errors then say `label`, default '<buffer>'). */
export function readNpy(source: string | Uint8Array, label = '<buffer>'): NpyArray {
  const { bytes, name } = readSourceBytes(source, label);
  const header = parseNpyHeader(bytes, name);
  const info = NPY_DTYPES[header.dtype];
  const count = shapeSize(header.shape, name);
  const need = count * info.size;
  const available = bytes.length - header.dataOffset;
  if (available < need) throw new Error(`${name}: truncated .npy file: shape [${header.shape.join(', ')}] needs ${need} data bytes, ${available} present`);
  if (available > need) throw new Error(`${name}: corrupt .npy file: ${available - need} bytes after the array data`);

  const raw = new Uint8Array(need);
  raw.set(bytes.subarray(header.dataOffset, header.dataOffset + need));
  if (!header.littleEndian && info.size > 1) {
    for (let i = 0; i < need; i += info.size) raw.subarray(i, i + info.size).reverse();
  }
  const ordered = header.fortranOrder && header.shape.length > 1 ? fortranToC(raw, header.shape, info.size) : raw;
  const Ctor = info.make(0).constructor as new (buffer: ArrayBufferLike) => NpyData;
  return { data: new Ctor(ordered.buffer), shape: header.shape, dtype: header.dtype };
}

/** Reorder the elements (`size` bytes each) of a Fortran-order array (first axis fastest) into C order. */
function fortranToC(src: Uint8Array, shape: readonly number[], size: number): Uint8Array {
  const nd = shape.length;
  const out = new Uint8Array(src.length);
  const fStride: number[] = [];
  let s = 1;
  for (let k = 0; k < nd; k++) {
    fStride.push(s);
    s *= atNum(shape, k);
  }
  const idx = new Array<number>(nd).fill(0);
  let f = 0;
  const count = src.length / size;
  for (let c = 0; c < count; c++) {
    out.set(src.subarray(f * size, f * size + size), c * size);
    for (let k = nd - 1; k >= 0; k--) {
      idx[k] += 1;
      f += atNum(fStride, k);
      if (atNum(idx, k) < atNum(shape, k)) break;
      f -= atNum(shape, k) * atNum(fStride, k);
      idx[k] = 0;
    }
  }
  return out;
}
