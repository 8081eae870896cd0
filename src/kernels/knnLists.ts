/**
 * Nearest-neighbour lists as the platonic-representation metrics (Huh et al. 2024, minyoungg/platonic-rep
 * `metrics.py`) use them: the top-k rows by inner product, the row itself excluded, best first. With
 * `normalize` the rows are first scaled to unit length (`F.normalize`), so the ranking is by cosine.
 * Ties go to the lower row index (platonic-rep's `argsort` leaves them unspecified).
 */
import type { Matrix } from '../matrix';
import { topKNeighbors, type Neighbors, type Precision } from './engine';

/** Options shared by the k-nearest-neighbour metrics: `k` and the neighbour metric. */
export interface KnnOptions {
  /** Neighbours per row (default 10). */
  k?: number;
  /** L2-normalise rows before the inner products (default true). */
  normalize?: boolean;
  /** Working precision (default: float32 when the input is float32, else float64). */
  precision?: Precision;
}

/** Neighbour lists of one input, tagged with the argument name for errors. */
export interface KnnLists extends Neighbors {
  readonly name: string;
}

/** Resolve and check the options shared by the kNN metrics. */
export function knnSettings(opts: KnnOptions, what: string, minK = 1): { k: number; normalize: boolean; precision: Precision | undefined } {
  const k = opts.k ?? 10;
  if (!Number.isInteger(k) || k < minK) throw new Error(`${what}: k must be an integer >= ${minK}, got ${k}`);
  return { k, normalize: opts.normalize ?? true, precision: opts.precision };
}

/** The k-NN lists of `X` [n, d] -> [n, k], self excluded. */
export async function knnLists(X: Matrix, name: string, opts: KnnOptions, what: string): Promise<KnnLists> {
  const { k, normalize, precision } = knnSettings(opts, what);
  if (k > X.rows - 1) throw new Error(`${what}: k = ${k} needs at least ${k + 1} rows, but ${name} has ${X.rows}`);
  const metric = normalize ? 'cosine' : 'inner';
  const nb = await topKNeighbors(X, precision === undefined ? { k, metric } : { k, metric, precision });
  return { ...nb, name };
}

export function checkSameRows(a: KnnLists, b: KnnLists, what: string): void {
  if (a.rows !== b.rows) throw new Error(`${what}: ${a.name} has ${a.rows} rows but ${b.name} has ${b.rows}`);
}
