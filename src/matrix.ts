/**
 * The one matrix shape shared by every module: row-major, rows = samples (items or frames), cols = features.
 *
 * Kernels accept a `MatrixLike` (a `Matrix` or a `number[][]`), check it at the boundary with `toMatrix`,
 * and never write into the caller's buffer.
 */
import { at, atF64, atFloat } from './util/at';

/** The element arrays a `Matrix` can hold. */
export type FloatArray = Float32Array | Float64Array;

/** A dense row-major matrix `[rows, cols]`; element (i, j) is `data[i * cols + j]`. */
export interface Matrix<T extends FloatArray = FloatArray> {
  readonly rows: number;
  readonly cols: number;
  readonly data: T;
}

/**
 * Rows of a matrix too large for memory, as consecutive blocks (`FeatureStore.rowBlocks`): `rows x cols` in all,
 * each block `[<= blockRows, cols]`, in row order. A source can be walked more than once.
 */
export interface RowBlocks {
  readonly rows: number;
  readonly cols: number;
  /** Names the source in errors. */
  readonly name: string;
  blocks(): Iterable<Matrix<Float32Array>>;
}

/** True for row blocks (`RowBlocks`), false for a `Matrix` or an array of rows. */
export function isRowBlocks(x: MatrixLike | RowBlocks): x is RowBlocks {
  return !Array.isArray(x) && 'blocks' in x && typeof x.blocks === 'function';
}

/** What kernels accept: a `Matrix` or an array of equal-length rows. */
export type MatrixLike = Matrix | readonly (readonly number[])[];

/** Checks `toMatrix` applies. */
export interface ToMatrixOptions {
  /** Reject NaN/Inf (default true). */
  finite?: boolean;
  /** Minimum number of rows (default 1). */
  minRows?: number;
}

function isMatrix(x: unknown): x is Matrix {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as { rows?: unknown; cols?: unknown; data?: unknown };
  return (
    typeof m.rows === 'number' &&
    typeof m.cols === 'number' &&
    (m.data instanceof Float32Array || m.data instanceof Float64Array)
  );
}

/**
 * Validate `x` and return it as a `Matrix`. A `Matrix` input is returned as is (not copied: callers must
 * not write into it); a `number[][]` is packed into a new Float64Array. Errors name the argument.
 */
export function toMatrix(x: MatrixLike, name = 'X', opts: ToMatrixOptions = {}): Matrix {
  const { finite = true, minRows = 1 } = opts;
  let m: Matrix;
  if (isMatrix(x)) {
    if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.rows < 0 || x.cols < 0) {
      throw new Error(`${name}: rows and cols must be non-negative integers, got [${x.rows}, ${x.cols}]`);
    }
    if (x.data.length !== x.rows * x.cols) {
      throw new Error(`${name}: data has ${x.data.length} values but shape [${x.rows}, ${x.cols}] needs ${x.rows * x.cols}`);
    }
    m = x;
  } else if (Array.isArray(x)) {
    const rows = x.length;
    const cols = rows > 0 ? (x[0] as readonly number[]).length : 0;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = x[i] as readonly number[];
      if (!Array.isArray(row) || row.length !== cols) {
        throw new Error(`${name}: row ${i} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${cols} (ragged array)`);
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = at(row, j);
    }
    m = { rows, cols, data };
  } else {
    throw new Error(`${name}: expected a number[][] or {rows, cols, data: Float32Array | Float64Array}`);
  }
  if (m.rows < minRows) throw new Error(`${name}: needs at least ${minRows} rows, got ${m.rows}`);
  if (m.cols < 1 && m.rows > 0) throw new Error(`${name}: has no columns`);
  if (finite) assertFinite(m, name);
  return m;
}

/** Throw if any value is NaN or +-Inf, naming the argument and the first bad position. */
export function assertFinite(m: Matrix, name = 'X'): void {
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    const v = atFloat(d, k);
    if (!Number.isFinite(v)) {
      const i = Math.floor(k / m.cols);
      const j = k - i * m.cols;
      throw new Error(`${name}: contains ${v} at row ${i}, column ${j}; remove or impute non-finite values first`);
    }
  }
}

/** Throw unless the two matrices have the same number of rows (paired samples). */
export function assertSameRows(a: Matrix, b: Matrix, nameA = 'X', nameB = 'Y'): void {
  if (a.rows !== b.rows) {
    throw new Error(`${nameA} has ${a.rows} rows but ${nameB} has ${b.rows}: rows must be the same samples in both`);
  }
}

/** Mean of rows `[first, end)` of `m` into `out` at row `r` (rows of `m.cols` values), accumulated in float64. */
export function meanRowsInto(m: Matrix<Float32Array>, first: number, end: number, out: Float32Array, r: number): void {
  const d = m.cols;
  const data = m.data;
  if (!Number.isInteger(first) || !Number.isInteger(end) || first < 0 || end > m.rows || first >= end) {
    throw new Error(`meanRowsInto: rows [${first}, ${end}) is not a non-empty range of whole rows in [0, ${m.rows})`);
  }
  if (!Number.isInteger(r) || r < 0 || (r + 1) * d > out.length) throw new Error(`meanRowsInto: output row ${r} is outside an output of ${out.length / d} rows`);
  const acc = new Float64Array(d);
  // the range is checked once above, so the loop reads unchecked: mean pooling runs this over every frame of
  // every layer of every clip (13 x 499 x 768 values per 10 s clip), where a checked read cost 1.7 ns a value
  for (let t = first; t < end; t++) {
    const base = t * d;
    for (let j = 0; j < d; j++) acc[j] = (acc[j] ?? 0) + (data[base + j] ?? 0);
  }
  for (let j = 0; j < d; j++) out[r * d + j] = atF64(acc, j) / (end - first);
}

/** A new zero matrix. */
export function zeros(rows: number, cols: number, type: 'float32' | 'float64' = 'float64'): Matrix {
  const data = type === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  return { rows, cols, data };
}

/** Copy into a Float32Array-backed matrix (no copy when it already is one and `copy` is false). */
export function asFloat32(m: Matrix, copy = false): Matrix<Float32Array> {
  if (m.data instanceof Float32Array && !copy) return m as Matrix<Float32Array>;
  return { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) };
}

/** Copy into a Float64Array-backed matrix (no copy when it already is one and `copy` is false). */
export function asFloat64(m: Matrix, copy = false): Matrix<Float64Array> {
  if (m.data instanceof Float64Array && !copy) return m as Matrix<Float64Array>;
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
}

/** Row `i` as a view (no copy). */
export function row(m: Matrix, i: number): FloatArray {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Column `j` of `m` as a new array `[rows]` (float32 for float32 matrices, else float64). */
export function column(m: Matrix, j: number): FloatArray {
  if (!(Number.isInteger(j) && j >= 0 && j < m.cols)) throw new Error(`column ${j} is outside [0, ${m.cols})`);
  const out = m.data instanceof Float32Array ? new Float32Array(m.rows) : new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = atFloat(m.data, r * m.cols + j);
  return out;
}

/** The rows listed in `indices`, in that order, as a new matrix of the same element type. */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = m.data instanceof Float32Array ? new Float32Array(indices.length * m.cols) : new Float64Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) {
    const i = at(indices, r);
    if (!(i >= 0 && i < m.rows)) throw new Error(`row index ${i} out of range [0, ${m.rows})`);
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data: out };
}

/** Convert to `number[][]` (for display and JSON). */
export function toArrays(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}
