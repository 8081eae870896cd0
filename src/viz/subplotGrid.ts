import type { Annotation, Axis, Layout, XAxisId, YAxisId } from './Figure';

export interface SubplotGridOptions {
  /** Panels per row (default: all in one row). */
  columns?: number;
  /** Horizontal gap between panels, as a fraction of the figure width (default 0.06). */
  hGap?: number;
  /** Vertical gap between rows, as a fraction of the figure height (default 0.12). */
  vGap?: number;
  /** Fraction of the width kept free on the right (for colour bars; default 0). */
  rightMargin?: number;
}

export interface SubplotCell {
  xaxis: XAxisId;
  yaxis: YAxisId;
  /** Layout keys of the two axes ('xaxis', 'xaxis2', ...). */
  xKey: 'xaxis' | `xaxis${number}`;
  yKey: 'yaxis' | `yaxis${number}`;
  xDomain: [number, number];
  yDomain: [number, number];
}

export interface SubplotGridResult {
  cells: SubplotCell[];
  rows: number;
  columns: number;
}

/**
 * Lay out `count` panels on a grid, row by row from the top, each with its own x/y axis pair. Panel k
 * uses axes x{k+1}/y{k+1} (plain 'x'/'y' for the first), as plotly.js expects.
 */
export function subplotGrid(count: number, opts: SubplotGridOptions = {}): SubplotGridResult {
  if (!Number.isInteger(count) || count < 1) throw new Error(`subplotGrid: count must be a positive integer, got ${count}`);
  const columns = Math.min(opts.columns ?? count, count);
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`subplotGrid: columns must be a positive integer, got ${opts.columns}`);
  const { hGap = 0.06, vGap = 0.12, rightMargin = 0 } = opts;
  const rows = Math.ceil(count / columns);
  const width = (1 - rightMargin - hGap * (columns - 1)) / columns;
  const height = (1 - vGap * (rows - 1)) / rows;
  if (width <= 0 || height <= 0) throw new Error(`subplotGrid: gaps leave no room for ${rows} x ${columns} panels`);
  const cells: SubplotCell[] = [];
  for (let k = 0; k < count; k++) {
    const r = Math.floor(k / columns);
    const c = k % columns;
    const x0 = c * (width + hGap);
    const y1 = 1 - r * (height + vGap);
    const n = k + 1;
    cells.push({
      xaxis: n === 1 ? 'x' : `x${n}`,
      yaxis: n === 1 ? 'y' : `y${n}`,
      xKey: n === 1 ? 'xaxis' : `xaxis${n}`,
      yKey: n === 1 ? 'yaxis' : `yaxis${n}`,
      xDomain: [round(x0), round(x0 + width)],
      yDomain: [round(y1 - height), round(y1)],
    });
  }
  return { cells, rows, columns };
}

/** Put an axis pair for `cell` into `layout`, anchored to each other and restricted to the cell's domain. */
export function setCellAxes(layout: Layout, cell: SubplotCell, x: Axis, y: Axis): void {
  layout[cell.xKey] = { ...x, domain: cell.xDomain, anchor: cell.yaxis };
  layout[cell.yKey] = { ...y, domain: cell.yDomain, anchor: cell.xaxis };
}

/** A panel title centred above the cell (Plotly has no per-subplot title, so it is a paper annotation). */
export function cellTitle(cell: SubplotCell, text: string): Annotation {
  return {
    text,
    x: (cell.xDomain[0] + cell.xDomain[1]) / 2,
    y: cell.yDomain[1],
    xref: 'paper',
    yref: 'paper',
    xanchor: 'center',
    yanchor: 'bottom',
    showarrow: false,
    font: { size: 14 },
  };
}

// Domains are layout numbers; rounding keeps them readable in the JSON and exact in tests.
function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
