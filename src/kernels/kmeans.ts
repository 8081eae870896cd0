/**
 * k-means (Lloyd) with greedy k-means++ seeding, as scikit-learn's `KMeans` runs it: seeding tries
 * `2 + floor(ln k)` candidates per centre and keeps the one that lowers the potential most; Lloyd stops when
 * the labels no longer change or the total squared centre shift falls to `tol` times the mean per-feature
 * variance, then re-assigns once so labels match the returned centroids; empty clusters are re-seeded at the
 * points farthest from their centres. The assignment products run as blocked ONNX graphs (float32);
 * centroids, distances for the farthest-point rule and the inertia are computed in float64.
 *
 * ml-kmeans is not used: its seeding draws from its own generator (we take randomness only from `seed` via
 * `src/random.ts`) and its number[][] Lloyd loop is orders of magnitude slower at layerwise-analysis sizes
 * (7,800 x 768, k = 500).
 */
import { asFloat32, toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { Random } from '../random';
import { readJSONFile, writeJSONFile } from '../util/jsonFile';
import { assignToCentroids, clippedCandidateDistances } from './engine/centroidAssignment';
import { rowSquaredNorms } from './engine/columns';
import { FittedJSONReader, float64ToRows, rowsToFloat64, type FittedModel } from './FittedModel';
import { atF64, atFloat, atI32, atNum } from '../util/at';

/** Options of `kmeans`; only `k` is required. */
export interface KMeansOptions {
  /** Number of clusters, 1 <= k <= rows. */
  k: number;
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /** Most Lloyd iterations per run (default 300, as sklearn). */
  maxIter?: number;
  /** Independent initialisations; the run with the lowest inertia is kept (default 1). */
  nInit?: number;
  /** Relative tolerance on the total squared centre shift, scaled by the mean feature variance (default 1e-4). */
  tol?: number;
  /** 'k-means++' (default), 'random' (k distinct rows) or explicit initial centroids `[k, d]`. */
  init?: 'k-means++' | 'random' | MatrixLike;
}

/** What a k-means fit found (the fields of `KMeansModel`). */
export interface KMeansResult {
  /** Cluster centres `[k, d]`. */
  readonly centroids: Matrix<Float64Array>;
  /** Cluster index of every row `[n]`, matching `centroids`. */
  readonly labels: Int32Array;
  /** Sum of squared distances of rows to their centroid (float64). */
  readonly inertia: number;
  /** Lloyd iterations of the kept run. */
  readonly iterations: number;
  /** Whether the kept run stopped by the labels or the tolerance rather than `maxIter`. */
  readonly converged: boolean;
}

function meanFeatureVariance(m: Matrix): number {
  const { rows: n, cols: d, data } = m;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += atFloat(data, i * d + j);
  for (let j = 0; j < d; j++) mean[j] /= n;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const a = atFloat(data, i * d + j) - atF64(mean, j);
      s += a * a;
    }
  }
  return s / (n * d);
}

function copyRow(src: Matrix, i: number, dst: Float64Array, r: number): void {
  const d = src.cols;
  for (let j = 0; j < d; j++) dst[r * d + j] = atFloat(src.data, i * d + j);
}

function squaredDistanceTo(m: Matrix, i: number, c: Float64Array, r: number): number {
  const d = m.cols;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const a = atFloat(m.data, i * d + j) - atF64(c, r * d + j);
    s += a * a;
  }
  return s;
}

/** First index whose cumulative sum exceeds `v` (NumPy's `searchsorted(cumsum, v)` with side='left'). */
function searchCumulative(cum: Float64Array, v: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (atF64(cum, mid) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function kmeansPlusPlus(m: Matrix, x32: Matrix<Float32Array>, xNorms: Float64Array, k: number, rng: Random): Promise<Float64Array> {
  const { rows: n, cols: d } = m;
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.int(n);
  copyRow(m, first, centers, 0);
  let closest = new Float64Array(n);
  let pot = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = squaredDistanceTo(m, i, centers, 0);
    pot += atF64(closest, i);
  }
  const cum = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += atF64(closest, i);
      cum[i] = acc;
    }
    const ids: number[] = [];
    for (let t = 0; t < trials; t++) ids.push(Math.min(searchCumulative(cum, rng.uniform() * pot), n - 1));
    const cand = new Float64Array(trials * d);
    ids.forEach((id, t) => copyRow(m, id, cand, t));
    const D = await clippedCandidateDistances(x32, xNorms, { rows: trials, cols: d, data: cand }, closest);
    let bestT = 0;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      let p = 0;
      for (let i = 0; i < n; i++) p += atF64(D, i * trials + t);
      if (p < bestPot) {
        bestPot = p;
        bestT = t;
      }
    }
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = atF64(D, i * trials + bestT);
    closest = next;
    pot = bestPot;
    copyRow(m, atNum(ids, bestT), centers, c);
  }
  return centers;
}

interface RunResult {
  centroids: Float64Array;
  labels: Int32Array;
  inertia: number;
  iterations: number;
  converged: boolean;
}

function updateCentroids(m: Matrix, labels: Int32Array, k: number, old: Float64Array): Float64Array {
  const { rows: n, cols: d, data } = m;
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = atI32(labels, i);
    counts[c] += 1;
    const o = c * d;
    const r = i * d;
    for (let j = 0; j < d; j++) sums[o + j] += atFloat(data, r + j);
  }
  const empty: number[] = [];
  for (let c = 0; c < k; c++) {
    const cnt = atI32(counts, c);
    if (cnt === 0) {
      empty.push(c);
      continue;
    }
    for (let j = 0; j < d; j++) sums[c * d + j] /= cnt;
  }
  if (empty.length > 0) {
    // Re-seed empty clusters at the rows farthest from their current centre (sklearn's rule), distinct rows.
    const far = new Float64Array(n);
    for (let i = 0; i < n; i++) far[i] = squaredDistanceTo(m, i, old, atI32(labels, i));
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => atF64(far, b) - atF64(far, a) || a - b);
    empty.forEach((c, r) => copyRow(m, atNum(order, r % n), sums, c));
  }
  return sums;
}

async function lloyd(m: Matrix, x32: Matrix<Float32Array>, init: Float64Array, k: number, maxIter: number, tolAbs: number): Promise<RunResult> {
  const { rows: n, cols: d } = m;
  let centroids = init;
  let labels: Int32Array | null = null;
  let iterations = 0;
  let converged = false;
  let strict = false;
  for (let it = 0; it < maxIter; it++) {
    const next = await assignToCentroids(x32, { rows: k, cols: d, data: centroids });
    iterations = it + 1;
    if (labels !== null && next.every((v, i) => v === labels?.[i])) {
      strict = true;
      converged = true;
      break;
    }
    labels = next;
    const updated = updateCentroids(m, labels, k, centroids);
    let shift = 0;
    for (let q = 0; q < k * d; q++) shift += (atF64(updated, q) - atF64(centroids, q)) ** 2;
    centroids = updated;
    if (shift <= tolAbs) {
      converged = true;
      break;
    }
  }
  if (!strict || labels === null) labels = await assignToCentroids(x32, { rows: k, cols: d, data: centroids });
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistanceTo(m, i, centroids, atI32(labels, i));
  return { centroids, labels, inertia, iterations, converged };
}

/** k-means as plain JSON. */
export interface KMeansModelJSON {
  readonly type: 'layerwise.KMeans';
  readonly version: 1;
  /** `[k][d]`. */
  readonly centroids: number[][];
  readonly labels: number[];
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** A fitted k-means (see `FittedModel`): `predict` gives the nearest centroid of new rows. */
export class KMeansModel implements KMeansResult, FittedModel<KMeansModelJSON> {
  constructor(
    readonly centroids: Matrix<Float64Array>,
    readonly labels: Int32Array,
    readonly inertia: number,
    readonly iterations: number,
    readonly converged: boolean,
  ) {}

  /** Number of clusters. */
  get k(): number {
    return this.centroids.rows;
  }

  /** Nearest-centroid cluster of every row of `X` `[n, d]` (ties to the lower cluster index). */
  predict(X: MatrixLike): Promise<Int32Array> {
    return assignClusters(X, this.centroids);
  }

  toJSON(): KMeansModelJSON {
    const { rows, cols, data } = this.centroids;
    return {
      type: 'layerwise.KMeans',
      version: 1,
      centroids: float64ToRows(data, rows, cols),
      labels: Array.from(this.labels),
      inertia: this.inertia,
      iterations: this.iterations,
      converged: this.converged,
    };
  }

  /** Rebuild a model from `toJSON()` output; `source` names it in errors. */
  static fromJSON(json: unknown, source = 'k-means model'): KMeansModel {
    const j = new FittedJSONReader(json, 'KMeans', 1, source);
    const rows = j.rows('centroids');
    const d = rows[0]?.length ?? 0;
    const labels = j.numbers('labels');
    if (labels.some((l) => !(Number.isInteger(l) && l >= 0 && l < rows.length))) throw j.error(`labels must be cluster indices in [0, ${rows.length})`);
    return new KMeansModel({ rows: rows.length, cols: d, data: rowsToFloat64(rows, d) }, Int32Array.from(labels), j.number('inertia'), j.number('iterations'), j.boolean('converged'));
  }

  /** Write the model to `path` as JSON, atomically. */
  save(path: string): void {
    writeJSONFile(path, this.toJSON());
  }

  /** Read a model written by `save`. */
  static load(path: string): KMeansModel {
    return KMeansModel.fromJSON(readJSONFile(path, 'k-means model'), path);
  }
}

/** k-means clustering of the rows of `X` `[n, d]`. Deterministic for a given `seed`. */
export async function kmeans(X: MatrixLike, opts: KMeansOptions): Promise<KMeansModel> {
  const m = toMatrix(X, 'X');
  const { rows: n, cols: d } = m;
  const { k, seed = 0, maxIter = 300, nInit = 1, tol = 1e-4, init = 'k-means++' } = opts;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`kmeans: k must be an integer in [1, ${n}] (the number of rows), got ${k}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new Error(`kmeans: maxIter must be a positive integer, got ${maxIter}`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new Error(`kmeans: nInit must be a positive integer, got ${nInit}`);
  if (!(tol >= 0)) throw new Error(`kmeans: tol must be >= 0, got ${tol}`);
  let given: Float64Array | null = null;
  if (typeof init !== 'string') {
    const c = toMatrix(init, 'init');
    if (c.rows !== k || c.cols !== d) throw new Error(`init: must be [${k}, ${d}] (k x features), got [${c.rows}, ${c.cols}]`);
    given = Float64Array.from(c.data);
  } else if (init !== 'k-means++' && init !== 'random') {
    throw new Error(`kmeans: init must be 'k-means++', 'random' or a [k, d] matrix, got '${String(init)}'`);
  }
  const x32 = asFloat32(m);
  const xNorms = rowSquaredNorms(m);
  const tolAbs = tol * meanFeatureVariance(m);
  const rng = new Random(seed);
  let best: RunResult | null = null;
  const runs = given === null ? nInit : 1;
  for (let r = 0; r < runs; r++) {
    let start: Float64Array;
    if (given !== null) start = given;
    else if (init === 'random') {
      start = new Float64Array(k * d);
      const rowsPicked = rng.sample(n, k);
      for (let c = 0; c < k; c++) copyRow(m, atI32(rowsPicked, c), start, c);
    } else start = await kmeansPlusPlus(m, x32, xNorms, k, rng);
    const res = await lloyd(m, x32, start, k, maxIter, tolAbs);
    if (best === null || res.inertia < best.inertia) best = res;
  }
  if (best === null) throw new Error('kmeans: no run completed');
  return new KMeansModel({ rows: k, cols: d, data: best.centroids }, best.labels, best.inertia, best.iterations, best.converged);
}

/** Nearest-centroid labels of new rows `X` `[n, d]` for fitted `centroids` `[k, d]` (k-means `predict`). */
export async function assignClusters(X: MatrixLike, centroids: MatrixLike): Promise<Int32Array> {
  const m = toMatrix(X, 'X');
  const c = toMatrix(centroids, 'centroids');
  if (c.cols !== m.cols) throw new Error(`centroids: have ${c.cols} columns but X has ${m.cols}`);
  return assignToCentroids(asFloat32(m), c);
}
