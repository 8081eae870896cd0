/**
 * Checked element access for arrays and typed arrays whose elements are never `undefined`: the value at
 * `index`, or a RangeError naming the index and the length. With `noUncheckedIndexedAccess` an indexed read
 * has type `T | undefined`; this turns the impossible case into an error instead of silencing the compiler,
 * and V8 inlines it, so hot loops keep their speed (measured in bench/kernels, see bench/README.md).
 */
export function at<T>(array: ArrayLike<T>, index: number): T {
  const v = array[index];
  if (v === undefined) throw new RangeError(`index ${index} is outside [0, ${array.length})`);
  return v;
}
