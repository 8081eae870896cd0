/**
 * The subset of Plotly's figure schema that layerwise's builders produce. A figure is plain data
 * (`{data, layout}`), JSON-serialisable, so it can be inspected in tests, saved, and sent to any Plotly
 * front end unchanged. Field names follow plotly.js exactly (snake_case where Plotly uses it).
 */

/** Axis reference of a subplot: 'x', 'x2', 'x3', ... and 'y', 'y2', ... */
export type XAxisId = 'x' | `x${number}`;
export type YAxisId = 'y' | `y${number}`;

export interface ColorBar {
  title?: { text: string };
  x?: number;
  y?: number;
  len?: number;
  thickness?: number;
}

/** A colour scale: a Plotly named scale ('Viridis', 'RdBu', ...) or explicit [position, colour] stops. */
export type ColorScale = string | ReadonlyArray<readonly [number, string]>;

/** A Plotly heatmap trace. */
export interface HeatmapTrace {
  type: 'heatmap';
  name?: string;
  /** `z[i][j]` is drawn at row `y[i]`, column `x[j]`. */
  z: number[][];
  x: string[];
  y: string[];
  zmin?: number;
  zmax?: number;
  colorscale: ColorScale;
  showscale: boolean;
  colorbar?: ColorBar;
  texttemplate?: string;
  hovertemplate?: string;
  xaxis?: XAxisId;
  yaxis?: YAxisId;
}

export interface ErrorBars {
  type: 'data';
  array: number[];
  visible: boolean;
}

export interface Marker {
  color?: string;
  size?: number;
  opacity?: number;
}

/** A Plotly scatter trace (lines or markers). */
export interface ScatterTrace {
  type: 'scatter';
  mode: 'lines' | 'markers' | 'lines+markers';
  name: string;
  x: (number | string)[];
  y: number[];
  error_y?: ErrorBars;
  marker?: Marker;
  line?: { color?: string; width?: number };
  /** Per-point data shown on hover (item ids). */
  customdata?: string[];
  hovertemplate?: string;
  legendgroup?: string;
  showlegend?: boolean;
  xaxis?: XAxisId;
  yaxis?: YAxisId;
}

/** A Plotly histogram trace. */
export interface HistogramTrace {
  type: 'histogram';
  name: string;
  x: number[];
  nbinsx?: number;
  marker?: Marker;
  showlegend?: boolean;
  xaxis?: XAxisId;
  yaxis?: YAxisId;
}

/** Bars at given positions (pre-binned histograms, one bar per category). */
export interface BarTrace {
  type: 'bar';
  name: string;
  x: (number | string)[];
  y: number[];
  /** Bar width in x units (numeric axes); one value for all bars or one per bar. */
  width?: number | number[];
  marker?: Marker;
  /** Text drawn on or above each bar. */
  text?: string[];
  textposition?: 'auto' | 'inside' | 'outside' | 'none';
  customdata?: string[];
  hovertemplate?: string;
  showlegend?: boolean;
  xaxis?: XAxisId;
  yaxis?: YAxisId;
}

/** Any of the Plotly traces our figures use. */
export type Trace = HeatmapTrace | ScatterTrace | HistogramTrace | BarTrace;

/** A Plotly axis (title, range, tick labels, log type). */
export interface Axis {
  title?: { text: string };
  type?: 'linear' | 'log' | 'category';
  domain?: [number, number];
  anchor?: XAxisId | YAxisId;
  /** 'reversed' puts the first category at the top (matrix orientation). */
  autorange?: boolean | 'reversed';
  range?: [number, number];
  /** Keep square heatmap cells: scale this axis like the named one. */
  scaleanchor?: XAxisId | YAxisId;
  constrain?: 'range' | 'domain';
  zeroline?: boolean;
  tickangle?: number;
  automargin?: boolean;
}

/** A Plotly text annotation (panel titles, notes). */
export interface Annotation {
  text: string;
  x: number;
  y: number;
  xref: 'paper';
  yref: 'paper';
  xanchor: 'left' | 'center' | 'right';
  yanchor: 'top' | 'middle' | 'bottom';
  showarrow: false;
  font?: { size?: number };
}

/** A rectangle in data coordinates along x, spanning the whole plot height (a highlighted time span). */
export interface RectShape {
  type: 'rect';
  xref: XAxisId;
  yref: 'paper';
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  fillcolor: string;
  opacity: number;
  line: { width: number };
  layer: 'below' | 'above';
}

/** The Plotly layout fields our figures use. */
export interface Layout {
  title?: { text: string };
  width?: number;
  height?: number;
  showlegend?: boolean;
  legend?: { title?: { text: string } };
  hovermode?: 'closest' | 'x' | 'x unified' | false;
  barmode?: 'overlay' | 'group' | 'stack';
  /** Gap between bars as a share of their slot (0: touching, as histograms). */
  bargap?: number;
  margin?: { l?: number; r?: number; t?: number; b?: number };
  xaxis?: Axis;
  yaxis?: Axis;
  /** Further subplot axes: xaxis2, yaxis2, ... */
  [axis: `xaxis${number}`]: Axis | undefined;
  [axis: `yaxis${number}`]: Axis | undefined;
  annotations?: Annotation[];
  shapes?: RectShape[];
}

/** A Plotly figure as a plain value: traces and layout, displayed by `show` or saved by `saveHTML`/`savePNG`. */
export interface Figure {
  data: Trace[];
  layout: Layout;
}

/** True for values shaped like a figure (used by `show` to tell figures from HTML). */
export function isFigure(x: unknown): x is Figure {
  if (typeof x !== 'object' || x === null) return false;
  const f = x as { data?: unknown; layout?: unknown };
  return Array.isArray(f.data) && typeof f.layout === 'object' && f.layout !== null;
}
