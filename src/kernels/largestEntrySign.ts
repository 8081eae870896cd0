/**
 * The sign convention that makes eigen- and singular vectors reproducible: a vector is flipped when its
 * entry of largest magnitude (the lowest index on ties) is negative. PCA applies it to each component and
 * CCA to each canonical direction, so results do not depend on the arbitrary signs a solver returns.
 */
import { atF64 } from '../util/at';

/**
 * -1 when the largest-magnitude entry of the strided vector `v[offset + t * stride]`, t in [0, count), is
 * negative (the lowest t on ties), else 1.
 */
export function largestEntrySign(v: Float64Array, offset: number, count: number, stride: number): 1 | -1 {
  let best = 0;
  let arg = 0;
  for (let t = 0; t < count; t++) {
    const a = Math.abs(atF64(v, offset + t * stride));
    if (a > best) {
      best = a;
      arg = t;
    }
  }
  return atF64(v, offset + arg * stride) < 0 ? -1 : 1;
}
