/**
 * The two heavy steps of k-means as blocked ONNX graphs: assigning every row to its nearest centroid
 * (argmin over ||c||^2 - 2 x.c, the ||x||^2 term being constant per row) and, for k-means++ seeding, the
 * squared distances of every row to a few candidate centres clipped by each row's current closest distance.
 * Both stream X in row blocks, so no `[rows, k]` matrix larger than one block is ever held.
 *
 * The products run in float32 (ORT's fast MatMul); callers that need exact distances or inertia recompute
 * them in float64 for the chosen centroid, which costs only O(n d).
 */
import { tensor } from '../../backend/ort';
import { GraphBuilder, int } from '../../onnx/GraphBuilder';
import { graphSession } from '../../onnx/graphSession';
import type { Matrix } from '../../matrix';
import { rowSquaredNorms } from './columns';
import { atFloat } from '../../util/at';

/** Largest number of `[block, k]` float32 entries one graph call may produce (about 32 MB). */
const MAX_BLOCK_ENTRIES = 1 << 23;

function blockRows(n: number, k: number, d: number): number {
  const byOut = Math.floor(MAX_BLOCK_ENTRIES / Math.max(k, 1));
  const byIn = Math.floor(MAX_BLOCK_ENTRIES / Math.max(d, 1));
  return Math.max(1, Math.min(n, byOut, byIn));
}

function assignmentGraph(): Uint8Array {
  const g = new GraphBuilder('centroid_assignment');
  const x = g.input('X', 'float32', ['b', 'd']);
  const ct = g.input('Ct', 'float32', ['d', 'k']);
  const cn = g.input('cn', 'float32', ['k']);
  const s = g.op('MatMul', [x, ct]);
  const d = g.op('Sub', [cn, g.op('Mul', [s, g.scalar(2)])]);
  // ArgMin keeps the first minimum, so ties go to the lower centroid index (as NumPy's argmin does).
  const idx = g.op('ArgMin', [d], { axis: int(1), keepdims: int(0) });
  g.output(idx, 'label', 'int64', ['b']);
  return g.toBytes();
}

function candidateGraph(): Uint8Array {
  const g = new GraphBuilder('candidate_distances');
  const x = g.input('X', 'float32', ['b', 'd']);
  const xn = g.input('xn', 'float32', ['b', 1]);
  const ct = g.input('Ct', 'float32', ['d', 't']);
  const cn = g.input('cn', 'float32', ['t']);
  const closest = g.input('closest', 'float32', ['b', 1]);
  const s = g.op('MatMul', [x, ct]);
  const d = g.op('Add', [g.op('Sub', [xn, g.op('Mul', [s, g.scalar(2)])]), cn]);
  const clipped = g.op('Min', [g.op('Max', [d, g.scalar(0)]), closest]);
  g.output(clipped, 'D', 'float32', ['b', 't']);
  return g.toBytes();
}

function transposeF32(rows: Float64Array | Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = atFloat(rows, i * c + j);
  return out;
}

/**
 * Index of the nearest centroid (squared Euclidean) for every row of `X` `[n, d]` (float32 data, as
 * produced by `asFloat32`), given `centroids` `[k, d]`. Ties go to the lower centroid index.
 */
export async function assignToCentroids(X: Matrix<Float32Array>, centroids: Matrix): Promise<Int32Array> {
  const { rows: n, cols: d } = X;
  const k = centroids.rows;
  if (centroids.cols !== d) throw new Error(`centroids: have ${centroids.cols} columns but X has ${d}`);
  const ct = transposeF32(centroids.data, k, d);
  const cnorm = rowSquaredNorms(centroids);
  const cn = Float32Array.from(cnorm);
  const session = await graphSession('kernels/centroidAssignment', assignmentGraph);
  const labels = new Int32Array(n);
  const b = blockRows(n, k, d);
  const ctT = tensor('float32', ct, [d, k]);
  const cnT = tensor('float32', cn, [k]);
  for (let start = 0; start < n; start += b) {
    const end = Math.min(n, start + b);
    const out = await session.run({
      X: tensor('float32', X.data.subarray(start * d, end * d), [end - start, d]),
      Ct: ctT,
      cn: cnT,
    });
    const lab = out['label'];
    if (lab === undefined || lab.type !== 'int64') throw new Error('centroid assignment graph returned no int64 labels');
    const ld = lab.data as BigInt64Array;
    for (let i = 0; i < end - start; i++) labels[start + i] = Number(ld[i]);
  }
  return labels;
}

/**
 * For k-means++ seeding: `min(closest[i], ||x_i - cand_t||^2)` for every row `i` and candidate `t`,
 * returned as a float64 `[n, t]` row-major array. `xNorms` are the rows' squared norms and `closest` each
 * row's current squared distance to the nearest chosen centre.
 */
export async function clippedCandidateDistances(
  X: Matrix<Float32Array>,
  xNorms: Float64Array,
  candidates: Matrix,
  closest: Float64Array,
): Promise<Float64Array> {
  const { rows: n, cols: d } = X;
  const t = candidates.rows;
  if (candidates.cols !== d) throw new Error(`candidates: have ${candidates.cols} columns but X has ${d}`);
  const session = await graphSession('kernels/candidateDistances', candidateGraph);
  const ctT = tensor('float32', transposeF32(candidates.data, t, d), [d, t]);
  const cnT = tensor('float32', Float32Array.from(rowSquaredNorms(candidates)), [t]);
  const xn = Float32Array.from(xNorms);
  const cl = Float32Array.from(closest);
  const out = new Float64Array(n * t);
  const b = blockRows(n, t, d);
  for (let start = 0; start < n; start += b) {
    const end = Math.min(n, start + b);
    const r = await session.run({
      X: tensor('float32', X.data.subarray(start * d, end * d), [end - start, d]),
      xn: tensor('float32', xn.subarray(start, end), [end - start, 1]),
      Ct: ctT,
      cn: cnT,
      closest: tensor('float32', cl.subarray(start, end), [end - start, 1]),
    });
    const D = r['D'];
    if (D === undefined || D.type !== 'float32') throw new Error('candidate distance graph returned no float32 output');
    out.set(D.data as Float32Array, start * t);
  }
  return out;
}
