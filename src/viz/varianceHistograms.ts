import { categoryColor } from './categoryColor';
import type { Figure, HistogramTrace, Layout } from './Figure';
import { finiteVector, type NumericVector } from './finiteValues';
import { cellTitle, setCellAxes, subplotGrid } from './subplotGrid';

/** One panel of `varianceHistograms`: the per-feature variances of one layer. */
export interface LayerVariances {
  /** Panel title, e.g. "layer 12". */
  name: string;
  /** Per-feature variances of that layer (`[hidden]`), all >= 0. */
  variances: NumericVector;
}

/** Options of `varianceHistograms`. */
export interface VarianceHistogramsOptions {
  title?: string;
  /** Maximum number of bins per panel (default 50). */
  bins?: number;
  /** Log-scaled counts: most features have near-zero variance, a few in deep layers are large (seed 001). */
  logCounts?: boolean;
  columns?: number;
  width?: number;
  height?: number;
}

/**
 * Histograms of per-feature variance, one panel per layer (seed 001's layers 0, 6 and 12). Each panel
 * keeps its own x range because deep layers' variances are an order of magnitude larger.
 */
export function varianceHistograms(perLayer: readonly LayerVariances[], opts: VarianceHistogramsOptions = {}): Figure {
  if (perLayer.length === 0) throw new Error('varianceHistograms: perLayer is empty');
  const bins = opts.bins ?? 50;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`varianceHistograms: bins must be a positive integer, got ${bins}`);
  const grid = subplotGrid(perLayer.length, { ...(opts.columns !== undefined ? { columns: opts.columns } : {}), hGap: 0.07 });
  const layout: Layout = { annotations: [], showlegend: false, barmode: 'overlay' };
  if (opts.title !== undefined) layout.title = { text: opts.title };
  const data: HistogramTrace[] = perLayer.map((l, k) => {
    const cell = grid.cells[k];
    if (cell === undefined) throw new Error('varianceHistograms: internal grid size mismatch');
    const x = finiteVector(l.variances, `perLayer[${k}].variances`);
    if (x.length === 0) throw new Error(`varianceHistograms: perLayer[${k}] ('${l.name}') has no variances`);
    const neg = x.findIndex((v) => v < 0);
    if (neg >= 0) throw new Error(`varianceHistograms: perLayer[${k}].variances[${neg}] = ${x[neg]} is negative`);
    setCellAxes(layout, cell, { title: { text: 'variance' } }, { title: { text: 'features' }, type: opts.logCounts === true ? 'log' : 'linear' });
    layout.annotations?.push(cellTitle(cell, l.name));
    return { type: 'histogram', name: l.name, x, nbinsx: bins, marker: { color: categoryColor(k) }, xaxis: cell.xaxis, yaxis: cell.yaxis };
  });
  layout.width = opts.width ?? 400 * grid.columns;
  layout.height = opts.height ?? 380 * grid.rows;
  return { data, layout };
}
