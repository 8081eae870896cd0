/**
 * The shape every pairwise similarity kernel shares, so that `layerMatrix` can prepare each layer once
 * (centred data, Gram matrices, neighbour lists, whitening) and compare prepared layers pairwise.
 */
import { assertSameRows, toMatrix, type Matrix, type MatrixLike } from '../matrix';

/** A similarity between two representations of the same samples, split into per-input and per-pair work. */
export interface PairwiseMetric<P> {
  /** Name used in errors and in `layerMatrix` results. */
  readonly name: string;
  /** `compare(a, b) === compare(b, a)`: a layer matrix computes only the upper triangle. */
  readonly symmetric: boolean;
  /**
   * `prepare` itself rejects non-finite values, from a pass over the input it makes anyway (column sums), with
   * the same error as `toMatrix`'s check; `layerMatrix` then skips its own scan of every layer.
   */
  readonly checksFinite?: boolean;
  /** Per-input work on a validated matrix; `name` is the argument name used in errors. */
  prepare(X: Matrix, name: string): Promise<P>;
  /** The value for a prepared pair, or `{value: null, reason}` where the definition does not apply. */
  compare(a: P, b: P, names: readonly [string, string]): Promise<number | Undefined>;
}

/** A value the definition leaves undefined for these inputs, and why. */
export interface Undefined {
  readonly value: null;
  readonly reason: string;
}

/**
 * Validate a pair of inputs: both matrices (rows = the same samples, at least `minRows`), finite values.
 * Errors name `X`/`Y` (or the given names).
 */
export function checkPair(X: MatrixLike, Y: MatrixLike, what: string, minRows = 2, names: readonly [string, string] = ['X', 'Y']): [Matrix, Matrix] {
  const x = toMatrix(X, `${what}: ${names[0]}`, { minRows });
  const y = toMatrix(Y, `${what}: ${names[1]}`, { minRows });
  assertSameRows(x, y, `${what}: ${names[0]}`, names[1]);
  return [x, y];
}

/** Run a metric on one pair of inputs (what the single-pair kernels do). */
export async function comparePair<P>(metric: PairwiseMetric<P>, x: Matrix, y: Matrix): Promise<number | Undefined> {
  // Sequential on purpose: both preparations would compete for the same cores and double peak memory.
  const a = await metric.prepare(x, 'X');
  const b = await metric.prepare(y, 'Y');
  return metric.compare(a, b, ['X', 'Y']);
}

/** The number from `comparePair` for metrics that are always defined. */
export function definedValue(v: number | Undefined, what: string): number {
  if (typeof v === 'number') return v;
  throw new Error(`${what}: ${v.reason}`);
}
