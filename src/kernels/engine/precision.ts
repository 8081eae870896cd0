/**
 * Working precision of the engine. Products run in float32 (fast MLAS kernels) or float64 (exact to double
 * rounding); by default a kernel works in the element type of its input, so `Float32Array` activations take
 * the fast path and `number[][]` or `Float64Array` inputs the exact one.
 */
import type { FloatArray, Matrix } from '../../matrix';
import { tensor, type TensorValue } from '../../backend/ort';

export type Precision = 'float32' | 'float64';

/** The precision to use: `requested` when given, else float32 only when every input is float32. */
export function resolvePrecision(requested: Precision | undefined, ...inputs: readonly Matrix[]): Precision {
  if (requested !== undefined) {
    if (requested !== 'float32' && requested !== 'float64') {
      throw new Error(`precision must be 'float32' or 'float64', got ${String(requested)}`);
    }
    return requested;
  }
  return inputs.every((m) => m.data instanceof Float32Array) ? 'float32' : 'float64';
}

/** A new typed array of `length` values in `precision`. */
export function allocate(precision: Precision, length: number): FloatArray {
  return precision === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** `data` in `precision`: the same array when it already has that type, else a converted copy. */
export function inPrecision(data: FloatArray, precision: Precision): FloatArray {
  if (precision === 'float32') return data instanceof Float32Array ? data : Float32Array.from(data);
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

/** Rows `[r0, r1)` of `m` as a typed array in `precision` (a view, no copy, when the types match). */
export function rowBlock(m: Matrix, r0: number, r1: number, precision: Precision): FloatArray {
  return inPrecision(m.data.subarray(r0 * m.cols, r1 * m.cols), precision);
}

/** `m` with its data in `precision` (the same matrix when it already is). */
export function matrixIn(m: Matrix, precision: Precision): Matrix {
  const data = inPrecision(m.data, precision);
  return data === m.data ? m : { rows: m.rows, cols: m.cols, data };
}

/** A float tensor of `data` with shape `dims`, typed by the array's element type. */
export function floatTensor(data: FloatArray, dims: readonly number[]): TensorValue {
  return data instanceof Float32Array ? tensor('float32', data, dims) : tensor('float64', data, dims);
}

/** Read a float output of the runtime as a typed array (float32 or float64). */
export function floatData(v: TensorValue | undefined, what: string): FloatArray {
  if (v === undefined) throw new Error(`engine: the graph returned no '${what}' output`);
  if (v.data instanceof Float32Array || v.data instanceof Float64Array) return v.data;
  throw new Error(`engine: output '${what}' has element type ${v.type}, expected float32 or float64`);
}
