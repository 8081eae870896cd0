/**
 * The seed's sparsity comparison (`get_activation_percetage`): the share of strictly positive entries of an
 * activation matrix, in percent. Applied to the residual stream, the FFN intermediate and SAE latents on the
 * same frames, it shows how much sparser each representation is (seed: 49%, 3.1%, 0.17%).
 */
import { toMatrix, type MatrixLike } from '../matrix';
import { atFloat } from '../util/at';

/** Options of `activationPercentage`. */
export interface ActivationPercentageOptions {
  /** Only these columns (e.g. the seed keeps the first 100 features of each); default all. */
  readonly columns?: readonly number[];
}

/** 100 * (number of entries > 0) / (number of entries considered), for `X` `[frames, features]`. */
export function activationPercentage(X: MatrixLike, opts: ActivationPercentageOptions = {}): number {
  const m = toMatrix(X, 'X');
  const cols = opts.columns ?? Array.from({ length: m.cols }, (_, j) => j);
  for (const j of cols) {
    if (!(Number.isInteger(j) && j >= 0 && j < m.cols)) throw new Error(`activationPercentage: column ${j} is outside [0, ${m.cols})`);
  }
  if (m.rows === 0 || cols.length === 0) throw new Error('activationPercentage: no entries to count');
  let positive = 0;
  for (let i = 0; i < m.rows; i++) {
    const off = i * m.cols;
    for (const j of cols) if (atFloat(m.data, off + j) > 0) positive++;
  }
  return (100 * positive) / (m.rows * cols.length);
}

/** One named representation's share of active entries, as `compareActivationPercentages` lists them. */
export interface ActivationComparisonRow {
  readonly name: string;
  readonly percent: number;
  readonly features: number;
}

/**
 * `activationPercentage` of several named matrices over the same frames (rows must agree), in the given
 * order: the seed's "Residual stream / Feed forward / SAE activations %" printout as data.
 */
export function compareActivationPercentages(matrices: Readonly<Record<string, MatrixLike>>, opts: ActivationPercentageOptions = {}): ActivationComparisonRow[] {
  const rows: ActivationComparisonRow[] = [];
  let frames = -1;
  for (const [name, X] of Object.entries(matrices)) {
    const m = toMatrix(X, name);
    if (frames >= 0 && m.rows !== frames) throw new Error(`compareActivationPercentages: '${name}' has ${m.rows} frames, the others ${frames}; compare on the same frames`);
    frames = m.rows;
    rows.push({ name, percent: activationPercentage(m, opts), features: opts.columns?.length ?? m.cols });
  }
  return rows;
}
