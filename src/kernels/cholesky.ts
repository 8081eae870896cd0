/** Cholesky factorisation of a small dense symmetric matrix in float64 JS, shared by the CCA kernels. */
import { atF64 } from '../util/at';

/**
 * Upper-triangular R with R^T R = G (G symmetric [k, k], read from its upper triangle); null when a pivot is
 * not above `relativeFloor` times its diagonal entry (0: any positive pivot), i.e. G is not (numerically)
 * positive definite.
 */
export function choleskyUpper(G: Float64Array, k: number, relativeFloor = 0): Float64Array | null {
  const R = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let s = atF64(G, j * k + j);
    for (let t = 0; t < j; t++) s -= atF64(R, t * k + j) ** 2;
    if (!(s > relativeFloor * Math.abs(atF64(G, j * k + j)))) return null;
    const rjj = Math.sqrt(s);
    R[j * k + j] = rjj;
    for (let c = j + 1; c < k; c++) {
      let v = atF64(G, j * k + c);
      for (let t = 0; t < j; t++) v -= atF64(R, t * k + j) * atF64(R, t * k + c);
      R[j * k + c] = v / rjj;
    }
  }
  return R;
}
