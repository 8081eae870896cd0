import { toMatrix, type MatrixLike } from '../matrix';
import { categoryColor } from './categoryColor';
import { escapeHtml } from './escapeHtml';
import type { Figure, ScatterTrace } from './Figure';
import { at, atFloat } from '../util/at';

/** A point's label in projection figures: a class name or number. */
export type Label = string | number;

/** Display names of labels: an array indexed by numeric label, or a record keyed by the label's string. */
export type LabelNames = readonly string[] | Readonly<Record<string, string>>;

export interface ProjectionStyle {
  /** Item ids shown on hover (default: the row index). */
  ids?: readonly (string | number)[];
  labelNames?: LabelNames;
  /**
   * The full label set in colour order. Default: the distinct labels sorted (numbers numerically), so a
   * label has the same colour in every panel and every figure built from the same label set.
   */
  labelOrder?: readonly Label[];
  /** Axis titles (default 'dim 1', 'dim 2'; 'PC1', 'PC2' for PCA). */
  xTitle?: string;
  yTitle?: string;
  markerSize?: number;
}

/** Options of `projectionScatter`. */
export interface ProjectionScatterOptions extends ProjectionStyle {
  title: string;
  width?: number;
  height?: number;
}

/**
 * A 2-D projection (PCA, t-SNE, UMAP) of `points` (`[items, 2]`), one trace per label so the legend
 * toggles a class; hovering a point shows its item id and label.
 */
export function projectionScatter(points: MatrixLike, labels: readonly Label[], opts: ProjectionScatterOptions): Figure {
  const data = projectionTraces(points, labels, opts, 'points');
  return {
    data,
    layout: {
      title: { text: opts.title },
      xaxis: { title: { text: opts.xTitle ?? 'dim 1' }, zeroline: false },
      yaxis: { title: { text: opts.yTitle ?? 'dim 2' }, zeroline: false },
      legend: { title: { text: 'label' } },
      hovermode: 'closest',
      width: opts.width ?? 620,
      height: opts.height ?? 520,
    },
  };
}

/** The traces of one projection panel (shared with `projectionGrid`). */
export function projectionTraces(points: MatrixLike, labels: readonly Label[], style: ProjectionStyle, name: string): ScatterTrace[] {
  const m = toMatrix(points, name);
  if (m.cols !== 2) throw new Error(`${name}: expected [items, 2] points, got [${m.rows}, ${m.cols}]`);
  if (labels.length !== m.rows) throw new Error(`labels has ${labels.length} entries but ${name} has ${m.rows} rows`);
  const ids = style.ids;
  if (ids !== undefined && ids.length !== m.rows) throw new Error(`ids has ${ids.length} entries but ${name} has ${m.rows} rows`);
  const order = labelOrder(labels, style.labelOrder);
  const index = new Map<string, number>();
  order.forEach((l, k) => index.set(labelKey(l), k));
  const byLabel: number[][] = order.map(() => []);
  labels.forEach((l, i) => {
    const k = index.get(labelKey(l));
    if (k === undefined) throw new Error(`labels[${i}] = ${JSON.stringify(l)} is not in labelOrder`);
    at(byLabel, k).push(i);
  });
  const traces: ScatterTrace[] = [];
  order.forEach((l, k) => {
    const rows = at(byLabel, k);
    if (rows.length === 0) return;
    const shown = labelName(l, style.labelNames);
    const color = categoryColor(k);
    traces.push({
      type: 'scatter',
      mode: 'markers',
      name: shown,
      x: rows.map((i) => atFloat(m.data, 2 * i)),
      y: rows.map((i) => atFloat(m.data, 2 * i + 1)),
      customdata: rows.map((i) => String(ids === undefined ? i : ids[i])),
      hovertemplate: `id %{customdata}<br>label ${escapeHtml(shown)}<extra></extra>`,
      marker: { color, size: style.markerSize ?? 6, opacity: 0.85 },
      legendgroup: labelKey(l),
    });
  });
  return traces;
}

function labelKey(l: Label): string {
  return `${typeof l}:${String(l)}`;
}

function labelOrder(labels: readonly Label[], given: readonly Label[] | undefined): Label[] {
  if (given !== undefined) {
    const keys = new Set(given.map(labelKey));
    if (keys.size !== given.length) throw new Error('labelOrder contains a label twice');
    return [...given];
  }
  const seen = new Map<string, Label>();
  for (const l of labels) {
    if (typeof l === 'number' && !Number.isFinite(l)) throw new Error(`labels contains ${l}`);
    seen.set(labelKey(l), l);
  }
  return [...seen.values()].sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

function labelName(l: Label, names: LabelNames | undefined): string {
  if (names === undefined) return String(l);
  if (isStringArray(names)) {
    const n = typeof l === 'number' ? names[l] : undefined;
    if (n === undefined) throw new Error(`labelNames has no entry for label ${JSON.stringify(l)}`);
    return n;
  }
  const n = names[String(l)];
  if (n === undefined) throw new Error(`labelNames has no entry for label ${JSON.stringify(l)}`);
  return n;
}

function isStringArray(x: LabelNames): x is readonly string[] {
  return Array.isArray(x);
}
