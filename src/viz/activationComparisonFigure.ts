import type { BarTrace, Figure } from './Figure';

/** One representation in the comparison: what `compareActivationPercentages` (sae) returns per matrix. */
export interface ActivationComparisonEntry {
  readonly name: string;
  /** Share of strictly positive entries, in percent ([0, 100]). */
  readonly percent: number;
  /** Features (columns) counted, shown on hover. */
  readonly features?: number;
}

/** Options of `activationComparisonFigure`. */
export interface ActivationComparisonFigureOptions {
  title: string;
  /**
   * Log-scaled percent axis (default: true when every percent is above 0). The seed's numbers span 49%, 3% and
   * 0.17%, which a linear axis would draw as one bar and two slivers.
   */
  logY?: boolean;
  width?: number;
  height?: number;
}

/** A percentage as the bar labels print it: three significant digits, no exponent. */
function percentLabel(p: number): string {
  if (p === 0) return '0%';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(p))));
  return `${p.toFixed(Math.min(digits, 6))}%`;
}

/**
 * The seed's sparsity comparison as a bar chart: the share of active (> 0) entries of the residual stream, the
 * FFN intermediate and the SAE latents on the same frames, one bar each, in the given order, labelled with
 * the value. Lower means sparser.
 */
export function activationComparisonFigure(rows: readonly ActivationComparisonEntry[], opts: ActivationComparisonFigureOptions): Figure {
  if (rows.length === 0) throw new Error('activationComparisonFigure: rows is empty');
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (typeof r.name !== 'string' || r.name === '') throw new Error(`activationComparisonFigure: rows[${i}].name must be a non-empty string`);
    if (seen.has(r.name)) throw new Error(`activationComparisonFigure: rows[${i}].name '${r.name}' appears twice`);
    seen.add(r.name);
    if (!(Number.isFinite(r.percent) && r.percent >= 0 && r.percent <= 100)) {
      throw new Error(`activationComparisonFigure: rows[${i}].percent is ${r.percent}; expected a number in [0, 100]`);
    }
    if (r.features !== undefined && !(Number.isInteger(r.features) && r.features >= 1)) {
      throw new Error(`activationComparisonFigure: rows[${i}].features is ${r.features}; expected a positive integer`);
    }
  });
  const allPositive = rows.every((r) => r.percent > 0);
  const logY = opts.logY ?? allPositive;
  if (logY && !allPositive) throw new Error('activationComparisonFigure: logY needs every percent above 0');
  const bars: BarTrace = {
    type: 'bar',
    name: 'active entries',
    x: rows.map((r) => r.name),
    y: rows.map((r) => r.percent),
    text: rows.map((r) => percentLabel(r.percent)),
    textposition: 'outside',
    customdata: rows.map((r) => (r.features !== undefined ? `${r.features} features` : '')),
    hovertemplate: '%{x}: %{y:.4g}% of entries > 0<br>%{customdata}<extra></extra>',
    marker: { color: '#636efa' },
  };
  const max = Math.max(...rows.map((r) => r.percent));
  const min = Math.min(...rows.map((r) => r.percent));
  // Room above the tallest bar for its label; on a log axis the range is in log10 units.
  const range: [number, number] = logY ? [Math.floor(Math.log10(min)) - 0.2, Math.log10(max) + 0.5] : [0, Math.max(max * 1.15, 1e-9)];
  return {
    data: [bars],
    layout: {
      title: { text: opts.title },
      xaxis: { title: { text: 'representation' }, type: 'category' },
      yaxis: { title: { text: 'active entries (% > 0)' }, type: logY ? 'log' : 'linear', range },
      showlegend: false,
      width: opts.width ?? 640,
      height: opts.height ?? 420,
    },
  };
}
