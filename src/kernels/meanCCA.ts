/**
 * Mean canonical correlation: the mean of all min(dx, dy) canonical correlations of google/svcca
 * `cca_core` (`np.mean(result["cca_coef1"])`, as the SVCCA tutorials report it), with the covariance,
 * rescaling, pruning and ridge of `ccaCore`. Undefined (null with a reason) when a view has at least as
 * many features as samples.
 */
import type { MatrixLike } from '../matrix';
import { ccaPair, checkEpsilon, prepareView, type CcaResult, type CcaView } from './ccaCore';

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

/** Mean CCA between `X` [n, dx] and `Y` [n, dy] (rows = the same samples). */
export async function meanCCA(X: MatrixLike, Y: MatrixLike, opts: MeanCCAOptions = {}): Promise<CcaResult> {
  const [x, y] = checkPair(X, Y, 'meanCCA');
  const m = meanCCAMetric(opts);
  return meanOf(await m.prepare(x, 'X'), await m.prepare(y, 'Y'));
}
