/**
 * Where SAE training and evaluation read frames from: an in-memory matrix or frames streamed from disk
 * (a feature store's frame-level shards), read in contiguous row ranges so that sets larger than memory train.
 */
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';

/** Frames `[count, dim]` that can be read in ranges: a matrix, or a store layer read from disk. */
export interface FrameSource {
  /** Width of each frame (the SAE's input dimension). */
  readonly dim: number;
  /** Number of frames, addressed 0..count-1. */
  readonly count: number;
  /**
   * Rows `[start, start + rows)` as float32 `[rows, dim]`. The caller does not write into the result, so a
   * source may return a view of its own storage.
   */
  read(start: number, rows: number): Promise<Matrix<Float32Array>>;
  /** True when `read` is a memory copy (the trainer then shuffles individual frames rather than blocks). */
  readonly inMemory: boolean;
}

/** A `FrameSource` over a matrix `[frames, dim]` (converted to float32 once; NaN/Inf rejected). */
export function matrixFrameSource(X: MatrixLike, name = 'X'): FrameSource {
  const m = toMatrix(X, name);
  const data = m.data instanceof Float32Array ? m.data : Float32Array.from(m.data);
  return {
    dim: m.cols,
    count: m.rows,
    inMemory: true,
    read: async (start, rows) => {
      checkRange(start, rows, m.rows, name);
      return { rows, cols: m.cols, data: data.subarray(start * m.cols, (start + rows) * m.cols) };
    },
  };
}

/** Throw unless `[start, start + rows)` lies within `[0, count)`. */
export function checkRange(start: number, rows: number, count: number, name: string): void {
  if (!(Number.isInteger(start) && Number.isInteger(rows) && start >= 0 && rows >= 0 && start + rows <= count)) {
    throw new Error(`${name}: rows [${start}, ${start + rows}) are outside [0, ${count})`);
  }
}

/** `source` itself, or a matrix wrapped as one. */
export function asFrameSource(source: MatrixLike | FrameSource, name = 'source'): FrameSource {
  if (isFrameSource(source)) return source;
  return matrixFrameSource(source, name);
}

export function isFrameSource(x: unknown): x is FrameSource {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const s = x as Partial<FrameSource>;
  return typeof s.dim === 'number' && typeof s.count === 'number' && typeof s.read === 'function';
}
