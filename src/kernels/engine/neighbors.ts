/**
 * Exact k-nearest-neighbour search in row blocks: each block of queries is one onnxruntime graph that
 * computes a similarity block with Gemm and keeps the best candidates with TopK, so no n x n matrix is ever
 * held (a block has at most `blockRows` x n entries, 2^23 by default).
 *
 * Ordering is total: by similarity (descending) or squared distance (ascending), then by the lower index,
 * which is what ORT's TopK does for equal values. In float32 the graph returns a few spare candidates and
 * they are re-scored exactly in float64 from the input values, so near-ties that float32 rounding could
 * misorder (duplicate rows among them) come out as exact ties broken by index.
 */
import type { Matrix } from '../../matrix';
import { tensor } from '../../backend/ort';
import { GraphBuilder, int } from '../../onnx/GraphBuilder';
import { graphSession } from '../../onnx/graphSession';
import { normalizeRows, rowSquaredNorms } from './columns';
import { allocate, floatData, floatTensor, inPrecision, resolvePrecision, rowBlock, type Precision } from './precision';
import { atF64, atFloat, atI32 } from '../../util/at';

/** `inner`: x . y; `cosine`: x . y / (|x| |y|) (zero rows have similarity 0); `euclidean`: |x - y|^2. */
export type NeighborMetric = 'inner' | 'cosine' | 'euclidean';

export interface NeighborOptions {
  /** Neighbours per row. */
  k: number;
  /** Default `inner`. */
  metric?: NeighborMetric;
  /** Query rows per graph run (default: as many as keep a block under 2^23 entries). */
  blockRows?: number;
  /** Working precision (default: float32 when the inputs are float32, else float64). */
  precision?: Precision;
  /**
   * Re-score candidates exactly in float64 from the input values (default: true in float32, where rounding
   * matters, and for `euclidean`, whose distances are then summed as (x - y)^2 rather than expanded).
   */
  rerank?: boolean;
  /** Spare float32 candidates per row for the re-scoring (default max(4, ceil(k / 2))). */
  spare?: number;
}

export interface SelfNeighborOptions extends NeighborOptions {
  /** Leave each row out of its own neighbour list (default true). */
  excludeSelf?: boolean;
}

/** The neighbour lists of `rows` queries, best first. */
export interface Neighbors {
  readonly rows: number;
  readonly k: number;
  readonly metric: NeighborMetric;
  /** [rows, k] row-major: `indices[i * k + r]` is the r-th neighbour of query i (a row of the reference). */
  readonly indices: Int32Array;
  /** [rows, k]: similarity (`inner`, `cosine`, descending) or squared distance (`euclidean`, ascending). */
  readonly values: Float64Array;
}

function knnSession(precision: Precision, euclidean: boolean) {
  return graphSession(`engine/knn/${precision}/${euclidean ? 'euclidean' : 'inner'}`, () => {
    const g = new GraphBuilder('knn');
    const q = g.input('Q', precision, ['b', 'd']);
    const r = g.input('R', precision, ['n', 'd']);
    const k = g.input('K', 'int64', [1]);
    // Euclidean ranking uses q.r - |r|^2 / 2, the row-constant |q|^2 dropped: same order, one Gemm.
    const inputs = euclidean ? [q, r, g.input('H', precision, [1, 'n'])] : [q, r];
    const s = g.op('Gemm', inputs, { transB: int(1) });
    const [v, i] = g.opN('TopK', [s, k], { axis: int(1), largest: int(1), sorted: int(1) }, { outputs: 2 });
    g.output(v as string, 'V', precision, ['b', 'k']);
    g.output(i as string, 'I', 'int64', ['b', 'k']);
    return g.toBytes();
  });
}

function dot(a: Float32Array | Float64Array, ao: number, b: Float32Array | Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += atFloat(a, ao + t) * atFloat(b, bo + t);
  return s;
}

function sqDist(a: Float32Array | Float64Array, ao: number, b: Float32Array | Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const x = atFloat(a, ao + t) - atFloat(b, bo + t);
    s += x * x;
  }
  return s;
}

function checkK(k: number, available: number, what: string): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`${what}: k must be a positive integer, got ${k}`);
  if (k > available) throw new Error(`${what}: k = ${k} but only ${available} candidate neighbours exist`);
}

async function search(Q: Matrix, R: Matrix, selfExcluded: boolean, opts: NeighborOptions, what: string): Promise<Neighbors> {
  if (Q.cols !== R.cols) throw new Error(`${what}: queries have ${Q.cols} columns but the reference has ${R.cols}`);
  const metric = opts.metric ?? 'inner';
  if (metric !== 'inner' && metric !== 'cosine' && metric !== 'euclidean') {
    throw new Error(`${what}: metric must be 'inner', 'cosine' or 'euclidean', got ${String(metric)}`);
  }
  const k = opts.k;
  const n = R.rows;
  const d = R.cols;
  checkK(k, selfExcluded ? n - 1 : n, what);
  const precision = resolvePrecision(opts.precision, Q, R);
  const rerank = opts.rerank ?? (precision === 'float32' || metric === 'euclidean');
  const spare = opts.spare ?? Math.max(4, Math.ceil(k / 2));
  if (!Number.isInteger(spare) || spare < 0) throw new Error(`${what}: spare must be a non-negative integer, got ${spare}`);
  const kk = Math.min(n, k + (selfExcluded ? 1 : 0) + (rerank ? spare : 0));
  const blockRows = opts.blockRows ?? Math.max(1, Math.min(Q.rows, Math.floor(8388608 / Math.max(n, 1))));
  if (!Number.isInteger(blockRows) || blockRows < 1) throw new Error(`${what}: blockRows must be a positive integer, got ${blockRows}`);

  // Graph inputs in the working precision; cosine works on unit rows.
  const same = Q === R;
  const Rn = metric === 'cosine' ? normalizeRows(R, precision) : R;
  const Qn = metric === 'cosine' ? (same ? Rn : normalizeRows(Q, precision)) : Q;
  const rData = rowBlock(Rn, 0, n, precision);
  const qSq = metric === 'euclidean' ? rowSquaredNorms(Q) : null;
  const rSq = metric === 'euclidean' ? (same && qSq !== null ? qSq : rowSquaredNorms(R)) : null;
  let half: ReturnType<typeof allocate> | null = null;
  if (rSq !== null) {
    half = allocate(precision, n);
    for (let j = 0; j < n; j++) half[j] = -0.5 * atF64(rSq, j);
  }
  // Exact re-scoring reads the caller's values (float64 arithmetic); cosine divides by float64 norms.
  const qInv = metric === 'cosine' && rerank ? invNorms(Q) : null;
  const rInv = metric === 'cosine' && rerank ? (same && qInv !== null ? qInv : invNorms(R)) : null;

  const session = await knnSession(precision, metric === 'euclidean');
  const kTensor = tensor('int64', BigInt64Array.of(BigInt(kk)), [1]);
  const rTensor = floatTensor(rData, [n, d]);
  const hTensor = half === null ? null : floatTensor(inPrecision(half, precision), [1, n]);
  const run = (r0: number, r1: number) => {
    const feeds = { Q: floatTensor(rowBlock(Qn, r0, r1, precision), [r1 - r0, d]), R: rTensor, K: kTensor };
    return session.run(hTensor === null ? feeds : { ...feeds, H: hTensor });
  };

  const indices = new Int32Array(Q.rows * k);
  const values = new Float64Array(Q.rows * k);
  const candIdx = new Int32Array(kk);
  const candVal = new Float64Array(kk);
  const descending = metric !== 'euclidean';
  let pending = Q.rows > 0 ? run(0, Math.min(Q.rows, blockRows)) : null;
  for (let r0 = 0; r0 < Q.rows; r0 += blockRows) {
    const r1 = Math.min(Q.rows, r0 + blockRows);
    if (pending === null) break;
    const res = await pending;
    // Start the next block before the JS post-processing of this one.
    pending = r1 < Q.rows ? run(r1, Math.min(Q.rows, r1 + blockRows)) : null;
    const V = floatData(res['V'], 'V');
    const I = res['I']?.data;
    if (!(I instanceof BigInt64Array)) throw new Error(`${what}: TopK returned no int64 indices`);
    for (let t = 0; t < r1 - r0; t++) {
      const qi = r0 + t;
      let m = 0;
      for (let c = 0; c < kk; c++) {
        const j = Number(I[t * kk + c]);
        if (selfExcluded && j === qi) continue;
        let v: number;
        if (rerank) {
          if (metric === 'euclidean') v = sqDist(Q.data, qi * d, R.data, j * d, d);
          else {
            v = dot(Q.data, qi * d, R.data, j * d, d);
            if (qInv !== null && rInv !== null) v = v * atF64(qInv, qi) * atF64(rInv, j);
          }
        } else {
          const s = atFloat(V, t * kk + c);
          v = metric === 'euclidean' ? Math.max(0, (qSq === null ? 0 : atF64(qSq, qi)) - 2 * s) : s;
        }
        // Insertion into the sorted candidate list: better value first, then lower index.
        let p = m;
        while (p > 0) {
          const pv = atF64(candVal, p - 1);
          const pi = atI32(candIdx, p - 1);
          const before = descending ? pv > v || (pv === v && pi < j) : pv < v || (pv === v && pi < j);
          if (before) break;
          candVal[p] = pv;
          candIdx[p] = pi;
          p--;
        }
        candVal[p] = v;
        candIdx[p] = j;
        m++;
      }
      for (let c = 0; c < k; c++) {
        indices[qi * k + c] = atI32(candIdx, c);
        values[qi * k + c] = atF64(candVal, c);
      }
    }
  }
  return { rows: Q.rows, k, metric, indices, values };
}

function invNorms(X: Matrix): Float64Array {
  const sq = rowSquaredNorms(X);
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) out[i] = 1 / Math.max(Math.sqrt(atF64(sq, i)), 1e-12);
  return out;
}

/**
 * The `k` nearest rows of `X` [n, d] to every row of `X` -> `Neighbors` [n, k]. With `excludeSelf`
 * (default) a row is never its own neighbour, even when a duplicate row scores the same.
 */
export function topKNeighbors(X: Matrix, opts: SelfNeighborOptions): Promise<Neighbors> {
  return search(X, X, opts.excludeSelf ?? true, opts, 'topKNeighbors');
}

/** The `k` nearest rows of `reference` [n, d] to every row of `queries` [m, d] -> `Neighbors` [m, k]. */
export function knnSearch(queries: Matrix, reference: Matrix, opts: NeighborOptions): Promise<Neighbors> {
  return search(queries, reference, false, opts, 'knnSearch');
}
