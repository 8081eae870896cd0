/**
 * Checked element access for arrays and typed arrays whose elements are never `undefined`: the value at
 * `index`, or a RangeError naming the index and the length. With `noUncheckedIndexedAccess` an indexed read
 * has type `T | undefined`; these turn the impossible case into an error instead of silencing the compiler.
 *
 * Why one function per array type: V8 keeps the type feedback of an element load per function, not per call
 * site, so a single `at` called with Float64Arrays, Int32Arrays and plain arrays goes megamorphic and its loads
 * slow down about tenfold in hot loops (measured: bench/builds/compare.js, bench/README.md). Each typed
 * accessor sees one kind of array and stays as fast as a plain `a[i]` plus one compare. Use the typed one in
 * numeric code and `at` for arrays of objects and strings.
 */

function outside(index: number, length: number): RangeError {
  return new RangeError(`index ${index} is outside [0, ${length})`);
}

/** `array[index]` of an array (or array-like) of non-undefined values; a RangeError when out of range. */
export function at<T>(array: ArrayLike<T>, index: number): T {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of a Float64Array, checked. */
export function atF64(array: Float64Array, index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of a Float32Array, checked. */
export function atF32(array: Float32Array, index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of a Float32Array or a Float64Array (a `Matrix`'s data), checked. */
export function atFloat(array: Float32Array | Float64Array, index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of an Int32Array, checked. */
export function atI32(array: Int32Array, index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of a Uint8Array (or Buffer), checked. */
export function atU8(array: Uint8Array, index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of a Uint16Array, checked. */
export function atU16(array: Uint16Array, index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of a Uint32Array, checked. */
export function atU32(array: Uint32Array, index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of an Int8Array, checked. */
export function atI8(array: Int8Array, index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** `array[index]` of a plain number array, checked. */
export function atNum(array: readonly number[], index: number): number {
  const v = array[index];
  if (v === undefined) throw outside(index, array.length);
  return v;
}

/** The value of `key` in a string-keyed record, or an error naming `what` and the keys it has. */
export function atKey<T>(record: Readonly<Record<string, T>>, key: string, what = 'record'): T {
  const v = record[key];
  if (v === undefined) throw new RangeError(`${what} has no '${key}' (it has ${Object.keys(record).join(', ') || 'nothing'})`);
  return v;
}
