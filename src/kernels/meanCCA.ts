/**
 * Mean canonical correlation: the mean of all min(dx, dy) canonical correlations of google/svcca
 * `cca_core` (`np.mean(result["cca_coef1"])`, as the SVCCA tutorials report it), with the covariance,
 * rescaling, pruning and ridge of `ccaCore`. Undefined (null with a reason) when a view has at least as
 * many features as samples.
 */
import { isRowBlocks, type MatrixLike, type RowBlocks } from '../matrix';
import { ccaFromScatter, ccaPair, checkEpsilon, prepareView, type CcaResult, type CcaView } from './ccaCore';
import { blockMoments } from './engine/blockMoments';

export type { CcaResult } from './ccaCore';
import { checkPair, type PairwiseMetric, type Undefined } from './pairwiseMetric';
import { atF64 } from '../util/at';

/** Options of `meanCCA`. */
export interface MeanCCAOptions {
  /** Pruning threshold and ridge on the rescaled covariances (default 1e-6). */
  epsilon?: number;
}

type Prepared = CcaView | Undefined;

function isView(p: Prepared): p is CcaView {
  return !('reason' in p);
}

async function meanOf(a: Prepared, b: Prepared): Promise<CcaResult> {
  if (!isView(a)) return { value: null, reason: a.reason, coefficients: new Float64Array(0) };
  if (!isView(b)) return { value: null, reason: b.reason, coefficients: new Float64Array(0) };
  const { s } = await ccaPair(a, b);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += atF64(s, i);
  return { value: sum / s.length, coefficients: s };
}

/** The metric behind `meanCCA`, for `layerMatrix`. */
export function meanCCAMetric(opts: MeanCCAOptions = {}): PairwiseMetric<Prepared> {
  const epsilon = checkEpsilon(opts.epsilon ?? 1e-6, 'meanCCA');
  return {
    name: 'meanCCA',
    symmetric: true,
    prepare: (X, name) => prepareView(X, name, epsilon),
    async compare(a, b) {
      const r = await meanOf(a, b);
      return r.value === null ? { value: null, reason: r.reason ?? 'undefined' } : r.value;
    },
  };
}

/**
 * Mean CCA between `X` [n, dx] and `Y` [n, dy] (rows = the same samples). Layers larger than memory go in as row
 * blocks (`store.rowBlocks(layer)`): the covariances then accumulate block by block (float32 products).
 */
export async function meanCCA(X: MatrixLike | RowBlocks, Y: MatrixLike | RowBlocks, opts: MeanCCAOptions = {}): Promise<CcaResult> {
  if (isRowBlocks(X) || isRowBlocks(Y)) {
    if (!isRowBlocks(X) || !isRowBlocks(Y)) throw new Error('meanCCA: give both X and Y as row blocks (store.rowBlocks(layer)), or both as matrices');
    const pair = await ccaFromScatter(await blockMoments(X, Y, 'meanCCA'), [X.name, Y.name], checkEpsilon(opts.epsilon ?? 1e-6, 'meanCCA'));
    if ('reason' in pair) return { value: null, reason: pair.reason, coefficients: new Float64Array(0) };
    let sum = 0;
    for (let i = 0; i < pair.s.length; i++) sum += atF64(pair.s, i);
    return { value: sum / pair.s.length, coefficients: pair.s };
  }
  const [x, y] = checkPair(X, Y, 'meanCCA');
  const m = meanCCAMetric(opts);
  return meanOf(await m.prepare(x, 'X'), await m.prepare(y, 'Y'));
}
