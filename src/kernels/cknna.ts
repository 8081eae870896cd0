/**
 * CKNNA, centred kernel nearest-neighbour alignment (Huh et al. 2024, platonic-rep `cknna`): CKA computed
 * only over the pairs (i, j) where j is among i's k nearest neighbours in BOTH spaces,
 *
 *   cknna = s(K, L) / (sqrt(s(K, K) s(L, L)) + 1e-6),  s(K, L) = HSIC(M o K, M o L),
 *
 * K = X X^T, L = Y Y^T (after row normalisation when `normalize`), M the mutual top-k mask. `unbiased`
 * (default, as in platonic-rep) excludes each sample from its own neighbours and uses the unbiased HSIC of
 * Song et al. (2012); otherwise neighbours may include the sample itself and HSIC is trace(K H L H). The
 * 1e-6 in the denominator is platonic-rep's and is kept so values match theirs. The masked kernels have at
 * most k entries per row, so everything is computed from the neighbour lists: no n x n matrix.
 */
import type { MatrixLike } from '../matrix';
import { topKNeighbors } from './engine';
import { checkPair, comparePair, definedValue, type PairwiseMetric } from './pairwiseMetric';
import { checkSameRows, knnSettings, type KnnLists, type KnnOptions } from './knnLists';
import { atF64, atI32 } from '../util/at';

/** Options of `cknna`. */
export interface CknnaOptions extends KnnOptions {
  /** Unbiased HSIC with self excluded from the neighbour lists (default true). Needs n >= 4. */
  unbiased?: boolean;
}

/** Position of `j` in row `i` of a neighbour list, or -1. */
function find(l: KnnLists, i: number, j: number): number {
  const k = l.k;
  for (let p = 0; p < k; p++) if (l.indices[i * k + p] === j) return i * k + p;
  return -1;
}

/** HSIC of the kernels K (values of `a`) and L (values of `b`) masked to the neighbours shared by a and b. */
function maskedHsic(a: KnnLists, b: KnnLists, unbiased: boolean): number {
  const n = a.rows;
  const k = a.k;
  const rowK = new Float64Array(n);
  const colK = new Float64Array(n);
  const rowL = new Float64Array(n);
  const colL = new Float64Array(n);
  let sumK = 0;
  let sumL = 0;
  let trace = 0; // sum_ij K~_ij L~_ji
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const j = atI32(a.indices, i * k + p);
      const q = find(b, i, j);
      if (q < 0) continue;
      const kv = atF64(a.values, i * k + p);
      const lv = atF64(b.values, q);
      rowK[i] += kv;
      colK[j] += kv;
      rowL[i] += lv;
      colL[j] += lv;
      sumK += kv;
      sumL += lv;
      // L~_ji is nonzero only when i is a shared neighbour of j.
      const pa = find(a, j, i);
      if (pa >= 0) {
        const pb = find(b, j, i);
        if (pb >= 0) trace += kv * atF64(b.values, pb);
      }
    }
  }
  let kl = 0; // 1^T K~ L~ 1
  let lk = 0; // 1^T L~ K~ 1
  for (let j = 0; j < n; j++) {
    kl += atF64(colK, j) * atF64(rowL, j);
    lk += atF64(colL, j) * atF64(rowK, j);
  }
  if (unbiased) return (trace + (sumK * sumL) / ((n - 1) * (n - 2)) - (2 * kl) / (n - 2)) / (n * (n - 3));
  return trace - (kl + lk) / n + (sumK * sumL) / (n * n);
}

/** The metric behind `cknna`, for `layerMatrix`. */
export function cknnaMetric(opts: CknnaOptions = {}): PairwiseMetric<KnnLists & { readonly selfHsic: number }> {
  const { k, normalize, precision } = knnSettings(opts, 'cknna', 2);
  const unbiased = opts.unbiased ?? true;
  return {
    name: 'cknna',
    symmetric: true,
    async prepare(X, name) {
      if (unbiased && X.rows < 4) throw new Error(`cknna: ${name} has ${X.rows} rows; the unbiased HSIC needs at least 4`);
      const available = unbiased ? X.rows - 1 : X.rows;
      if (k > available) throw new Error(`cknna: k = ${k} but ${name} has only ${available} candidate neighbours per row`);
      const metric = normalize ? 'cosine' : 'inner';
      const base = { k, metric, excludeSelf: unbiased } as const;
      const nb = await topKNeighbors(X, precision === undefined ? base : { ...base, precision });
      const lists = { ...nb, name };
      return { ...lists, selfHsic: maskedHsic(lists, lists, unbiased) };
    },
    async compare(a, b) {
      checkSameRows(a, b, 'cknna');
      const prod = a.selfHsic * b.selfHsic;
      if (!(prod >= 0)) {
        return { value: null, reason: `the masked HSIC of ${a.name} or ${b.name} with itself is negative, so cknna is undefined` };
      }
      return maskedHsic(a, b, unbiased) / (Math.sqrt(prod) + 1e-6);
    },
  };
}

/** CKNNA between `X` [n, dx] and `Y` [n, dy] (rows = the same samples). */
export async function cknna(X: MatrixLike, Y: MatrixLike, opts: CknnaOptions = {}): Promise<number> {
  const [x, y] = checkPair(X, Y, 'cknna');
  return definedValue(await comparePair(cknnaMetric(opts), x, y), 'cknna');
}
