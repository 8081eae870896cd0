/**
 * Linear probe: how well a layer's representation predicts a label with a linear classifier ("which layer
 * knows the most"), as stratified k-fold accuracy of L2-regularised multinomial logistic regression fitted
 * on standardised features (see `logisticRegression.ts` for the objective and its sklearn equivalent).
 *
 * Folds: each class's members are shuffled (seeded) and dealt round-robin into the folds, so every fold
 * has the class proportions of the whole set up to one sample (stratified k-fold); or pass the fold of
 * every sample explicitly. The scaler and the model are fitted on the training part of each fold only.
 */
import { toMatrix, type MatrixLike } from '../matrix';
import { Random } from '../random';
import { encodeLabels, type LabelsLike } from './labels';
import { fitSoftmaxRegression, predictCodes, type LogisticRegressionOptions } from './logisticRegression';
import { at, atI32, atNum } from '../util/at';

/** Options of `linearProbe`: the logistic-regression options plus folds and `seed`. */
export interface LinearProbeOptions extends LogisticRegressionOptions {
  /** Number of stratified folds (default 5), or each sample's fold id `0..F-1` (`[n]`). */
  folds?: number | ArrayLike<number>;
  /** Seed of the fold assignment (default 0). */
  seed?: number;
  /** Receives warnings about the data, such as classes smaller than the folds (default console.warn); also in the result. */
  onWarning?: (message: string) => void;
}

/** Cross-validated accuracy of a linear probe (mean, std, per fold) with the majority-class baseline. */
export interface LinearProbeResult {
  /** Mean test accuracy over folds. */
  readonly accuracy: number;
  /** Population std of the fold accuracies (np.std, ddof 0). */
  readonly std: number;
  /** Test accuracy of each fold. */
  readonly foldAccuracies: readonly number[];
  /** Test samples in each fold. */
  readonly foldSizes: readonly number[];
  /** The fold id of every sample. */
  readonly foldOf: Int32Array;
  /** Share of the most frequent class: the accuracy of always guessing it. */
  readonly majorityBaseline: number;
  readonly classes: readonly (number | string)[];
  /** Whether every fold's optimiser met its tolerance. */
  readonly converged: boolean;
  /** Why the result rests on few items, if it does (each also sent to `onWarning`). */
  readonly warnings: readonly string[];
}

/** Stratified fold ids for class codes: per class, a seeded shuffle dealt round-robin over the folds. */
export function stratifiedFolds(codes: Int32Array, nClasses: number, folds: number, seed: number): Int32Array {
  const rng = new Random(seed);
  const out = new Int32Array(codes.length);
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  codes.forEach((c, i) => at(byClass, c).push(i));
  // Continue the deal where the previous class stopped, so fold sizes differ by at most one.
  let next = 0;
  for (const members of byClass) {
    const order = rng.permutation(members.length);
    for (let t = 0; t < members.length; t++) {
      out[atNum(members, atI32(order, t))] = next;
      next = (next + 1) % folds;
    }
  }
  return out;
}

/** Stratified k-fold accuracy of a multinomial logistic-regression probe on `X` `[n, d]` for `labels`. */
export async function linearProbe(X: MatrixLike, labels: LabelsLike, opts: LinearProbeOptions = {}): Promise<LinearProbeResult> {
  const m = toMatrix(X, 'X', { minRows: 2 });
  const n = m.rows;
  const enc = encodeLabels(labels, 'labels', n);
  const c = enc.classes.length;
  if (c < 2) throw new Error('labels: need at least two classes for a probe');
  const { folds = 5, seed = 0, onWarning = (m: string) => console.warn(m), ...fitOpts } = opts;
  let foldOf: Int32Array;
  let nFolds: number;
  if (typeof folds === 'number') {
    if (!Number.isInteger(folds) || folds < 2 || folds > n) throw new Error(`linearProbe: folds must be an integer in [2, ${n}], got ${folds}`);
    nFolds = folds;
    foldOf = stratifiedFolds(enc.codes, c, folds, seed);
  } else {
    if (folds.length !== n) throw new Error(`folds: has ${folds.length} fold ids but X has ${n} rows`);
    foldOf = Int32Array.from(folds);
    nFolds = 0;
    for (let i = 0; i < n; i++) {
      const f = atI32(foldOf, i);
      if (!Number.isInteger(folds[i]) || f < 0) throw new Error(`folds: fold id ${String(folds[i])} at ${i} is not a non-negative integer`);
      nFolds = Math.max(nFolds, f + 1);
    }
    if (nFolds < 2) throw new Error('folds: needs at least two distinct folds');
  }
  const warnings: string[] = [];
  let smallest = 0;
  for (let k = 1; k < c; k++) if (atI32(enc.counts, k) < atI32(enc.counts, smallest)) smallest = k;
  const fewest = atI32(enc.counts, smallest);
  // scikit-learn's StratifiedKFold warns the same way: such a class is missing from some test folds
  if (fewest < nFolds) {
    warnings.push(
      `linearProbe: class '${String(enc.classes[smallest])}' has only ${fewest} member${fewest === 1 ? '' : 's'}, fewer than the ${nFolds} folds, ` +
        `so some folds test none of it; the accuracy rests on ${n} items (${c} classes)`,
    );
  }
  for (const w of warnings) onWarning(w);
  const accs: number[] = [];
  const sizes: number[] = [];
  let converged = true;
  for (let f = 0; f < nFolds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? test : train).push(i);
    if (test.length === 0) throw new Error(`folds: fold ${f} has no samples`);
    const model = await fitSoftmaxRegression(m.data, m.cols, Int32Array.from(train), enc.codes, c, fitOpts);
    converged = converged && model.converged;
    const pred = predictCodes(model, m.data, m.cols, Int32Array.from(test));
    let hit = 0;
    test.forEach((i, r) => {
      if (pred[r] === enc.codes[i]) hit++;
    });
    accs.push(hit / test.length);
    sizes.push(test.length);
  }
  const mean = accs.reduce((s, a) => s + a, 0) / accs.length;
  const std = Math.sqrt(accs.reduce((s, a) => s + (a - mean) ** 2, 0) / accs.length);
  let maxCount = 0;
  for (let k = 0; k < c; k++) maxCount = Math.max(maxCount, atI32(enc.counts, k));
  return {
    accuracy: mean,
    std,
    foldAccuracies: accs,
    foldSizes: sizes,
    foldOf,
    majorityBaseline: maxCount / n,
    classes: enc.classes,
    converged,
    warnings,
  };
}
