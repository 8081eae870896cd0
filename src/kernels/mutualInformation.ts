/**
 * Mutual information between a clustering and reference labels, as layerwise-analysis scores its
 * mi-phone / mi-word experiments (Pasad et al.): k-means cluster ids of each segment against its phone or
 * word label, reported as I(C;Y) / H(Y), i.e. `mutual_info_score(clusters, labels) /
 * mutual_info_score(labels, labels)` in scikit-learn terms. The sklearn-style NMI (arithmetic mean of the two
 * entropies, sklearn's default) and the clustering purity come along for the same contingency table.
 */
import { encodeLabels, type LabelsLike } from './labels';
import { atI32 } from '../util/at';

/** Mutual information of clusters with labels (nats and bits), both entropies, I / H(labels), NMI and purity. */
export interface MutualInformationResult {
  /** Number of samples. */
  readonly n: number;
  /** Distinct cluster ids and distinct labels. */
  readonly nClusters: number;
  readonly nLabels: number;
  /** I(C;Y) in nats (natural log), clipped at 0 like sklearn's `mutual_info_score`. */
  readonly mi: number;
  /** I(C;Y) in bits. */
  readonly miBits: number;
  /** Entropies H(C) and H(Y) in nats. */
  readonly hClusters: number;
  readonly hLabels: number;
  /**
   * I(C;Y) / H(Y): the layerwise-analysis MI score, 1 when the clusters determine the label. `null` when
   * H(Y) = 0 (a single label), where the ratio is undefined.
   */
  readonly miOverHLabels: number | null;
  /**
   * Normalised MI with the arithmetic mean of H(C) and H(Y), with sklearn's conventions: 1 when both sides
   * have a single group, 0 when I(C;Y) = 0 otherwise.
   */
  readonly nmi: number;
  /** Purity: share of samples that carry their cluster's most frequent label. */
  readonly purity: number;
}

function entropy(counts: Int32Array, n: number): number {
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = atI32(counts, i);
    if (c > 0) h -= (c / n) * Math.log(c / n);
  }
  return h;
}

/**
 * Mutual information of `clusters` and `labels` (one entry per sample each; numbers or strings). Both must
 * have the same, non-zero length.
 */
export function mutualInformation(clusters: LabelsLike, labels: LabelsLike): MutualInformationResult {
  const c = encodeLabels(clusters, 'clusters');
  const y = encodeLabels(labels, 'labels', c.codes.length);
  const n = c.codes.length;
  if (n === 0) throw new Error('clusters: is empty; mutual information needs at least one sample');
  const kc = c.classes.length;
  const ky = y.classes.length;
  // Sparse contingency table keyed by cluster * ky + label: k-means with 5,000 clusters against
  // thousands of words would make a dense table needlessly large.
  const table = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = atI32(c.codes, i) * ky + atI32(y.codes, i);
    table.set(key, (table.get(key) ?? 0) + 1);
  }
  let mi = 0;
  const best = new Int32Array(kc);
  for (const [key, nij] of table) {
    const i = Math.floor(key / ky);
    const j = key - i * ky;
    const ai = atI32(c.counts, i);
    const bj = atI32(y.counts, j);
    mi += (nij / n) * (Math.log(nij) + Math.log(n) - Math.log(ai) - Math.log(bj));
    if (nij > atI32(best, i)) best[i] = nij;
  }
  mi = Math.max(mi, 0);
  const hClusters = entropy(c.counts, n);
  const hLabels = entropy(y.counts, n);
  let nmi: number;
  if (kc === 1 && ky === 1) nmi = 1;
  else if (mi === 0) nmi = 0;
  else nmi = mi / ((hClusters + hLabels) / 2);
  let hit = 0;
  for (let i = 0; i < kc; i++) hit += atI32(best, i);
  return {
    n,
    nClusters: kc,
    nLabels: ky,
    mi,
    miBits: mi / Math.LN2,
    hClusters,
    hLabels,
    miOverHLabels: hLabels > 0 ? mi / hLabels : null,
    nmi,
    purity: hit / n,
  };
}
