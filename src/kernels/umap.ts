/**
 * UMAP (McInnes, Healy & Melville 2018) through umap-js, made deterministic and exact where umap-js is
 * approximate: the k-nearest-neighbour graph is the engine's exact Euclidean kNN (each point first, at
 * distance 0, as UMAP's own search returns it) instead of umap-js's random-projection NN-descent, and every
 * random draw of umap-js (embedding initialisation, negative sampling) comes from `src/random.ts` seeded
 * with `seed`. umap-js initialises the embedding uniformly at random in [-10, 10] (no spectral layout).
 */
import { UMAP } from 'umap-js';
import { toMatrix, toArrays, type Matrix, type MatrixLike } from '../matrix';
import { Random } from '../random';
import { topKNeighbors } from './engine/neighbors';
import { atF64, atI32, atNum } from '../util/at';

/** Options of `umap` (neighbours, min distance, epochs, `seed`). */
export interface UMAPOptions {
  /**
   * Size of the local neighbourhood, counting the point itself (default 15); at least 2. Above `rows - 1` it is
   * truncated to `rows - 1` with a warning, as umap-learn does.
   */
  nNeighbors?: number;
  /** Smallest distance between embedded points (default 0.1). */
  minDist?: number;
  /** Output dimensions (default 2). */
  nComponents?: number;
  /** Seed (default 0). */
  seed?: number;
  /** Optimisation epochs (default: umap-js's, 500 up to 10,000 rows, 200 above). */
  nEpochs?: number;
  /** Scale of the embedded points (default 1). */
  spread?: number;
  /** Receives warnings about the data (default console.warn); they are also in the result. */
  onWarning?: (message: string) => void;
}

/** A UMAP embedding `[rows, dims]`. */
export interface UMAPResult {
  /** The embedding `[n, nComponents]`. */
  readonly embedding: Matrix<Float64Array>;
  /** The neighbourhood size used (after truncation to rows - 1). */
  readonly nNeighbors: number;
  /** What was adapted to the data, if anything. */
  readonly warnings: readonly string[];
}

/** UMAP embedding of the rows of `X` `[n, d]`; deterministic for a seed. */
export async function umap(X: MatrixLike, opts: UMAPOptions = {}): Promise<UMAPResult> {
  const m = toMatrix(X, 'X', { minRows: 3 });
  const n = m.rows;
  const { nNeighbors: asked = 15, minDist = 0.1, nComponents = 2, seed = 0, nEpochs, spread = 1 } = opts;
  if (!Number.isInteger(asked) || asked < 2) throw new Error(`umap: nNeighbors must be an integer >= 2, got ${asked}`);
  const warnings: string[] = [];
  // umap-learn truncates too: "n_neighbors is larger than the dataset size; truncating to X.shape[0] - 1"
  const nNeighbors = Math.min(asked, n - 1);
  if (nNeighbors < asked) warnings.push(`umap: nNeighbors ${asked} is not below the ${n} rows; using ${nNeighbors} (rows - 1), as umap-learn does`);
  for (const w of warnings) (opts.onWarning ?? ((m: string) => console.warn(m)))(w);
  if (!(minDist >= 0) || !(spread > 0) || minDist > spread) throw new Error(`umap: need 0 <= minDist <= spread, got minDist ${minDist}, spread ${spread}`);
  if (!Number.isInteger(nComponents) || nComponents < 1) throw new Error(`umap: nComponents must be a positive integer, got ${nComponents}`);
  if (nEpochs !== undefined && (!Number.isInteger(nEpochs) || nEpochs < 1)) throw new Error(`umap: nEpochs must be a positive integer, got ${nEpochs}`);
  const nb = await topKNeighbors(m, { k: nNeighbors - 1, metric: 'euclidean', excludeSelf: true });
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  const kk = nNeighbors - 1;
  for (let i = 0; i < n; i++) {
    const idx = [i];
    const dist = [0];
    for (let r = 0; r < kk; r++) {
      idx.push(atI32(nb.indices, i * kk + r));
      dist.push(Math.sqrt(Math.max(0, atF64(nb.values, i * kk + r))));
    }
    knnIndices.push(idx);
    knnDistances.push(dist);
  }
  const rng = new Random(seed);
  const model = new UMAP({
    nNeighbors,
    minDist,
    nComponents,
    spread,
    random: () => rng.uniform(),
    ...(nEpochs === undefined ? {} : { nEpochs }),
  });
  model.setPrecomputedKNN(knnIndices, knnDistances);
  const out = model.fit(toArrays(m));
  const data = new Float64Array(n * nComponents);
  for (let i = 0; i < n; i++) {
    const r = out[i];
    if (r === undefined || r.length !== nComponents) throw new Error(`umap: umap-js returned a malformed embedding at row ${i}`);
    for (let c = 0; c < nComponents; c++) data[i * nComponents + c] = atNum(r, c);
  }
  return { embedding: { rows: n, cols: nComponents, data }, nNeighbors, warnings };
}
