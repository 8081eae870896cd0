/**
 * Centred second moments of row blocks (`RowBlocks`: layers larger than memory) in one pass: `Xc^T Xc`,
 * `Yc^T Yc`, `Xc^T Yc` and the column means, without holding more than a block. Each block pair goes through one
 * onnxruntime graph: the rows shifted by the first block's column means (so the final centring subtracts a small
 * correction rather than a large mean: the shifted-data form of the covariance), three float32 Gemms and two
 * column sums; block results add up in float64 in JS, as `crossProduct` does. The column sums double as the
 * finiteness check: a NaN or infinity anywhere in a block makes its sum non-finite.
 */
import type { Matrix, RowBlocks } from '../../matrix';
import { GraphBuilder, int } from '../../onnx/GraphBuilder';
import { graphSession } from '../../onnx/graphSession';
import { columnMeans } from './columns';
import { floatData } from './precision';
import { addInto } from './products';

/** Sums over all rows of the centred products (not divided by n), float64, and the column means. */
export interface BlockMoments {
  readonly n: number;
  readonly meanX: Float64Array;
  readonly meanY: Float64Array;
  readonly xx: Matrix<Float64Array>;
  readonly yy: Matrix<Float64Array>;
  readonly xy: Matrix<Float64Array>;
}

function momentsSession() {
  return graphSession('engine/blockMoments/float32', () => {
    const g = new GraphBuilder('blockMoments');
    const x = g.op('Sub', [g.input('X', 'float32', ['b', 'p']), g.input('sx', 'float32', ['p'])]);
    const y = g.op('Sub', [g.input('Y', 'float32', ['b', 'q']), g.input('sy', 'float32', ['q'])]);
    const tA = { transA: int(1), transB: int(0) };
    g.output(g.op('Gemm', [x, x], tA), 'XX', 'float32', ['p', 'p']);
    g.output(g.op('Gemm', [y, y], tA), 'YY', 'float32', ['q', 'q']);
    g.output(g.op('Gemm', [x, y], tA), 'XY', 'float32', ['p', 'q']);
    const axis0 = g.int64s([0]);
    g.output(g.op('ReduceSum', [x, axis0], { keepdims: int(0) }), 'SX', 'float32', ['p']);
    g.output(g.op('ReduceSum', [y, axis0], { keepdims: int(0) }), 'SY', 'float32', ['q']);
    return g.toBytes();
  });
}

/** One pass over `X` and `Y` (same rows, walked block by block together); `what` names them in errors. */
export async function blockMoments(X: RowBlocks, Y: RowBlocks, what: string): Promise<BlockMoments> {
  if (X.rows !== Y.rows) throw new Error(`${what}: ${X.name} has ${X.rows} rows but ${Y.name} has ${Y.rows}`);
  const p = X.cols;
  const q = Y.cols;
  const xx = new Float64Array(p * p);
  const yy = new Float64Array(q * q);
  const xy = new Float64Array(p * q);
  const sx = new Float64Array(p);
  const sy = new Float64Array(q);
  const session = await momentsSession();
  let shiftX: Float32Array | undefined;
  let shiftY: Float32Array | undefined;
  let n = 0;
  const ys = Y.blocks()[Symbol.iterator]();
  for (const bx of X.blocks()) {
    const next = ys.next();
    if (next.done === true) throw new Error(`${what}: ${Y.name} ran out of rows after ${n} (it announced ${Y.rows})`);
    const by = next.value;
    if (bx.rows !== by.rows || bx.cols !== p || by.cols !== q) {
      throw new Error(`${what}: blocks of ${X.name} and ${Y.name} do not line up at row ${n} ([${bx.rows}, ${bx.cols}] and [${by.rows}, ${by.cols}]); read both with the same blockRows`);
    }
    shiftX ??= Float32Array.from(columnMeans(bx));
    shiftY ??= Float32Array.from(columnMeans(by));
    const res = await session.run({
      X: { type: 'float32', data: bx.data, dims: [bx.rows, p] },
      Y: { type: 'float32', data: by.data, dims: [by.rows, q] },
      sx: { type: 'float32', data: shiftX, dims: [p] },
      sy: { type: 'float32', data: shiftY, dims: [q] },
    });
    const sumX = floatData(res['SX'], 'SX');
    const sumY = floatData(res['SY'], 'SY');
    for (const [s, name, at] of [[sumX, X.name, n], [sumY, Y.name, n]] as const) {
      for (let j = 0; j < s.length; j++) {
        if (!Number.isFinite(s[j] ?? 0)) throw new Error(`${what}: ${name} holds NaN or infinite values in rows ${at}-${at + bx.rows - 1} (column ${j})`);
      }
    }
    addInto(xx, floatData(res['XX'], 'XX'));
    addInto(yy, floatData(res['YY'], 'YY'));
    addInto(xy, floatData(res['XY'], 'XY'));
    addInto(sx, sumX);
    addInto(sy, sumY);
    n += bx.rows;
  }
  if (ys.next().done !== true) throw new Error(`${what}: ${Y.name} has more rows than ${X.name}`);
  if (n !== X.rows) throw new Error(`${what}: ${X.name} gave ${n} rows but announced ${X.rows}`);
  if (n < 2) throw new Error(`${what}: needs at least 2 rows, got ${n}`);
  // shifted sums -> centred: S - n m m^T with m the mean of the shifted rows (small)
  const mx = Float64Array.from(sx, (v) => v / n);
  const my = Float64Array.from(sy, (v) => v / n);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) xx[i * p + j] = (xx[i * p + j] ?? 0) - n * (mx[i] ?? 0) * (mx[j] ?? 0);
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) yy[i * q + j] = (yy[i * q + j] ?? 0) - n * (my[i] ?? 0) * (my[j] ?? 0);
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) xy[i * q + j] = (xy[i * q + j] ?? 0) - n * (mx[i] ?? 0) * (my[j] ?? 0);
  const meanX = Float64Array.from(mx, (v, j) => v + (shiftX?.[j] ?? 0));
  const meanY = Float64Array.from(my, (v, j) => v + (shiftY?.[j] ?? 0));
  return { n, meanX, meanY, xx: { rows: p, cols: p, data: xx }, yy: { rows: q, cols: q, data: yy }, xy: { rows: p, cols: q, data: xy } };
}
