import { at } from '../util/at';
/**
 * Boundary checks for figure inputs: figures are evidence, so a NaN that silently turns into a blank cell or
 * a missing point would misreport a result. Errors name the argument and the position.
 */

export type NumericVector = readonly number[] | Float32Array | Float64Array;

/** Copy `values` into a plain array, rejecting NaN/Inf. */
export function finiteVector(values: NumericVector, name: string): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = at(values, i);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name}[${i}] is ${String(v)}; expected a finite number`);
    out[i] = v;
  }
  return out;
}

/** Copy a `[rows, cols]` array of rows, rejecting ragged rows and NaN/Inf. */
export function finiteRows(values: readonly (readonly number[])[], name: string): number[][] {
  if (!Array.isArray(values) || values.length === 0) throw new Error(`${name}: expected a non-empty array of rows`);
  const cols = (values[0] as readonly number[]).length;
  if (cols === 0) throw new Error(`${name}: rows are empty`);
  return values.map((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${name}: row ${i} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${cols} (ragged array)`);
    }
    return finiteVector(row, `${name}[${i}]`);
  });
}

/** Default names '0', '1', ... or the given names after checking their count. */
export function axisNames(names: readonly (string | number)[] | undefined, count: number, name: string): string[] {
  if (names === undefined) return Array.from({ length: count }, (_, i) => String(i));
  if (names.length !== count) throw new Error(`${name} has ${names.length} names but the data has ${count}`);
  const out = names.map(String);
  if (new Set(out).size !== out.length) throw new Error(`${name} contains duplicate names; category axes need distinct names`);
  return out;
}
