/**
 * Principal component analysis (seed 001's "PCA with explained variance"), fitted through the engine: the
 * d x d covariance (or, when there are fewer samples than features, the n x n Gram matrix of the samples)
 * is one blocked ORT product and a float64 symmetric eigendecomposition, which for 100k x 768 frames takes
 * seconds where an SVD of the data matrix (ml-pca's default) takes minutes; ml-pca is therefore not used.
 *
 * Conventions, as scikit-learn's `PCA`:
 * - explained variance = eigenvalue / (n - 1); ratio = explained variance / total variance (the sum of all
 *   per-feature variances, ddof 1);
 * - signs: each component's entry of largest magnitude is positive (the lowest such index on ties), which
 *   is sklearn's `svd_flip(..., u_based_decision=False)` used since scikit-learn 1.5, independent of samples;
 * - `center: false` decomposes X^T X / (n - 1) without removing the mean (the ratio then shares out the
 *   second moment instead of the variance).
 * Components of zero variance (rank-deficient data) are completed to an orthonormal set deterministically.
 * A fitted model saves to and loads from a plain JSON file.
 */
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { readJSONFile, writeJSONFile } from '../util/jsonFile';
import { columnMeans } from './engine/columns';
import { allocate, resolvePrecision, type Precision } from './engine/precision';
import { crossProduct, gram, rowProducts } from './engine/products';
import { FittedJSONReader, float64ToRows, rowsToFloat64, type FittedModel } from './FittedModel';
import { largestEntrySign } from './largestEntrySign';
import { symmetricEigen } from './engine/symmetricEigen';
import { atF64, atFloat } from '../util/at';

/** Options of `pca` / `fitPCA`: number of components, centring, working precision (PCA takes no seed: it is deterministic). */
export interface PCAOptions {
  /** Components to keep, 1 <= nComponents <= min(rows, cols) (default min(rows, cols)). */
  nComponents?: number;
  /** Subtract the column means first (default true). */
  center?: boolean;
  /** Working precision of the products (default float32 for Float32Array input, else float64). */
  precision?: Precision;
}

/** A fitted PCA as plain JSON. */
export interface PCAModelJSON {
  readonly type: 'layerwise.PCA';
  readonly version: 1;
  readonly nSamples: number;
  readonly nFeatures: number;
  readonly center: boolean;
  readonly mean: number[];
  /** `[nComponents][nFeatures]`, unit rows. */
  readonly components: number[][];
  readonly explainedVariance: number[];
  readonly explainedVarianceRatio: number[];
  readonly totalVariance: number;
}

/** A fitted PCA with the training rows projected. */
export interface PCAResult {
  readonly model: PCAModel;
  /** `[nComponents, d]`, unit rows, largest-magnitude entry positive. */
  readonly components: Matrix<Float64Array>;
  readonly explainedVariance: Float64Array;
  readonly explainedVarianceRatio: Float64Array;
  /** The training rows in component space `[n, nComponents]`. */
  readonly projection: Matrix<Float64Array>;
}

/** A fitted PCA: `transform` projects new rows; `save`/`load` use a plain JSON file. */
/** A fitted PCA (see `FittedModel`): `transform` projects new rows onto the components. */
export class PCAModel implements FittedModel<PCAModelJSON> {
  constructor(
    readonly components: Matrix<Float64Array>,
    readonly mean: Float64Array,
    readonly explainedVariance: Float64Array,
    readonly explainedVarianceRatio: Float64Array,
    readonly totalVariance: number,
    readonly nSamples: number,
    readonly center: boolean,
  ) {}

  get nComponents(): number {
    return this.components.rows;
  }

  get nFeatures(): number {
    return this.components.cols;
  }

  /** Rows of `X` `[n, nFeatures]` in component space `[n, nComponents]`. */
  async transform(X: MatrixLike, opts: { precision?: Precision } = {}): Promise<Matrix<Float64Array>> {
    const m = toMatrix(X, 'X');
    if (m.cols !== this.nFeatures) throw new Error(`X: has ${m.cols} columns but the PCA was fitted on ${this.nFeatures} features`);
    const precision = resolvePrecision(opts.precision, m);
    const xc = subtractMean(m, this.mean, precision);
    return project(xc, this.components, precision);
  }

  toJSON(): PCAModelJSON {
    const { rows: p, cols: d, data } = this.components;
    return {
      type: 'layerwise.PCA',
      version: 1,
      nSamples: this.nSamples,
      nFeatures: d,
      center: this.center,
      mean: Array.from(this.mean),
      components: float64ToRows(data, p, d),
      explainedVariance: Array.from(this.explainedVariance),
      explainedVarianceRatio: Array.from(this.explainedVarianceRatio),
      totalVariance: this.totalVariance,
    };
  }

  /** Rebuild a model from `toJSON()` output; `source` names it in errors. */
  static fromJSON(json: unknown, source = 'PCA model'): PCAModel {
    const j = new FittedJSONReader(json, 'PCA', 1, source);
    const mean = j.numbers('mean');
    const d = mean.length;
    const comps = j.rows('components', d);
    const ev = j.numbers('explainedVariance');
    const evr = j.numbers('explainedVarianceRatio');
    if (ev.length !== comps.length || evr.length !== comps.length) throw j.error('variance lists do not match the components');
    return new PCAModel(
      { rows: comps.length, cols: d, data: rowsToFloat64(comps, d) },
      Float64Array.from(mean),
      Float64Array.from(ev),
      Float64Array.from(evr),
      j.number('totalVariance'),
      j.number('nSamples'),
      j.boolean('center'),
    );
  }

  /** Write the model to `path` as JSON, atomically. */
  save(path: string): void {
    writeJSONFile(path, this.toJSON());
  }

  /** Read a model written by `save`. */
  static load(path: string): PCAModel {
    return PCAModel.fromJSON(readJSONFile(path, 'PCA model'), path);
  }
}

function subtractMean(m: Matrix, mean: Float64Array, precision: Precision): Matrix {
  const { rows, cols, data } = m;
  const out = allocate(precision, rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[o + j] = atFloat(data, o + j) - atF64(mean, j);
  }
  return { rows, cols, data: out };
}

async function project(xc: Matrix, components: Matrix<Float64Array>, precision: Precision): Promise<Matrix<Float64Array>> {
  const comps: Matrix = precision === 'float32' ? { rows: components.rows, cols: components.cols, data: Float32Array.from(components.data) } : components;
  const p = await rowProducts(xc, comps, { precision });
  return { rows: p.rows, cols: p.cols, data: p.data instanceof Float64Array ? p.data : Float64Array.from(p.data) };
}

/** Make each row's largest-magnitude entry positive (lowest index on ties). */
function flipSigns(v: Float64Array, p: number, d: number): void {
  for (let i = 0; i < p; i++) {
    if (largestEntrySign(v, i * d, d, 1) < 0) for (let j = 0; j < d; j++) v[i * d + j] *= -1;
  }
}

/** Replace rows `from..p-1` by unit vectors orthogonal to all earlier rows (Gram-Schmidt on e_0, e_1, ...). */
function completeBasis(v: Float64Array, from: number, p: number, d: number): void {
  let e = 0;
  for (let i = from; i < p; i++) {
    for (; e < d; e++) {
      const w = new Float64Array(d);
      w[e] = 1;
      for (let r = 0; r < i; r++) {
        const dot = atF64(v, r * d + e);
        for (let j = 0; j < d; j++) w[j] -= dot * atF64(v, r * d + j);
      }
      let nrm = 0;
      for (let j = 0; j < d; j++) nrm += atF64(w, j) ** 2;
      nrm = Math.sqrt(nrm);
      if (nrm > 0.5) {
        for (let j = 0; j < d; j++) v[i * d + j] = atF64(w, j) / nrm;
        e++;
        break;
      }
    }
  }
}

/** Fit a PCA on the rows of `X` `[n, d]` (n >= 2). */
export async function fitPCA(X: MatrixLike, opts: PCAOptions = {}): Promise<PCAModel> {
  return (await fit(toMatrix(X, 'X', { minRows: 2 }), opts)).model;
}

async function fit(m: Matrix, opts: PCAOptions): Promise<{ model: PCAModel; xc: Matrix; precision: Precision }> {
  const { rows: n, cols: d } = m;
  const { center = true } = opts;
  const maxP = Math.min(n, d);
  const p = opts.nComponents ?? maxP;
  if (!Number.isInteger(p) || p < 1 || p > maxP) throw new Error(`pca: nComponents must be an integer in [1, ${maxP}] (min(rows, cols)), got ${p}`);
  const precision = resolvePrecision(opts.precision, m);
  const mean = center ? columnMeans(m) : new Float64Array(d);
  const xc = subtractMean(m, mean, precision);
  let total = 0;
  for (let t = 0; t < xc.data.length; t++) total += atFloat(xc.data, t) ** 2;
  total /= n - 1;
  const comps = new Float64Array(p * d);
  const ev = new Float64Array(p);
  // First component whose eigenvalue is rounding noise (Gram route only, where Xc^T u / sqrt(lambda) breaks down).
  let degenerateFrom = p;
  if (d <= n) {
    const C = await gram(xc, { precision });
    // The eigenvectors are orthonormal even for zero eigenvalues, so no completion is needed here.
    const eig = symmetricEigen(C.data, d);
    for (let i = 0; i < p; i++) {
      ev[i] = Math.max(atF64(eig.values, i), 0) / (n - 1);
      comps.set(eig.vectors.subarray(i * d, (i + 1) * d), i * d);
    }
  } else {
    // Fewer samples than features: eigenvectors u of the n x n Gram Xc Xc^T give components Xc^T u / sqrt(lambda).
    const G = await rowProducts(xc, xc, { precision: 'float64' });
    const eig = symmetricEigen(G.data, n);
    const floor = Math.max(atF64(eig.values, 0), 0) * n * 1e-14;
    const U = new Float64Array(n * p);
    for (let i = 0; i < p; i++) for (let r = 0; r < n; r++) U[r * p + i] = atF64(eig.vectors, i * n + r);
    const V = await crossProduct(xc, { rows: n, cols: p, data: U }, { precision: 'float64' });
    for (let i = 0; i < p; i++) {
      const lam = atF64(eig.values, i);
      ev[i] = Math.max(lam, 0) / (n - 1);
      if (lam <= floor) {
        if (degenerateFrom === p) degenerateFrom = i;
        continue;
      }
      let nrm = 0;
      for (let j = 0; j < d; j++) nrm += atF64(V.data, j * p + i) ** 2;
      nrm = Math.sqrt(nrm);
      for (let j = 0; j < d; j++) comps[i * d + j] = atF64(V.data, j * p + i) / nrm;
    }
  }
  if (degenerateFrom < p) {
    for (let i = degenerateFrom; i < p; i++) ev[i] = 0;
    completeBasis(comps, degenerateFrom, p, d);
  }
  flipSigns(comps, p, d);
  const ratio = new Float64Array(p);
  for (let i = 0; i < p; i++) ratio[i] = total > 0 ? atF64(ev, i) / total : 0;
  const model = new PCAModel({ rows: p, cols: d, data: comps }, mean, ev, ratio, total, n, center);
  return { model, xc, precision };
}

/** Fit a PCA on `X` `[n, d]` and project it: components, explained variance (and ratio), projection. */
export async function pca(X: MatrixLike, opts: PCAOptions = {}): Promise<PCAResult> {
  const m = toMatrix(X, 'X', { minRows: 2 });
  const { model, xc, precision } = await fit(m, opts);
  const projection = await project(xc, model.components, precision);
  return {
    model,
    components: model.components,
    explainedVariance: model.explainedVariance,
    explainedVarianceRatio: model.explainedVarianceRatio,
    projection,
  };
}
