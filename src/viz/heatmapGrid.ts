import type { ColorScale, Figure, Layout } from './Figure';
import { heatmapAxes, layerHeatmapTrace } from './layerHeatmap';
import { cellTitle, setCellAxes, subplotGrid } from './subplotGrid';

/** One panel of `heatmapGrid`: a square matrix with its title. */
export interface HeatmapPanel {
  title: string;
  /** `[rows, cols]` matrix. */
  values: readonly (readonly number[])[];
  names?: readonly (string | number)[];
  xNames?: readonly (string | number)[];
  yNames?: readonly (string | number)[];
  xTitle?: string;
  yTitle?: string;
  colorbarTitle?: string;
}

/** Options of `heatmapGrid`. */
export interface HeatmapGridOptions {
  title?: string;
  /**
   * One colour scale for all panels (one colour bar), spanning the smallest to the largest value of all
   * panels unless `zmin`/`zmax` are given. Default false: each panel has its own range and colour bar,
   * like the seed's three `sns.heatmap` calls.
   */
  sharedScale?: boolean;
  zmin?: number;
  zmax?: number;
  colorscale?: ColorScale;
  /** Panels per row (default: all in one row). */
  columns?: number;
  annotate?: boolean | number;
  width?: number;
  height?: number;
}

/**
 * Several heatmaps side by side (the seed's CKA, mutual kNN and cosine matrices), in matrix orientation
 * (row 0 at the top, see `layerHeatmap`).
 */
export function heatmapGrid(panels: readonly HeatmapPanel[], opts: HeatmapGridOptions = {}): Figure {
  if (panels.length === 0) throw new Error('heatmapGrid: panels is empty');
  const shared = opts.sharedScale === true || opts.zmin !== undefined || opts.zmax !== undefined;
  let zmin = opts.zmin;
  let zmax = opts.zmax;
  const traces = panels.map((p, k) =>
    layerHeatmapTrace(p.values, { ...heatmapOpts(p), colorscale: opts.colorscale ?? 'Viridis', ...(opts.annotate !== undefined ? { annotate: opts.annotate } : {}) }, `panels[${k}].values`),
  );
  if (shared) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of traces) for (const r of t.z) for (const v of r) { if (v < lo) lo = v; if (v > hi) hi = v; }
    zmin ??= lo;
    zmax ??= hi;
    if (!(zmin < zmax)) {
      if (opts.zmin !== undefined || opts.zmax !== undefined) throw new Error(`heatmapGrid: zmin (${zmin}) must be below zmax (${zmax})`);
      // Every value equal: widen symmetrically so the colour scale is defined.
      zmin -= 0.5;
      zmax += 0.5;
    }
  }
  const grid = subplotGrid(panels.length, { ...(opts.columns !== undefined ? { columns: opts.columns } : {}), hGap: shared ? 0.06 : 0.1, rightMargin: 0.04 });
  const layout: Layout = { annotations: [] };
  if (opts.title !== undefined) layout.title = { text: opts.title };
  traces.forEach((t, k) => {
    const cell = grid.cells[k];
    const panel = panels[k];
    if (cell === undefined || panel === undefined) throw new Error('heatmapGrid: internal grid size mismatch');
    t.xaxis = cell.xaxis;
    t.yaxis = cell.yaxis;
    if (shared) {
      t.zmin = zmin;
      t.zmax = zmax;
      t.showscale = k === traces.length - 1;
    }
    if (t.showscale) {
      const height = cell.yDomain[1] - cell.yDomain[0];
      t.colorbar = {
        ...(t.colorbar ?? {}),
        x: shared ? 1.0 : cell.xDomain[1] + 0.01,
        y: cell.yDomain[0] + height / 2,
        len: height,
        thickness: 14,
      };
    }
    const { x, y } = heatmapAxes(t, panel.xTitle ?? 'layer', panel.yTitle ?? 'layer');
    setCellAxes(layout, cell, x, y);
    layout.annotations?.push(cellTitle(cell, panel.title));
  });
  // Three panels (the seed's CKA, mutual kNN, cosine) must fit a notebook output area of about 1250 px.
  layout.width = opts.width ?? 400 * grid.columns;
  layout.height = opts.height ?? 400 * grid.rows;
  return { data: traces, layout };
}

function heatmapOpts(p: HeatmapPanel): Omit<HeatmapPanel, 'title' | 'values'> {
  const { title: _title, values: _values, ...rest } = p;
  return rest;
}
