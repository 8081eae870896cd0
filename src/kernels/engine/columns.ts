/**
 * Column and row statistics that kernels share: means, centring, squared norms and unit-norm rows. All
 * sums run in float64 whatever the input type, so a float32 copy made here is the correctly rounded value
 * of the float64 result.
 */
import type { Matrix } from '../../matrix';
import { allocate, type Precision } from './precision';
import { atF64, atFloat } from '../../util/at';

/** Mean of every column of `X` [rows, cols] -> [cols], summed in float64. */
export function columnMeans(X: Matrix): Float64Array {
  const { rows, cols, data } = X;
  const mean = new Float64Array(cols);
  // one loop per element type: a loop over the union type runs about 1.5x slower (see addInto in products.ts)
  if (data instanceof Float32Array) {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) mean[j] = (mean[j] ?? 0) + (data[o + j] ?? 0);
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) mean[j] = (mean[j] ?? 0) + (data[o + j] ?? 0);
    }
  }
  if (rows > 0) for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/** A new matrix `X - mean(X, axis 0)` [rows, cols] in `precision` (default float64). */
export function centerColumns(X: Matrix, precision: Precision = 'float64'): Matrix {
  return centerColumnsChecked(X, precision).centered;
}

export interface CenteredColumns {
  readonly centered: Matrix;
  /** Sum of the squares of the centred values as stored (float32 values when `precision` is float32). */
  readonly sumOfSquares: number;
  /**
   * Whether every column sum was finite. A float64 sum of finite float32 values cannot overflow, so for
   * float32 input this is exactly "every value is finite" (a NaN or infinity makes its column's sum
   * non-finite), and a caller need not scan the input a second time.
   */
  readonly finiteSums: boolean;
}

/**
 * `centerColumns` together with the two things its callers would otherwise compute in passes of their own:
 * the centred sum of squares (from the same loop) and the finiteness of the input (from the column sums).
 */
export function centerColumnsChecked(X: Matrix, precision: Precision = 'float64'): CenteredColumns {
  const { rows, cols, data } = X;
  const mean = columnMeans(X);
  let finiteSums = true;
  for (let j = 0; j < cols; j++) if (!Number.isFinite(atF64(mean, j))) finiteSums = false;
  const out = allocate(precision, rows * cols);
  let s = 0;
  if (data instanceof Float32Array && out instanceof Float32Array) {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) {
        // the square of the float32 value stored, as a later pass over `out` would see it
        const v = Math.fround((data[o + j] ?? 0) - (mean[j] ?? 0));
        out[o + j] = v;
        s += v * v;
      }
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = atFloat(data, o + j) - atF64(mean, j);
        out[o + j] = v;
        const stored = out[o + j] ?? 0;
        s += stored * stored;
      }
    }
  }
  return { centered: { rows, cols, data: out }, sumOfSquares: s, finiteSums };
}

/** Squared Euclidean norm of every row of `X` [rows, cols] -> [rows], in float64. */
export function rowSquaredNorms(X: Matrix): Float64Array {
  const { rows, cols, data } = X;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = atFloat(data, o + j);
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/**
 * A new matrix whose rows are the rows of `X` scaled to unit Euclidean norm, in `precision` (default
 * float64). Like `torch.nn.functional.normalize` (which platonic-rep uses), the divisor is
 * `max(norm, 1e-12)`, so all-zero rows stay zero.
 */
export function normalizeRows(X: Matrix, precision: Precision = 'float64'): Matrix {
  const { rows, cols, data } = X;
  const norms = rowSquaredNorms(X);
  const out = allocate(precision, rows * cols);
  for (let i = 0; i < rows; i++) {
    const div = Math.max(Math.sqrt(atF64(norms, i)), 1e-12);
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[o + j] = atFloat(data, o + j) / div;
  }
  return { rows, cols, data: out };
}
