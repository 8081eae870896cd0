/**
 * layerwise-analysis's cross-validated projection-weighted CCA (`codes/tools/tools_utils.py`, the
 * `get_cca_score` loop of its experiments), seeded: the rows are cut into 10 parts (stratified by label when
 * labels are given, each label's rows dealt round-robin after a shuffle; else a shuffled deal of all rows);
 * disjoint (dev, test) pairs of parts are tried in a shuffled order, each training on the other parts; per
 * pair the epsilon candidates are a shuffled 3 x 3 grid of (eps_x, eps_y) over {1e-10, 1e-11, 1e-9}, then a
 * shuffled 4 x 4 grid over {1e-8, 1e-7, 1e-6, 1e-5}; the first 6 candidates whose fit and dev score are defined
 * are scored (the original skips a candidate on LinAlgError), the best dev score picks epsilon, and that fit's
 * test score counts. After 3 successful pairs (of at most 5) the score is the mean of their test scores.
 *
 * The original draws its splits and shuffles from NumPy's global generator without a seed; here all of them
 * come from `seed`. Training covariances are sums of per-part moments (`ccaSplits.ts`), so the n x d products
 * run once per part.
 */
import { selectRows, toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { columnMeans } from './engine';
import { Random } from '../random';
import { addMoments, ccaMoments, CcaFitCache, fitCca, scoreCca, type CcaMoments, type FittedCca } from './ccaSplits';
import { encodeLabels, type LabelsLike } from './labels';
import { at, atI32 } from '../util/at';

/** Options of `crossValidatedPwcca`. */
export interface CrossValidatedPwccaOptions {
  /** Stratify the parts by these labels (one per row; default: unstratified). */
  readonly labels?: LabelsLike;
  /** Seed of the parts and every shuffle (default 0). */
  readonly seed?: number;
  /** Number of parts (default 10). */
  readonly folds?: number;
  /** Successful (dev, test) pairs to average (default 3). */
  readonly pairs?: number;
  /** Pairs to try at most (default 5, every disjoint pair of 10 parts). */
  readonly maxPairs?: number;
  /** Defined candidates scored on dev per pair (default 6). */
  readonly candidates?: number;
  /** Epsilon grids; each is crossed with itself into (eps_x, eps_y) pairs and shuffled (default the peer's two). */
  readonly grids?: readonly (readonly number[])[];
}

/** One (dev, test) pair: its parts, the chosen epsilons and the scores. */
export interface PwccaSplitScore {
  readonly dev: number;
  readonly test: number;
  readonly epsilon: readonly [number, number];
  readonly devScore: number;
  readonly testScore: number;
  /** Candidates scored on dev (the defined ones). */
  readonly tried: number;
}

/** The cross-validated score (null with a reason when no pair succeeded) and each successful pair. */
export interface CrossValidatedPwccaResult {
  readonly value: number | null;
  readonly reason?: string;
  readonly splits: readonly PwccaSplitScore[];
}

const PEER_GRIDS: readonly (readonly number[])[] = [
  [1e-10, 1e-11, 1e-9],
  [1e-8, 1e-7, 1e-6, 1e-5],
];

/** Row indices of each part: labels dealt round-robin (continuing across labels) after a per-label shuffle. */
export function stratifiedFolds(n: number, folds: number, rng: Random, labels?: LabelsLike): Int32Array[] {
  const groups: number[][] = [];
  if (labels === undefined) groups.push(Array.from(rng.permutation(n)));
  else {
    const enc = encodeLabels(labels, 'labels', n);
    const byClass: number[][] = enc.classes.map(() => []);
    for (let i = 0; i < n; i++) at(byClass, atI32(enc.codes, i)).push(i);
    for (const rows of byClass) groups.push(rng.shuffle(rows));
  }
  const parts: number[][] = Array.from({ length: folds }, () => []);
  let next = 0;
  for (const g of groups) {
    for (const r of g) {
      at(parts, next).push(r);
      next = (next + 1) % folds;
    }
  }
  return parts.map((p) => Int32Array.from(p.sort((a, b) => a - b)));
}

/** Cross-validated PWCCA of X [n, dx] and Y [n, dy] (rows = the same samples), as layerwise-analysis scores its CCA experiments. */
export async function crossValidatedPwcca(Xin: MatrixLike, Yin: MatrixLike, opts: CrossValidatedPwccaOptions = {}): Promise<CrossValidatedPwccaResult> {
  const X = toMatrix(Xin, 'X');
  const Y = toMatrix(Yin, 'Y');
  if (X.rows !== Y.rows) throw new Error(`crossValidatedPwcca: X has ${X.rows} rows but Y has ${Y.rows}`);
  const folds = opts.folds ?? 10;
  const wantPairs = opts.pairs ?? 3;
  const maxPairs = opts.maxPairs ?? Math.floor(folds / 2);
  const perPair = opts.candidates ?? 6;
  for (const [k, v, lo] of [['folds', folds, 3], ['pairs', wantPairs, 1], ['maxPairs', maxPairs, 1], ['candidates', perPair, 1]] as const) {
    if (!(Number.isInteger(v) && v >= lo)) throw new Error(`crossValidatedPwcca: ${k} must be an integer >= ${lo}, got ${v}`);
  }
  if (2 * maxPairs > folds) throw new Error(`crossValidatedPwcca: ${maxPairs} disjoint (dev, test) pairs need at least ${2 * maxPairs} folds, got ${folds}`);
  const grids = opts.grids ?? PEER_GRIDS;
  for (const g of grids) for (const e of g) if (!(e >= 0 && Number.isFinite(e))) throw new Error(`crossValidatedPwcca: epsilon candidates must be finite and >= 0, got ${e}`);
  if (X.rows < folds) throw new Error(`crossValidatedPwcca: ${X.rows} rows cannot be cut into ${folds} parts`);

  const rng = new Random(`${opts.seed ?? 0}:pwcca-cv`);
  const parts = stratifiedFolds(X.rows, folds, rng, opts.labels);
  // Every part's moments once, shifted by the overall means so the float64 sums do not cancel.
  const shiftX = columnMeans(X);
  const shiftY = columnMeans(Y);
  const moments: CcaMoments[] = [];
  for (const p of parts) moments.push(await ccaMoments(X, Y, p, shiftX, shiftY));
  const order = Array.from(rng.permutation(folds));
  const splits: PwccaSplitScore[] = [];
  const reasons = new Set<string>();
  for (let q = 0; q < maxPairs && splits.length < wantPairs; q++) {
    const dev = at(order, 2 * q);
    const test = at(order, 2 * q + 1);
    const train = addMoments(moments.filter((_, i) => i !== dev && i !== test));
    const devX = selectRows(X, at(parts, dev));
    const devY = selectRows(Y, at(parts, dev));
    const candidates = grids.flatMap((g) => rng.shuffle(g.flatMap((ex) => g.map((ey) => [ex, ey] as const))));
    const cache = new CcaFitCache();
    let best: { eps: readonly [number, number]; fit: FittedCca; dev: number } | null = null;
    let tried = 0;
    for (const eps of candidates) {
      if (tried >= perPair) break;
      const fit = await fitCca(train, eps[0], eps[1], cache);
      if (typeof fit === 'string') {
        reasons.add(fit);
        continue;
      }
      const s = await scoreCca(fit, devX, devY);
      if (typeof s === 'string') {
        reasons.add(s);
        continue;
      }
      tried++;
      if (best === null || s > best.dev) best = { eps, fit, dev: s };
    }
    if (best === null) continue;
    const t = await scoreCca(best.fit, selectRows(X, at(parts, test)), selectRows(Y, at(parts, test)));
    if (typeof t === 'string') {
      reasons.add(t);
      continue;
    }
    splits.push({ dev, test, epsilon: best.eps, devScore: best.dev, testScore: t, tried });
  }
  if (splits.length < wantPairs) {
    return { value: null, reason: `only ${splits.length} of ${wantPairs} (dev, test) pairs gave a score: ${[...reasons].slice(0, 3).join('; ') || 'no candidate'}`, splits };
  }
  const mean = splits.reduce((a, s) => a + s.testScore, 0) / splits.length;
  return { value: mean, splits };
}

/** One-hot rows `[n, labels.length]` of `values` over `labels` (rows whose value is not listed are all zero). */
export function oneHot(values: readonly (string | number | undefined)[], labels: readonly (string | number)[]): Matrix<Float32Array> {
  const index = new Map(labels.map((l, i) => [l, i] as const));
  const out = new Float32Array(values.length * labels.length);
  values.forEach((v, i) => {
    const c = v === undefined ? undefined : index.get(v);
    if (c !== undefined) out[i * labels.length + c] = 1;
  });
  return { rows: values.length, cols: labels.length, data: out };
}
