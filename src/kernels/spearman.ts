/**
 * Spearman's rank correlation as `scipy.stats.spearmanr` computes it for two vectors: the Pearson correlation
 * of the ranks, ties given their average rank. `null` when either side is constant (scipy returns nan).
 */
import { at, atF64 } from '../util/at';

/** Average ranks (1-based) of `x`, ties sharing the mean of their positions. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => at(x, a) - at(x, b));
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && at(x, at(idx, j + 1)) === at(x, at(idx, i))) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[at(idx, t)] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rho of `a` and `b` (same length >= 2, finite values). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new Error(`spearman: ${a.length} values against ${b.length}`);
  if (a.length < 2) throw new Error(`spearman: needs at least 2 pairs, got ${a.length}`);
  for (const [name, v] of [['a', a], ['b', b]] as const) {
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(at(v, i))) throw new Error(`spearman: ${name}[${i}] is ${v[i]}`);
  }
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = a.length;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = atF64(ra, i) - mean;
    const y = atF64(rb, i) - mean;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}
