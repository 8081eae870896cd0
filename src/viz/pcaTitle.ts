import { finiteVector, type NumericVector } from './finiteValues';

/**
 * A panel title carrying PCA's explained variance, e.g. "layer 6 (PC1 41.2%, PC2 12.0%; 53.2% total)":
 * a PCA scatter says little without how much of the variance its two axes hold (seed 001).
 * `explainedVarianceRatio` is the per-component fraction of total variance, in [0, 1].
 */
export function pcaTitle(title: string, explainedVarianceRatio: NumericVector, components = 2): string {
  const r = finiteVector(explainedVarianceRatio, 'explainedVarianceRatio');
  if (!Number.isInteger(components) || components < 1) throw new Error(`pcaTitle: components must be a positive integer, got ${components}`);
  if (r.length < components) throw new Error(`pcaTitle: explainedVarianceRatio has ${r.length} values, need ${components}`);
  const shown = r.slice(0, components);
  const bad = shown.findIndex((v) => v < 0 || v > 1 + 1e-9);
  if (bad >= 0) throw new Error(`pcaTitle: explainedVarianceRatio[${bad}] = ${shown[bad]} is not a fraction in [0, 1]`);
  const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
  const parts = shown.map((v, i) => `PC${i + 1} ${pct(v)}`).join(', ');
  const total = shown.reduce((a, b) => a + b, 0);
  return components === 1 ? `${title} (${parts})` : `${title} (${parts}; ${pct(total)} total)`;
}
