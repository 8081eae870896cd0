import type { Axis, ColorScale, Figure, HeatmapTrace } from './Figure';
import { axisNames, finiteRows } from './finiteValues';
import { at } from '../util/at';

/**
 * Orientation: matrix (seaborn) order. Row 0 of `values` is drawn at the TOP and column 0 at the LEFT, so
 * for a layer x layer matrix the diagonal runs from the top-left to the bottom-right, as in the seed
 * notebooks' `sns.heatmap` figures. Rows are the y axis (model A), columns the x axis (model B).
 */
export interface LayerHeatmapOptions {
  title: string;
  /** Names of both axes for a square layer x layer matrix (default '0', '1', ...). */
  names?: readonly (string | number)[];
  /** Column names (x axis); overrides `names`. Use with `yNames` to compare model A (rows) with model B. */
  xNames?: readonly (string | number)[];
  /** Row names (y axis); overrides `names`. */
  yNames?: readonly (string | number)[];
  /** Axis titles (default 'layer'). */
  xTitle?: string;
  yTitle?: string;
  /** Colour range; set both on several figures to compare them on one scale (default: the data's range). */
  zmin?: number;
  zmax?: number;
  /** Default 'Viridis', the seed notebooks' colour map. */
  colorscale?: ColorScale;
  /** Colour bar title (e.g. 'CKA'). */
  colorbarTitle?: string;
  /** Write each value in its cell with this many decimals (true means 2; default off). */
  annotate?: boolean | number;
  width?: number;
  height?: number;
}

/** The heatmap trace alone (shared by `layerHeatmap` and `heatmapGrid`). */
export function layerHeatmapTrace(values: readonly (readonly number[])[], opts: Omit<LayerHeatmapOptions, 'title'>, name = 'values'): HeatmapTrace {
  const z = finiteRows(values, name);
  const rows = z.length;
  const cols = at(z, 0).length;
  const y = axisNames(opts.yNames ?? opts.names, rows, opts.yNames ? 'yNames' : 'names');
  const x = axisNames(opts.xNames ?? opts.names, cols, opts.xNames ? 'xNames' : 'names');
  checkRange(opts.zmin, opts.zmax);
  const xTitle = opts.xTitle ?? 'layer';
  const yTitle = opts.yTitle ?? 'layer';
  const trace: HeatmapTrace = {
    type: 'heatmap',
    name,
    z,
    x,
    y,
    colorscale: opts.colorscale ?? 'Viridis',
    showscale: true,
    hovertemplate: `${yTitle} %{y}<br>${xTitle} %{x}<br>value %{z:.4f}<extra></extra>`,
  };
  if (opts.zmin !== undefined) trace.zmin = opts.zmin;
  if (opts.zmax !== undefined) trace.zmax = opts.zmax;
  if (opts.colorbarTitle !== undefined) trace.colorbar = { title: { text: opts.colorbarTitle } };
  const digits = opts.annotate === true ? 2 : typeof opts.annotate === 'number' ? opts.annotate : undefined;
  if (digits !== undefined) {
    if (!Number.isInteger(digits) || digits < 0 || digits > 10) throw new Error(`annotate: decimals must be an integer in [0, 10], got ${digits}`);
    trace.texttemplate = `%{z:.${digits}f}`;
  }
  return trace;
}

/** Axes for a heatmap in matrix orientation; square matrices get square cells. */
export function heatmapAxes(trace: HeatmapTrace, xTitle: string, yTitle: string): { x: Axis; y: Axis } {
  const x: Axis = { title: { text: xTitle }, type: 'category', automargin: true };
  const y: Axis = { title: { text: yTitle }, type: 'category', autorange: 'reversed', automargin: true };
  if (trace.x.length === trace.y.length) {
    y.scaleanchor = trace.xaxis ?? 'x';
    y.constrain = 'domain';
    x.constrain = 'domain';
  }
  return { x, y };
}

/**
 * A layer x layer similarity matrix (CKA, mutual kNN, cosine, CCA) or an A x B model comparison as a
 * heatmap. `values` is `[rows, cols]`; `z` in the figure equals `values`.
 */
export function layerHeatmap(values: readonly (readonly number[])[], opts: LayerHeatmapOptions): Figure {
  const trace = layerHeatmapTrace(values, opts);
  const { x, y } = heatmapAxes(trace, opts.xTitle ?? 'layer', opts.yTitle ?? 'layer');
  const figure: Figure = {
    data: [trace],
    layout: { title: { text: opts.title }, xaxis: x, yaxis: y, width: opts.width ?? 560, height: opts.height ?? 500 },
  };
  return figure;
}

function checkRange(zmin: number | undefined, zmax: number | undefined): void {
  if (zmin !== undefined && !Number.isFinite(zmin)) throw new Error(`zmin must be finite, got ${zmin}`);
  if (zmax !== undefined && !Number.isFinite(zmax)) throw new Error(`zmax must be finite, got ${zmax}`);
  if (zmin !== undefined && zmax !== undefined && !(zmin < zmax)) throw new Error(`zmin (${zmin}) must be below zmax (${zmax})`);
}
