/**
 * Graph convexity of labelled regions (Tetková et al. 2023, "On convex decision regions in deep network
 * representations"; Dorszewski, Tětková & Hansen 2024 for speech, the `graph_convexity` of seed 000).
 *
 * A region is convex in a graph when shortest paths between its points stay inside it. The data graph is
 * the exact Euclidean k-nearest-neighbour graph, symmetrised (an edge when either point is among the
 * other's k nearest), weighted by the Euclidean distance. For every class, ordered pairs (a, b) of distinct
 * members are drawn (all pairs when there are at most `maxPaths`, else `maxPaths` pairs without replacement,
 * seeded), the weighted shortest path a -> b is found with Dijkstra, and the pair scores the share of the
 * path's interior nodes (endpoints excluded) that carry the class label.
 *
 * Conventions, following LenkaTetkova/Convexity-of-representations (`is_path_in_concept`, `compute_paths`,
 * `sem_adjusted`) and the speech version:
 * - each point's k neighbours exclude the point itself (by index);
 * - a path with no interior node (the two points are adjacent) scores 1; an unreachable pair scores 0;
 * - per-class score = mean over that class's sampled pairs; its standard error is "adjusted" for the
 *   dependence between paths: std of the pair scores (ddof 1) / sqrt(number of class members);
 * - `pooled` = mean over every sampled pair of every class (what the speech code reports per layer), with
 *   the same adjusted standard error over all members of the scored classes;
 * - `classMean` = mean of the per-class scores, with the mean of the per-class standard errors (what the
 *   reference prints as the total).
 * One deliberate difference: the reference stores the graph as a dense matrix where 0 means "no edge", so
 * two identical points lose the edge between them; here exact duplicates stay adjacent (weight 0).
 * Equal-length paths are resolved by settling the lower node id first. Classes with fewer than two members
 * have no pairs; they are reported with `score: null` and left out of `pooled` and `classMean`.
 */
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { Random } from '../random';
import { topKNeighbors } from './engine/neighbors';
import { encodeLabels, type LabelsLike } from './labels';
import { DijkstraWorkspace, type WeightedGraph } from './shortestPaths';
import { symmetricCSR } from './symmetricCSR';
import { at, atF64, atI32, atU8 } from '../util/at';

/** Options of `graphConvexity` (neighbours of the kNN graph, path pairs sampled per class, `seed`). */
export interface GraphConvexityOptions {
  /** Neighbours per point in the kNN graph (default 10, as seed 000's `num_neighbours`). */
  k?: number;
  /** Most sampled pairs per class (default 5000, as the reference). */
  maxPaths?: number;
  /** Seed of the pair sampling (default 0). */
  seed?: number;
}

/** The convexity of one class: mean share of shortest-path nodes inside the class, with its standard error. */
export interface ConvexityClassScore {
  /** The class label. */
  readonly label: number | string;
  /** Members of the class. */
  readonly size: number;
  /** Pairs scored. */
  readonly paths: number;
  /** Of those, pairs with no path between them (scored 0). */
  readonly unreachable: number;
  /** Mean share of interior path nodes inside the class; `null` for classes with fewer than two members. */
  readonly score: number | null;
  /** Adjusted standard error (std ddof 1 / sqrt(size)); `null` when fewer than two pairs were scored. */
  readonly se: number | null;
}

/** Graph convexity per class and pooled, with standard errors. */
export interface GraphConvexityResult {
  readonly k: number;
  /** Per class, in label order (`np.unique` order). */
  readonly classes: readonly ConvexityClassScore[];
  /** Mean over all scored pairs of all classes, with its adjusted standard error. */
  readonly pooled: { readonly mean: number; readonly se: number | null };
  /** Mean of the per-class scores, with the mean of the per-class standard errors. */
  readonly classMean: { readonly mean: number; readonly se: number | null };
}

/** The symmetrised kNN graph in CSR form, weights = Euclidean distances. */
async function knnGraph(X: Matrix, k: number): Promise<WeightedGraph> {
  const nb = await topKNeighbors(X, { k, metric: 'euclidean', excludeSelf: true });
  const distances = Float64Array.from(nb.values, (v) => Math.sqrt(Math.max(0, v)));
  // A pair found from both ends keeps the larger of its two weights, as np.maximum(D, D.T) does.
  return symmetricCSR(X.rows, k, nb.indices, distances, 'max');
}

/** `count` distinct values from [0, total), in draw order. */
function samplePairIndices(total: number, count: number, rng: Random): Float64Array {
  const out = new Float64Array(count);
  if (count === total) {
    for (let i = 0; i < total; i++) out[i] = i;
    return out;
  }
  if (total <= 4 * count) {
    const p = rng.permutation(total);
    for (let i = 0; i < count; i++) out[i] = atI32(p, i);
    return out;
  }
  const seen = new Set<number>();
  let c = 0;
  while (c < count) {
    const v = Math.floor(rng.uniform() * total);
    if (!seen.has(v)) {
      seen.add(v);
      out[c++] = v;
    }
  }
  return out;
}

function sampleStd(values: Float64Array, mean: number): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (atF64(values, i) - mean) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

/**
 * Graph convexity of every class of `labels` in the representation `X` `[samples, features]`.
 * Deterministic for a given `seed`.
 */
export async function graphConvexity(X: MatrixLike, labels: LabelsLike, opts: GraphConvexityOptions = {}): Promise<GraphConvexityResult> {
  const m = toMatrix(X, 'X', { minRows: 2 });
  const n = m.rows;
  const enc = encodeLabels(labels, 'labels', n);
  const { k = 10, maxPaths = 5000, seed = 0 } = opts;
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new Error(`graphConvexity: k must be an integer in [1, ${n - 1}] (rows - 1), got ${k}`);
  if (!Number.isInteger(maxPaths) || maxPaths < 1) throw new Error(`graphConvexity: maxPaths must be a positive integer, got ${maxPaths}`);
  const graph = await knnGraph(m, k);
  const ws = new DijkstraWorkspace(graph);
  const rng = new Random(seed);
  const nClasses = enc.classes.length;
  const members: Int32Array[] = [];
  {
    const fill = new Int32Array(nClasses);
    for (let c = 0; c < nClasses; c++) members.push(new Int32Array(atI32(enc.counts, c)));
    for (let i = 0; i < n; i++) {
      const c = atI32(enc.codes, i);
      at(members, c)[atI32(fill, c)] = i;
      fill[c] += 1;
    }
  }
  const classes: ConvexityClassScore[] = [];
  const allScores: number[] = [];
  let pooledMembers = 0;
  for (let c = 0; c < nClasses; c++) {
    const idx = at(members, c);
    const size = idx.length;
    const label = at(enc.classes, c);
    if (size < 2) {
      classes.push({ label, size, paths: 0, unreachable: 0, score: null, se: null });
      continue;
    }
    const total = size * (size - 1);
    const count = Math.min(total, maxPaths);
    const picks = samplePairIndices(total, count, rng);
    // Pair p is the p-th of itertools.permutations(members, 2): a = p div (size-1), b = the r-th other member.
    const srcs = new Int32Array(count);
    const dsts = new Int32Array(count);
    const load = new Int32Array(size);
    for (let t = 0; t < count; t++) {
      const p = atF64(picks, t);
      const a = Math.floor(p / (size - 1));
      const r = p - a * (size - 1);
      const b = r < a ? r : r + 1;
      srcs[t] = a;
      dsts[t] = b;
      load[a] += 1;
      load[b] += 1;
    }
    // The graph is undirected, so a pair's path can be found from either end: run Dijkstra from the end
    // that shares more pairs, which cuts the number of single-source runs.
    const bySource = new Map<number, number[]>();
    for (let t = 0; t < count; t++) {
      const a = atI32(srcs, t);
      const b = atI32(dsts, t);
      const from = atI32(load, a) >= atI32(load, b) ? a : b;
      const list = bySource.get(from);
      if (list === undefined) bySource.set(from, [t]);
      else list.push(t);
    }
    const inClass = new Uint8Array(n);
    for (let q = 0; q < size; q++) inClass[atI32(idx, q)] = 1;
    const scores = new Float64Array(count);
    let unreachable = 0;
    const sources = [...bySource.keys()].sort((p, q) => p - q);
    for (const from of sources) {
      const pairs = bySource.get(from) ?? [];
      const source = atI32(idx, from);
      const targets = Int32Array.from(pairs, (t) => atI32(idx, atI32(srcs, t) === from ? atI32(dsts, t) : atI32(srcs, t)));
      ws.run(source, targets);
      pairs.forEach((t, q) => {
        const target = atI32(targets, q);
        if (!ws.reached(target)) {
          unreachable++;
          scores[t] = 0;
          return;
        }
        // Walk the predecessor chain target -> source, counting interior nodes only.
        let interior = 0;
        let inside = 0;
        for (let u = atI32(ws.pred, target); u !== source && u !== -1; u = atI32(ws.pred, u)) {
          interior++;
          inside += atU8(inClass, u);
        }
        scores[t] = interior === 0 ? 1 : inside / interior;
      });
    }
    let mean = 0;
    for (let t = 0; t < count; t++) mean += atF64(scores, t);
    mean /= count;
    for (let t = 0; t < count; t++) allScores.push(atF64(scores, t));
    pooledMembers += size;
    const se = count >= 2 ? sampleStd(scores, mean) / Math.sqrt(size) : null;
    classes.push({ label, size, paths: count, unreachable, score: mean, se });
  }
  const scored = classes.filter((c) => c.score !== null);
  if (scored.length === 0) throw new Error('labels: no class has two or more members, so there are no pairs to score');
  const all = Float64Array.from(allScores);
  let pm = 0;
  for (let t = 0; t < all.length; t++) pm += atF64(all, t);
  pm /= all.length;
  const pooledSe = all.length >= 2 ? sampleStd(all, pm) / Math.sqrt(pooledMembers) : null;
  const cm = scored.reduce((s, c) => s + (c.score as number), 0) / scored.length;
  const ses = scored.map((c) => c.se);
  const classSe = ses.every((s) => s !== null) ? (ses as number[]).reduce((s, v) => s + v, 0) / ses.length : null;
  return { k, classes, pooled: { mean: pm, se: pooledSe }, classMean: { mean: cm, se: classSe } };
}
