import type { MatrixLike } from '../matrix';
import type { Figure, Layout, ScatterTrace } from './Figure';
import { projectionTraces, type Label, type ProjectionStyle } from './projectionScatter';
import { cellTitle, setCellAxes, subplotGrid } from './subplotGrid';

/** One panel of `projectionGrid`: 2-D points with a title. */
export interface ProjectionPanel {
  /** Panel title, e.g. "layer 6" or `pcaTitle('layer 6', ratios)`. */
  title: string;
  /** `[items, 2]`, rows in the same item order as `labels`. */
  points: MatrixLike;
  xTitle?: string;
  yTitle?: string;
}

/** Options of `projectionGrid`. */
export interface ProjectionGridOptions extends ProjectionStyle {
  title?: string;
  /** Panels per row (default: all in one row, like the seed's layers 0/6/12). */
  columns?: number;
  width?: number;
  height?: number;
}

/**
 * Several projections of the same items side by side (one panel per layer), coloured by label with the
 * same colour per label in every panel. The legend lists each label once and toggles it in all panels.
 */
export function projectionGrid(panels: readonly ProjectionPanel[], labels: readonly Label[], opts: ProjectionGridOptions = {}): Figure {
  if (panels.length === 0) throw new Error('projectionGrid: panels is empty');
  const grid = subplotGrid(panels.length, { ...(opts.columns !== undefined ? { columns: opts.columns } : {}), hGap: 0.06 });
  const layout: Layout = { annotations: [], hovermode: 'closest', legend: { title: { text: 'label' } } };
  if (opts.title !== undefined) layout.title = { text: opts.title };
  const data: ScatterTrace[] = [];
  panels.forEach((p, k) => {
    const cell = grid.cells[k];
    if (cell === undefined) throw new Error('projectionGrid: internal grid size mismatch');
    const traces = projectionTraces(p.points, labels, opts, `panels[${k}].points`);
    for (const t of traces) {
      t.xaxis = cell.xaxis;
      t.yaxis = cell.yaxis;
      t.showlegend = k === 0;
      data.push(t);
    }
    setCellAxes(layout, cell, { title: { text: p.xTitle ?? opts.xTitle ?? 'dim 1' }, zeroline: false }, { title: { text: p.yTitle ?? opts.yTitle ?? 'dim 2' }, zeroline: false });
    layout.annotations?.push(cellTitle(cell, p.title));
  });
  // Three panels plus the legend must fit a notebook output area of about 1250 px.
  layout.width = opts.width ?? 360 * grid.columns + 120;
  layout.height = opts.height ?? 380 * grid.rows;
  return { data, layout };
}
