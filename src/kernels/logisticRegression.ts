/**
 * L2-regularised multinomial logistic regression on standardised features, the model of `linearProbe`.
 * It minimises
 *   mean_i CE(softmax(W^T x_i + b), y_i) + (l2 / 2) ||W||_F^2      (b not penalised)
 * with L-BFGS (10 corrections, backtracking Armijo line search), the loss and gradient evaluated by one ONNX
 * graph per step (float64). This is scikit-learn's `LogisticRegression(multi_class='multinomial',
 * solver='lbfgs', C=1 / (n l2))` objective, so a converged fit has the same coefficients; features are
 * standardised like `StandardScaler` (ddof 0, constant features left unscaled). Always softmax, also for
 * two classes.
 */
import { toMatrix, type MatrixLike } from '../matrix';
import { at, atF64, atI32, atNum, atFloat } from '../util/at';
import { readJSONFile, writeJSONFile } from '../util/jsonFile';
import { FittedJSONReader, float64ToRows, rowsToFloat64, type FittedModel } from './FittedModel';
import { encodeLabels, type LabelsLike } from './labels';
import { softmaxRegressionLoss } from './engine/softmaxRegressionLoss';

/** Options of `fitLogisticRegression` (and of each fold of `linearProbe`). */
export interface LogisticRegressionOptions {
  /** L2 strength on the weights, in mean-loss units (default 1e-4; sklearn's C = 1 / (n l2)). */
  l2?: number;
  /** Most L-BFGS iterations (default 500). */
  maxIter?: number;
  /** Stop when the largest gradient entry is below this (default 1e-6). */
  tol?: number;
  /** Standardise features with the training mean and std (default true). */
  standardize?: boolean;
}

/** The fitted parameters; weights act on standardised features. */
export interface SoftmaxParameters {
  /** `[d, c]` row-major. */
  readonly weights: Float64Array;
  /** `[c]`. */
  readonly bias: Float64Array;
  /** Feature means and scales used for standardisation (`[d]`; 0 and 1 when not standardising). */
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** Final objective value (regularised mean cross-entropy), iterations, and whether `tol` was met. */
  readonly loss: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Column means and std (ddof 0; 1 for constant columns) of `data` `[n, d]`. */
export function standardScaler(data: Float32Array | Float64Array, n: number, d: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += atFloat(data, i * d + j);
  for (let j = 0; j < d; j++) mean[j] /= n;
  const ss = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const a = atFloat(data, i * d + j) - atF64(mean, j);
      ss[j] += a * a;
    }
  }
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(atF64(ss, j) / n);
    // sklearn's _handle_zeros_in_scale: near-constant columns keep scale 1.
    scale[j] = s < 10 * Number.EPSILON * Math.max(1, Math.abs(atF64(mean, j))) ? 1 : s;
  }
  return { mean, scale };
}

/**
 * Fit on rows `rowsIdx` of `data` `[n, d]` with class codes `codes` in `[0, c)`. Lower-level entry used by
 * `linearProbe` (one call per fold) and `fitLogisticRegression`.
 */
export async function fitSoftmaxRegression(
  data: Float32Array | Float64Array,
  d: number,
  rowsIdx: Int32Array,
  codes: Int32Array,
  c: number,
  opts: LogisticRegressionOptions = {},
): Promise<SoftmaxParameters> {
  const { l2 = 1e-4, maxIter = 500, tol = 1e-6, standardize = true } = opts;
  if (!(l2 >= 0)) throw new Error(`logistic regression: l2 must be >= 0, got ${l2}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new Error(`logistic regression: maxIter must be a positive integer, got ${maxIter}`);
  if (!(tol > 0)) throw new Error(`logistic regression: tol must be > 0, got ${tol}`);
  const n = rowsIdx.length;
  const raw = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = atI32(rowsIdx, r);
    for (let j = 0; j < d; j++) raw[r * d + j] = atFloat(data, i * d + j);
    y[r] = atI32(codes, i);
  }
  const { mean, scale } = standardize ? standardScaler(raw, n, d) : { mean: new Float64Array(d), scale: new Float64Array(d).fill(1) };
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) raw[r * d + j] = (atF64(raw, r * d + j) - atF64(mean, j)) / atF64(scale, j);
  const problem = await softmaxRegressionLoss(raw, n, d, y, c);
  const nw = d * c;
  const dim = nw + c;
  const f = async (theta: Float64Array): Promise<{ value: number; grad: Float64Array }> => {
    const W = theta.subarray(0, nw);
    const b = theta.subarray(nw);
    const { loss, gW, gb } = await problem.evaluate(Float64Array.from(W), Float64Array.from(b));
    const grad = new Float64Array(dim);
    let reg = 0;
    for (let t = 0; t < nw; t++) {
      const w = atF64(W, t);
      reg += w * w;
      grad[t] = atF64(gW, t) + l2 * w;
    }
    grad.set(gb, nw);
    return { value: loss + 0.5 * l2 * reg, grad };
  };
  const res = await lbfgs(f, new Float64Array(dim), maxIter, tol);
  return {
    weights: res.x.slice(0, nw),
    bias: res.x.slice(nw),
    mean,
    scale,
    loss: res.value,
    iterations: res.iterations,
    converged: res.converged,
  };
}

interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += atF64(a, i) * atF64(b, i);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(atF64(a, i)));
  return m;
}

/** Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search. */
async function lbfgs(f: (x: Float64Array) => Promise<{ value: number; grad: Float64Array }>, x0: Float64Array, maxIter: number, tol: number): Promise<LbfgsResult> {
  const memory = 10;
  const dim = x0.length;
  let x = x0;
  let { value, grad } = await f(x);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let it = 0;
  let converged = maxAbs(grad) <= tol;
  while (!converged && it < maxIter) {
    // Two-loop recursion for the search direction -H g.
    const q = Float64Array.from(grad);
    const alpha: number[] = new Array<number>(S.length).fill(0);
    for (let k = S.length - 1; k >= 0; k--) {
      const a = atNum(rho, k) * dot(at(S, k), q);
      alpha[k] = a;
      const yk = at(Y, k);
      for (let i = 0; i < dim; i++) q[i] -= a * atF64(yk, i);
    }
    let gamma: number;
    if (S.length > 0) {
      const sl = at(S, S.length - 1);
      const yl = at(Y, Y.length - 1);
      gamma = dot(sl, yl) / dot(yl, yl);
    } else gamma = 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
    for (let i = 0; i < dim; i++) q[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const yk = at(Y, k);
      const sk = at(S, k);
      const beta = atNum(rho, k) * dot(yk, q);
      const a = atNum(alpha, k);
      for (let i = 0; i < dim; i++) q[i] += (a - beta) * atF64(sk, i);
    }
    const dir = q.map((v) => -v);
    let slope = dot(grad, dir);
    if (!(slope < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < dim; i++) dir[i] = -atF64(grad, i);
      slope = dot(grad, dir);
    }
    let step = 1;
    let next: { value: number; grad: Float64Array } | null = null;
    let xn = x;
    for (let ls = 0; ls < 40; ls++) {
      xn = new Float64Array(dim);
      for (let i = 0; i < dim; i++) xn[i] = atF64(x, i) + step * atF64(dir, i);
      const cand = await f(xn);
      if (cand.value <= value + 1e-4 * step * slope) {
        next = cand;
        break;
      }
      step *= 0.5;
    }
    it++;
    if (next === null) break;
    const s = new Float64Array(dim);
    const yv = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      s[i] = atF64(xn, i) - atF64(x, i);
      yv[i] = atF64(next.grad, i) - atF64(grad, i);
    }
    const sy = dot(s, yv);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(yv, yv))) {
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
      if (S.length > memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const improvement = value - next.value;
    x = xn;
    value = next.value;
    grad = next.grad;
    converged = maxAbs(grad) <= tol;
    if (!converged && improvement <= 1e-16 * Math.max(1, Math.abs(value))) break;
  }
  return { x, value, iterations: it, converged };
}

/** A fitted model as plain JSON. */
export interface LogisticRegressionModelJSON {
  readonly type: 'layerwise.LogisticRegression';
  readonly version: 1;
  readonly classes: (number | string)[];
  /** `[d][c]`. */
  readonly weights: number[][];
  readonly bias: number[];
  readonly mean: number[];
  readonly scale: number[];
  readonly loss: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** A fitted multinomial logistic regression (see `FittedModel`): `predict` gives the class of new rows. */
export class LogisticRegressionModel implements SoftmaxParameters, FittedModel<LogisticRegressionModelJSON> {
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  readonly loss: number;
  readonly iterations: number;
  readonly converged: boolean;

  constructor(
    /** The class labels, in the order of the weight columns. */
    readonly classes: readonly (number | string)[],
    params: SoftmaxParameters,
  ) {
    const d = params.mean.length;
    const c = classes.length;
    if (params.bias.length !== c || params.weights.length !== d * c || params.scale.length !== d) {
      throw new Error(`LogisticRegressionModel: parameters do not fit ${d} features and ${c} classes`);
    }
    ({ weights: this.weights, bias: this.bias, mean: this.mean, scale: this.scale, loss: this.loss, iterations: this.iterations, converged: this.converged } = params);
  }

  /** Number of features the model was fitted on. */
  get nFeatures(): number {
    return this.mean.length;
  }

  /** The predicted class of every row of `X` `[n, nFeatures]` (the largest score; the first class on ties). */
  predict(X: MatrixLike): (number | string)[] {
    const m = toMatrix(X, 'X');
    if (m.cols !== this.nFeatures) throw new Error(`X: has ${m.cols} columns but the model was fitted on ${this.nFeatures} features`);
    const codes = predictCodes(this, m.data, m.cols, Int32Array.from({ length: m.rows }, (_, i) => i));
    return Array.from(codes, (k) => at(this.classes, k));
  }

  toJSON(): LogisticRegressionModelJSON {
    const d = this.nFeatures;
    const c = this.classes.length;
    return {
      type: 'layerwise.LogisticRegression',
      version: 1,
      classes: [...this.classes],
      weights: float64ToRows(this.weights, d, c),
      bias: Array.from(this.bias),
      mean: Array.from(this.mean),
      scale: Array.from(this.scale),
      loss: this.loss,
      iterations: this.iterations,
      converged: this.converged,
    };
  }

  /** Rebuild a model from `toJSON()` output; `source` names it in errors. */
  static fromJSON(json: unknown, source = 'logistic regression model'): LogisticRegressionModel {
    const j = new FittedJSONReader(json, 'LogisticRegression', 1, source);
    const classes = j.raw('classes');
    if (!Array.isArray(classes) || classes.length < 2 || !classes.every((x) => typeof x === 'string' || typeof x === 'number')) {
      throw j.error('classes must list at least two numbers or strings');
    }
    const labels: (number | string)[] = classes.filter((x): x is number | string => typeof x === 'string' || typeof x === 'number');
    const mean = j.numbers('mean');
    const weights = j.rows('weights', labels.length);
    if (weights.length !== mean.length) throw j.error(`weights has ${weights.length} rows for ${mean.length} features`);
    return new LogisticRegressionModel(labels, {
      weights: rowsToFloat64(weights, labels.length),
      bias: Float64Array.from(j.numbers('bias')),
      mean: Float64Array.from(mean),
      scale: Float64Array.from(j.numbers('scale')),
      loss: j.number('loss'),
      iterations: j.number('iterations'),
      converged: j.boolean('converged'),
    });
  }

  /** Write the model to `path` as JSON, atomically. */
  save(path: string): void {
    writeJSONFile(path, this.toJSON());
  }

  /** Read a model written by `save`. */
  static load(path: string): LogisticRegressionModel {
    return LogisticRegressionModel.fromJSON(readJSONFile(path, 'logistic regression model'), path);
  }
}

/** Fit multinomial logistic regression on all rows of `X` `[n, d]` with `labels` (one per row). */
export async function fitLogisticRegression(X: MatrixLike, labels: LabelsLike, opts: LogisticRegressionOptions = {}): Promise<LogisticRegressionModel> {
  const m = toMatrix(X, 'X');
  const enc = encodeLabels(labels, 'labels', m.rows);
  if (enc.classes.length < 2) throw new Error('labels: need at least two classes to fit a classifier');
  const all = new Int32Array(m.rows).map((_, i) => i);
  const fit = await fitSoftmaxRegression(m.data, m.cols, all, enc.codes, enc.classes.length, opts);
  return new LogisticRegressionModel(enc.classes, fit);
}

/** Class codes (index into `model.classes`) predicted for rows `rowsIdx` of `data` `[n, d]`. */
export function predictCodes(model: SoftmaxParameters, data: Float32Array | Float64Array, d: number, rowsIdx: Int32Array): Int32Array {
  const c = model.bias.length;
  const out = new Int32Array(rowsIdx.length);
  const z = new Float64Array(c);
  for (let r = 0; r < rowsIdx.length; r++) {
    const i = atI32(rowsIdx, r);
    z.set(model.bias);
    for (let j = 0; j < d; j++) {
      const v = (atFloat(data, i * d + j) - atF64(model.mean, j)) / atF64(model.scale, j);
      if (v === 0) continue;
      for (let k = 0; k < c; k++) z[k] += v * atF64(model.weights, j * c + k);
    }
    let best = 0;
    for (let k = 1; k < c; k++) if (atF64(z, k) > atF64(z, best)) best = k;
    out[r] = best;
  }
  return out;
}
