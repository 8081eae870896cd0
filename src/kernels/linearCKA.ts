/**
 * Linear centred kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019, "Similarity of neural network
 * representations revisited"), following their reference notebook:
 *
 *   CKA(X, Y) = ||Xc^T Yc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F),  Xc, Yc column-centred.
 *
 * `debiased` uses the unbiased HSIC estimator (Song et al. 2012) in place of the biased one, via
 * Kornblith's feature-space identity (or U-centred Grams in Gram space); it needs n >= 4 and can be
 * negative. The products run in feature space (d x d) or, when there are fewer samples than features
 * together, in Gram space (n x n, at most 20,000 samples), whichever is cheaper.
 */
import { assertFinite, isRowBlocks, type Matrix, type MatrixLike, type RowBlocks } from '../matrix';
import { blockMoments } from './engine/blockMoments';
import { centerColumnsChecked, crossProduct, gram, resolvePrecision, rowSquaredNorms, type Precision } from './engine';
import { centerGram, centeredInner, linearKernel, MAX_GRAM_ROWS, type CenteredGram } from './centeredGram';
import { checkPair, comparePair, definedValue, type PairwiseMetric, type Undefined } from './pairwiseMetric';
import { atF64 } from '../util/at';

/** Options of `linearCKA`. */
export interface LinearCKAOptions {
  /** Unbiased HSIC (Song et al. 2012) instead of the biased estimator (default false). */
  debiased?: boolean;
  /** Working precision of the products (default: float32 when both inputs are float32, else float64). */
  precision?: Precision;
}

interface Prepared {
  readonly name: string;
  readonly n: number;
  readonly d: number;
  readonly centered: Matrix;
  readonly rowSq: Float64Array;
  readonly sqNorm: number;
  /** ||Xc^T Xc||_F^2, or its debiased counterpart (computed on first use in feature space). */
  selfHsic: number | null;
  gram: CenteredGram | null;
}

/** ||M||_F^2 (products are float64). */
function frobenius2(m: Matrix<Float64Array>): number {
  return sumOfSquares(m.data);
}

function debiasedHsic(xty: number, a: Prepared, b: Prepared): number {
  // Kornblith's _debiased_dot_product_similarity_helper.
  const n = a.n;
  let rr = 0;
  for (let i = 0; i < n; i++) rr += atF64(a.rowSq, i) * atF64(b.rowSq, i);
  return xty - (n / (n - 2)) * rr + (a.sqNorm * b.sqNorm) / ((n - 1) * (n - 2));
}

/** The metric behind `linearCKA`, for `layerMatrix`. */
export function linearCKAMetric(opts: LinearCKAOptions = {}): PairwiseMetric<Prepared> {
  const debiased = opts.debiased ?? false;
  const useFeatureSpace = (a: Prepared, b: Prepared) => a.n >= a.d + b.d || a.n > MAX_GRAM_ROWS;
  const gramOf = async (p: Prepared): Promise<CenteredGram> => {
    if (p.gram === null) p.gram = centerGram(await linearKernel(p.centered, precisionOf(p), 'linearCKA'), debiased);
    return p.gram;
  };
  const selfOf = async (p: Prepared): Promise<number> => {
    if (p.selfHsic === null) {
      const self = frobenius2(await gram(p.centered, { precision: precisionOf(p) }));
      p.selfHsic = debiased ? debiasedHsic(self, p, p) : self;
    }
    return p.selfHsic;
  };
  const ratio = (num: number, sa: number, sb: number, a: Prepared, b: Prepared): number | Undefined => {
    if (!(sa > 0 && sb > 0)) {
      const which = sa > 0 ? b.name : a.name;
      return { value: null, reason: `the debiased HSIC of ${which} with itself is not positive, so CKA is undefined` };
    }
    return num / Math.sqrt(sa * sb);
  };
  return {
    name: debiased ? 'linearCKA (debiased)' : 'linearCKA',
    symmetric: true,
    checksFinite: true,
    async prepare(X, name) {
      if (debiased && X.rows < 4) throw new Error(`linearCKA: ${name} has ${X.rows} rows; the debiased estimator needs at least 4`);
      const precision = resolvePrecision(opts.precision, X);
      const { centered, sumOfSquares: centredSquares, finiteSums } = centerColumnsChecked(X, precision);
      // `checksFinite`: the column sums tell whether a scan for the offending value is needed
      if (!finiteSums) {
        assertFinite(X, name);
        throw new Error(`linearCKA: ${name}'s column sums overflow float64; rescale the values first`);
      }
      // the per-row norms serve only the debiased estimator; the total sum of squares checks for variance
      const rowSq = debiased ? rowSquaredNorms(centered) : new Float64Array(0);
      let sqNorm = 0;
      if (debiased) for (let i = 0; i < rowSq.length; i++) sqNorm += atF64(rowSq, i);
      else sqNorm = centredSquares;
      if (!(sqNorm > 0)) throw new Error(`linearCKA: ${name} has no variance (all rows are equal), so CKA is undefined`);
      return { name, n: X.rows, d: X.cols, centered, rowSq, sqNorm, selfHsic: null, gram: null };
    },
    async compare(a, b) {
      if (a.n !== b.n) throw new Error(`linearCKA: ${a.name} has ${a.n} rows but ${b.name} has ${b.n}`);
      if (useFeatureSpace(a, b)) {
        // A layer against itself (the diagonal of a layer matrix): the cross product is the self Gram that
        // normalises every other entry of this layer, so reuse it instead of a second product.
        if (a === b) {
          const self = await selfOf(a);
          return ratio(self, self, self, a, b);
        }
        const precision = precisionOf(a) === 'float32' && precisionOf(b) === 'float32' ? 'float32' : 'float64';
        const xty = frobenius2(await crossProduct(a.centered, b.centered, { precision }));
        const num = debiased ? debiasedHsic(xty, a, b) : xty;
        return ratio(num, await selfOf(a), await selfOf(b), a, b);
      }
      const ga = await gramOf(a);
      const gb = await gramOf(b);
      return ratio(centeredInner(ga, gb), ga.selfInner, gb.selfInner, a, b);
    },
  };
}

function precisionOf(p: Prepared): Precision {
  return p.centered.data instanceof Float32Array ? 'float32' : 'float64';
}

/**
 * Linear CKA between `X` [n, dx] and `Y` [n, dy] (rows = the same samples). Values lie in [0, 1] (the
 * debiased estimator can fall slightly below 0); invariant to orthogonal transforms and isotropic scaling.
 * Layers larger than memory go in as row blocks (`store.rowBlocks('hidden.6')`): one pass, a block at a time.
 */
export async function linearCKA(X: MatrixLike | RowBlocks, Y: MatrixLike | RowBlocks, opts: LinearCKAOptions = {}): Promise<number> {
  if (isRowBlocks(X) || isRowBlocks(Y)) {
    // layers larger than memory: one pass over row blocks (`FeatureStore.rowBlocks`), float32 products
    if (!isRowBlocks(X) || !isRowBlocks(Y)) throw new Error('linearCKA: give both X and Y as row blocks (store.rowBlocks(layer)), or both as matrices');
    if (opts.debiased === true) throw new Error('linearCKA: debiased CKA needs every row at once; it is not available on row blocks');
    if (opts.precision === 'float64') throw new Error("linearCKA: row blocks are float32 (precision 'float64' needs matrices)");
    const m = await blockMoments(X, Y, 'linearCKA');
    const sxx = frobenius2(m.xx);
    const syy = frobenius2(m.yy);
    if (!(sxx > 0 && syy > 0)) throw new Error(`linearCKA: ${sxx > 0 ? Y.name : X.name} is constant over its rows, so CKA is undefined`);
    return frobenius2(m.xy) / Math.sqrt(sxx * syy);
  }
  const [x, y] = checkPair(X, Y, 'linearCKA');
  return definedValue(await comparePair(linearCKAMetric(opts), x, y), 'linearCKA');
}

/** The sum of squares of all entries, in float64 (one loop per element type, as `addInto` in engine/products.ts explains). */
function sumOfSquares(d: Float32Array | Float64Array): number {
  let s = 0;
  if (d instanceof Float32Array) {
    for (let t = 0; t < d.length; t++) {
      const v = d[t] ?? 0;
      s += v * v;
    }
  } else {
    for (let t = 0; t < d.length; t++) {
      const v = d[t] ?? 0;
      s += v * v;
    }
  }
  return s;
}
