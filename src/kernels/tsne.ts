/**
 * t-SNE (van der Maaten & Hinton 2008; Barnes-Hut variant van der Maaten 2014), with scikit-learn's
 * optimisation schedule so results are comparable with `sklearn.manifold.TSNE`:
 * - affinities: squared Euclidean distances; per-point Gaussian bandwidths by binary search on the entropy
 *   (target ln(perplexity), tolerance 1e-5, at most 100 steps); exact mode uses all other points, Barnes-Hut
 *   the `min(n - 1, floor(3 perplexity + 1))` nearest (exact kNN from the engine); P = (P + P^T) / sum;
 * - Student-t kernel with `max(nComponents - 1, 1)` degrees of freedom; gradient factor 2 (dof + 1) / dof;
 * - 250 iterations of early exaggeration (momentum 0.5), then momentum 0.8 up to `nIter`; delta-bar-delta
 *   gains (+0.2 / x0.8, floor 0.01); every 50 iterations the KL divergence is checked and the run stops after
 *   300 iterations without progress or when the gradient norm falls to 1e-7;
 * - learning rate 'auto' = max(n / earlyExaggeration / 4, 50); init 'pca' (first two principal components
 *   scaled to std 1e-4 in the first) or 'random' (N(0, 1e-4^2), seeded).
 * Exact gradients cost O(n^2) per iteration; `method: 'auto'` uses them up to `TSNE_EXACT_MAX_ROWS` points and
 * Barnes-Hut (quadtree, angle `theta`, 2-D only) above. Deterministic for a seed.
 */
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { Random } from '../random';
import { rowSquaredNorms } from './engine/columns';
import { topKNeighbors } from './engine/neighbors';
import { rowProducts } from './engine/products';
import { pca } from './pca';
import { QuadTree } from './quadTree';
import { symmetricCSR } from './symmetricCSR';
import { atF64, atFloat, atI32 } from '../util/at';

/** Up to this many points, `method: 'auto'` runs exact t-SNE. */
export const TSNE_EXACT_MAX_ROWS = 1500;

/** Options of `tsne` (perplexity, iterations, method, `seed`). */
export interface TSNEOptions {
  /** Effective number of neighbours (default 30); must be < the number of rows. */
  perplexity?: number;
  /** Output dimensions (default 2). Barnes-Hut supports 2. */
  nComponents?: number;
  /** Seed (used by `init: 'random'`; default 0). */
  seed?: number;
  /** Total iterations including the exaggeration phase (default 1000, at least 250). */
  nIter?: number;
  /** Step size, or 'auto' (default) = max(n / earlyExaggeration / 4, 50). */
  learningRate?: number | 'auto';
  /** Factor on P during the first 250 iterations (default 12). */
  earlyExaggeration?: number;
  /** Barnes-Hut angle (default 0.5); 0 visits every point. */
  theta?: number;
  /** 'auto' (default): exact up to TSNE_EXACT_MAX_ROWS rows, Barnes-Hut above. */
  method?: 'auto' | 'exact' | 'barnes-hut';
  /** Initial embedding (default 'pca'). */
  init?: 'pca' | 'random';
}

/** A t-SNE embedding `[rows, dims]` with its final KL divergence, iterations and method. */
export interface TSNEResult {
  /** The embedding `[n, nComponents]`. */
  readonly embedding: Matrix<Float64Array>;
  /** KL(P || Q) at the last check (exact in exact mode; with the Barnes-Hut normaliser otherwise, as sklearn). */
  readonly klDivergence: number;
  /** Iterations run. */
  readonly iterations: number;
  readonly method: 'exact' | 'barnes-hut';
}

const EXPLORATION_ITERS = 250;
const CHECK_EVERY = 50;
const NO_PROGRESS = 300;
const MIN_GRAD_NORM = 1e-7;
const MACHINE_EPSILON = 2.220446049250313e-16;
const PERPLEXITY_TOL = 1e-5;

/**
 * Conditional probabilities p_{j|i} for one point from squared distances `dist` to its candidates, by
 * binary search on the Gaussian precision (sklearn's `_binary_search_perplexity`). Writes into `out`.
 */
function conditionalRow(dist: Float64Array, out: Float64Array, desiredEntropy: number): void {
  let beta = 1;
  let betaMin = -Infinity;
  let betaMax = Infinity;
  const m = dist.length;
  for (let step = 0; step < 100; step++) {
    let sum = 0;
    for (let j = 0; j < m; j++) {
      const v = Math.exp(-atF64(dist, j) * beta);
      out[j] = v;
      sum += v;
    }
    if (sum === 0) sum = 1e-8;
    let sumDist = 0;
    for (let j = 0; j < m; j++) {
      out[j] /= sum;
      sumDist += atF64(dist, j) * atF64(out, j);
    }
    const entropy = Math.log(sum) + beta * sumDist;
    const diff = entropy - desiredEntropy;
    if (Math.abs(diff) <= PERPLEXITY_TOL) break;
    if (diff > 0) {
      betaMin = beta;
      beta = betaMax === Infinity ? beta * 2 : (beta + betaMax) / 2;
    } else {
      betaMax = beta;
      beta = betaMin === -Infinity ? beta / 2 : (beta + betaMin) / 2;
    }
  }
}

/** Sparse symmetric joint probabilities (CSR) from kNN lists. */
interface SparseP {
  readonly offsets: Int32Array;
  readonly cols: Int32Array;
  readonly vals: Float64Array;
}

async function sparseAffinities(m: Matrix, perplexity: number): Promise<SparseP> {
  const n = m.rows;
  const k = Math.min(n - 1, Math.floor(3 * perplexity + 1));
  const nb = await topKNeighbors(m, { k, metric: 'euclidean', excludeSelf: true });
  const desired = Math.log(perplexity);
  const cond = new Float64Array(n * k);
  const dist = new Float64Array(k);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) dist[r] = Math.max(0, atF64(nb.values, i * k + r));
    conditionalRow(dist, row, desired);
    cond.set(row, i * k);
  }
  // P + P^T: every directed entry lands in both rows, merged by summing.
  const sym = symmetricCSR(n, k, nb.indices, cond, 'sum');
  let total = 0;
  for (const v of sym.weights) total += v;
  const norm = Math.max(total, MACHINE_EPSILON);
  const vals = Float64Array.from(sym.weights, (v) => v / norm);
  return { offsets: sym.offsets, cols: sym.targets, vals };
}

async function denseAffinities(m: Matrix, perplexity: number): Promise<Float64Array> {
  const n = m.rows;
  const G = await rowProducts(m, m, { precision: 'float64' });
  const sq = rowSquaredNorms(m);
  const desired = Math.log(perplexity);
  const P = new Float64Array(n * n);
  const dist = new Float64Array(n - 1);
  const row = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      dist[t++] = Math.max(0, atF64(sq, i) + atF64(sq, j) - 2 * atFloat(G.data, i * n + j));
    }
    conditionalRow(dist, row, desired);
    t = 0;
    for (let j = 0; j < n; j++) if (j !== i) P[i * n + j] = atF64(row, t++);
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = atF64(P, i * n + j) + atF64(P, j * n + i);
      P[i * n + j] = v;
      P[j * n + i] = v;
      total += 2 * v;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) P[i * n + j] = i === j ? 0 : Math.max(atF64(P, i * n + j) / total, MACHINE_EPSILON);
  }
  return P;
}

/**
 * Exact gradient for dense P (`exag` multiplies P) into `grad`; returns KL(P || Q) when `withError` (the
 * logarithms are the expensive part, so they are only taken at convergence checks), else NaN.
 */
function exactGradient(P: Float64Array, y: Float64Array, n: number, dim: number, dof: number, exag: number, grad: Float64Array, W: Float64Array, withError: boolean): number {
  const expo = (dof + 1) / 2;
  let Z = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = i + 1; j < n; j++) {
      let d2 = 0;
      for (let c = 0; c < dim; c++) {
        const a = atF64(y, i * dim + c) - atF64(y, j * dim + c);
        d2 += a * a;
      }
      const base = 1 + d2 / dof;
      const w = expo === 1 ? 1 / base : Math.pow(base, -expo);
      W[row + j] = w;
      Z += 2 * w;
    }
  }
  grad.fill(0);
  let kl = 0;
  const c0 = (2 * (dof + 1)) / dof;
  const invZ = 1 / Z;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = i + 1; j < n; j++) {
      const w = atF64(W, row + j);
      const p = exag * atF64(P, row + j);
      const q = Math.max(w * invZ, MACHINE_EPSILON);
      if (withError) kl += 2 * p * Math.log(Math.max(p, MACHINE_EPSILON) / q);
      // The Student-t gradient weight is (1 + d^2 / dof)^-1, which is w itself when dof = 1.
      const f = c0 * (p - q) * (expo === 1 ? w : Math.pow(w, 1 / expo));
      for (let c = 0; c < dim; c++) {
        const a = f * (atF64(y, i * dim + c) - atF64(y, j * dim + c));
        grad[i * dim + c] += a;
        grad[j * dim + c] -= a;
      }
    }
  }
  return withError ? kl : NaN;
}

/** Barnes-Hut gradient for sparse P (2-D, dof = 1). Returns the KL divergence estimate when `withError`. */
function bhGradient(P: SparseP, y: Float64Array, n: number, exag: number, theta: number, grad: Float64Array, tree: QuadTree, neg: Float64Array, stack: Int32Array, withError: boolean): number {
  tree.build(y);
  neg.fill(0);
  let Z = 0;
  const theta2 = theta * theta;
  for (let i = 0; i < n; i++) Z += tree.repulsion(i, atF64(y, 2 * i), atF64(y, 2 * i + 1), y, theta2, neg, stack);
  let kl = 0;
  const { offsets, cols, vals } = P;
  for (let i = 0; i < n; i++) {
    let fx = 0;
    let fy = 0;
    const yx = atF64(y, 2 * i);
    const yy = atF64(y, 2 * i + 1);
    const e = atI32(offsets, i + 1);
    for (let t = atI32(offsets, i); t < e; t++) {
      // Hot loop: the reads are checked together (see QuadTree.repulsion).
      const j = cols[t];
      const pt = vals[t];
      if (j === undefined || pt === undefined) throw new RangeError(`tsne: affinity entry ${t} is outside P`);
      const yjx = y[2 * j];
      const yjy = y[2 * j + 1];
      if (yjx === undefined || yjy === undefined) throw new RangeError(`tsne: point ${j} is outside the embedding`);
      const dx = yx - yjx;
      const dy = yy - yjy;
      const w = 1 / (1 + dx * dx + dy * dy);
      const p = exag * pt;
      fx += p * w * dx;
      fy += p * w * dy;
      if (withError) kl += p * Math.log(Math.max(p, MACHINE_EPSILON) / Math.max(w / Z, MACHINE_EPSILON));
    }
    grad[2 * i] = 4 * (fx - atF64(neg, 2 * i) / Z);
    grad[2 * i + 1] = 4 * (fy - atF64(neg, 2 * i + 1) / Z);
  }
  return withError ? kl : NaN;
}

/** t-SNE embedding of the rows of `X` `[n, d]`. */
export async function tsne(X: MatrixLike, opts: TSNEOptions = {}): Promise<TSNEResult> {
  const m = toMatrix(X, 'X', { minRows: 2 });
  const n = m.rows;
  const {
    perplexity = 30,
    nComponents = 2,
    seed = 0,
    nIter = 1000,
    learningRate = 'auto',
    earlyExaggeration = 12,
    theta = 0.5,
    method = 'auto',
    init = 'pca',
  } = opts;
  if (!(perplexity > 0)) throw new Error(`tsne: perplexity must be > 0, got ${perplexity}`);
  if (perplexity >= n) {
    // as scikit-learn's TSNE (the seeds' tool), an error rather than a silent change of the figure
    throw new Error(`tsne: perplexity (${perplexity}) must be less than the number of rows of X (${n}); pass a smaller one, e.g. { perplexity: ${Math.max(1, Math.floor((n - 1) / 3))} }`);
  }
  if (!Number.isInteger(nComponents) || nComponents < 1) throw new Error(`tsne: nComponents must be a positive integer, got ${nComponents}`);
  if (!Number.isInteger(nIter) || nIter < EXPLORATION_ITERS) throw new Error(`tsne: nIter must be an integer >= ${EXPLORATION_ITERS}, got ${nIter}`);
  if (!(earlyExaggeration >= 1)) throw new Error(`tsne: earlyExaggeration must be >= 1, got ${earlyExaggeration}`);
  if (!(theta >= 0)) throw new Error(`tsne: theta must be >= 0, got ${theta}`);
  if (learningRate !== 'auto' && !(learningRate > 0)) throw new Error(`tsne: learningRate must be > 0 or 'auto', got ${learningRate}`);
  if (method !== 'auto' && method !== 'exact' && method !== 'barnes-hut') throw new Error(`tsne: method must be 'auto', 'exact' or 'barnes-hut', got '${String(method)}'`);
  if (init !== 'pca' && init !== 'random') throw new Error(`tsne: init must be 'pca' or 'random', got '${String(init)}'`);
  const useExact = method === 'exact' || (method === 'auto' && n <= TSNE_EXACT_MAX_ROWS);
  if (useExact && n > 20000) throw new Error(`tsne: exact t-SNE needs n x n matrices; ${n} rows is too many, use method: 'barnes-hut'`);
  if (!useExact && nComponents !== 2) {
    throw new Error(`tsne: Barnes-Hut supports nComponents = 2, got ${nComponents}; use method: 'exact'`);
  }
  const dim = nComponents;
  const dof = Math.max(dim - 1, 1);
  const lr = learningRate === 'auto' ? Math.max(n / earlyExaggeration / 4, 50) : learningRate;

  // Initial embedding.
  const y = new Float64Array(n * dim);
  if (init === 'pca') {
    if (dim > Math.min(n, m.cols)) throw new Error(`tsne: init 'pca' needs nComponents <= min(rows, cols) = ${Math.min(n, m.cols)}`);
    const p = await pca(m, { nComponents: dim });
    const proj = p.projection.data;
    let mean0 = 0;
    for (let i = 0; i < n; i++) mean0 += atF64(proj, i * dim);
    mean0 /= n;
    let v0 = 0;
    for (let i = 0; i < n; i++) v0 += (atF64(proj, i * dim) - mean0) ** 2;
    const sd = Math.sqrt(v0 / n);
    const scale = sd > 0 ? 1e-4 / sd : 1;
    for (let t = 0; t < n * dim; t++) y[t] = atF64(proj, t) * scale;
  } else {
    const rng = new Random(seed);
    for (let t = 0; t < n * dim; t++) y[t] = 1e-4 * rng.normal();
  }

  const grad = new Float64Array(n * dim);
  const update = new Float64Array(n * dim);
  const gains = new Float64Array(n * dim).fill(1);
  let objective: (exag: number, withError: boolean) => number;
  if (useExact) {
    const P = await denseAffinities(m, perplexity);
    const W = new Float64Array(n * n);
    objective = (exag, withError) => exactGradient(P, y, n, dim, dof, exag, grad, W, withError);
  } else {
    const P = await sparseAffinities(m, perplexity);
    const tree = new QuadTree(n);
    const neg = new Float64Array(2 * n);
    const stack = new Int32Array(4 * 64 + 16);
    objective = (exag, withError) => bhGradient(P, y, n, exag, theta, grad, tree, neg, stack, withError);
  }

  let kl = NaN;
  let iterations = 0;
  // Two stages, each with its own progress tracking, as sklearn's `_gradient_descent` calls.
  const stages: [number, number, number][] = [
    [0, EXPLORATION_ITERS, 0.5],
    [EXPLORATION_ITERS, nIter, 0.8],
  ];
  for (const [from, to, momentum] of stages) {
    const exag = from === 0 ? earlyExaggeration : 1;
    let bestError = Infinity;
    let bestIter = from;
    for (let it = from; it < to; it++) {
      const check = (it + 1) % CHECK_EVERY === 0 || it === to - 1;
      const err = objective(exag, check);
      let gnorm = 0;
      for (let t = 0; t < n * dim; t++) {
        const g = atF64(grad, t);
        const u = atF64(update, t);
        let gain = atF64(gains, t);
        gain = u * g < 0 ? gain + 0.2 : gain * 0.8;
        if (gain < 0.01) gain = 0.01;
        gains[t] = gain;
        const step = momentum * u - lr * gain * g;
        update[t] = step;
        y[t] += step;
        gnorm += g * g;
      }
      iterations = it + 1;
      if (check) {
        kl = err;
        if (err < bestError) {
          bestError = err;
          bestIter = it;
        } else if (it - bestIter > NO_PROGRESS) break;
        if (Math.sqrt(gnorm) <= MIN_GRAD_NORM) break;
      }
    }
  }
  // The reported KL is measured without exaggeration at the embedding's final position.
  kl = objective(1, true);
  return { embedding: { rows: n, cols: dim, data: y }, klDivergence: kl, iterations, method: useExact ? 'exact' : 'barnes-hut' };
}
