/**
 * Matrix products through onnxruntime: the feature-space cross product `X^T Y` (Gram and cross-covariance
 * matrices) and the sample-space product `A B^T` (Gram matrices of examples, similarity blocks).
 *
 * `X^T Y` sums over the rows (samples). In float32 the rows are split into blocks, each block's product is
 * one float32 Gemm (float32 accumulation over at most `blockRows` terms, relative error around 1e-6), and
 * the block results are summed in float64 in JS, so the error stops growing with the number of samples
 * (frame-level sets of 100k+ rows). Larger blocks run faster (fewer, bigger Gemms). In float64 one Gemm.
 */
import type { FloatArray, Matrix } from '../../matrix';
import { GraphBuilder, int } from '../../onnx/GraphBuilder';
import { graphSession } from '../../onnx/graphSession';
import { floatData, floatTensor, resolvePrecision, rowBlock, type Precision } from './precision';

export interface ProductOptions {
  /** Working precision (default: float32 when every input is float32, else float64). */
  precision?: Precision;
  /** Rows per float32 block of `X^T Y` (default 16384); float64 runs use one block unless this is given. */
  blockRows?: number;
}

function gemmSession(precision: Precision, transA: boolean, transB: boolean) {
  const key = `engine/gemm/${precision}/tA${transA ? 1 : 0}/tB${transB ? 1 : 0}`;
  return graphSession(key, () => {
    const g = new GraphBuilder('gemm');
    const a = g.input('A', precision, ['p', 'q']);
    const b = g.input('B', precision, ['r', 's']);
    const attrs = { transA: int(transA ? 1 : 0), transB: int(transB ? 1 : 0) };
    g.output(g.op('Gemm', [a, b], attrs), 'C', precision, ['m', 'n']);
    return g.toBytes();
  });
}

/**
 * out += c. One loop per element type: through `atFloat`, which sees both array types, the loop made a
 * [20,000 x 1024]^T [20,000 x 768] product take 0.37 s instead of 0.28 s (bench/README.md, "Words").
 */
export function addInto(out: Float64Array, c: Float32Array | Float64Array): void {
  const n = c.length;
  if (c instanceof Float32Array) for (let t = 0; t < n; t++) out[t] = (out[t] ?? 0) + (c[t] ?? 0);
  else for (let t = 0; t < n; t++) out[t] = (out[t] ?? 0) + (c[t] ?? 0);
}

function checkBlockRows(v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`blockRows must be a positive integer, got ${v}`);
  return v;
}

/**
 * `X^T Y` for `X` [n, a] and `Y` [n, b] -> [a, b] in float64. Rows of `X` and `Y` are the same samples.
 * Inputs are not validated for finiteness here (kernels do that at their boundary).
 */
export async function crossProduct(X: Matrix, Y: Matrix, opts: ProductOptions = {}): Promise<Matrix<Float64Array>> {
  if (X.rows !== Y.rows) throw new Error(`crossProduct: X has ${X.rows} rows but Y has ${Y.rows}`);
  const precision = resolvePrecision(opts.precision, X, Y);
  const n = X.rows;
  const out = new Float64Array(X.cols * Y.cols);
  if (n === 0 || X.cols === 0 || Y.cols === 0) return { rows: X.cols, cols: Y.cols, data: out };
  const block = checkBlockRows(opts.blockRows, precision === 'float32' ? 16384 : n);
  const session = await gemmSession(precision, true, false);
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    const a = rowBlock(X, r0, r1, precision);
    const b = X === Y ? a : rowBlock(Y, r0, r1, precision);
    const res = await session.run({ A: floatTensor(a, [r1 - r0, X.cols]), B: floatTensor(b, [r1 - r0, Y.cols]) });
    const c = floatData(res['C'], 'C');
    addInto(out, c);
  }
  return { rows: X.cols, cols: Y.cols, data: out };
}

/** `X^T X` for `X` [n, d] -> [d, d] in float64 (the uncentred feature Gram / scatter matrix). */
export function gram(X: Matrix, opts: ProductOptions = {}): Promise<Matrix<Float64Array>> {
  return crossProduct(X, X, opts);
}

/**
 * `A B^T` for `A` [m, d] and `B` [n, d] -> [m, n] in the working precision: inner products between the
 * rows of `A` and the rows of `B` (one Gemm; float accumulation over `d` terms). Callers that would
 * materialise an n x n result for large n should go through `topKNeighbors` or their own row blocks.
 */
export async function rowProducts(A: Matrix, B: Matrix, opts: { precision?: Precision } = {}): Promise<Matrix> {
  if (A.cols !== B.cols) throw new Error(`rowProducts: A has ${A.cols} columns but B has ${B.cols}`);
  const precision = resolvePrecision(opts.precision, A, B);
  if (A.rows === 0 || B.rows === 0) {
    const empty: FloatArray = precision === 'float32' ? new Float32Array(0) : new Float64Array(0);
    return { rows: A.rows, cols: B.rows, data: empty };
  }
  const session = await gemmSession(precision, false, true);
  const a = rowBlock(A, 0, A.rows, precision);
  const b = A === B ? a : rowBlock(B, 0, B.rows, precision);
  const res = await session.run({ A: floatTensor(a, [A.rows, A.cols]), B: floatTensor(b, [B.rows, B.cols]) });
  return { rows: A.rows, cols: B.rows, data: floatData(res['C'], 'C') };
}

/** `A B` for `A` [m, k] and `B` [k, n] -> [m, n] in the working precision (one Gemm). */
export async function matmul(A: Matrix, B: Matrix, opts: { precision?: Precision } = {}): Promise<Matrix> {
  if (A.cols !== B.rows) throw new Error(`matmul: A is [${A.rows}, ${A.cols}] but B is [${B.rows}, ${B.cols}]`);
  const precision = resolvePrecision(opts.precision, A, B);
  if (A.rows === 0 || B.cols === 0 || A.cols === 0) {
    const out = precision === 'float32' ? new Float32Array(A.rows * B.cols) : new Float64Array(A.rows * B.cols);
    return { rows: A.rows, cols: B.cols, data: out };
  }
  const session = await gemmSession(precision, false, false);
  const a = rowBlock(A, 0, A.rows, precision);
  const b = rowBlock(B, 0, B.rows, precision);
  const res = await session.run({ A: floatTensor(a, [A.rows, A.cols]), B: floatTensor(b, [B.rows, B.cols]) });
  return { rows: A.rows, cols: B.cols, data: floatData(res['C'], 'C') };
}
