/**
 * The "property content" curves of Pasad et al.: one panel per experiment (cca-mel, cca-phone, mi-word, ...),
 * the layer on the x axis, and per model the mean score over data samples with the spread (sample standard
 * deviation) as error bars. Results of one experiment and model on several data samples are averaged layer by
 * layer; a layer whose score is undefined on every sample is left out of its curve.
 */
import type { ExperimentResult } from '../experiments/ExperimentResult';
import { categoryColor } from './categoryColor';
import type { Annotation, Figure, Layout, ScatterTrace } from './Figure';
import { cellTitle, setCellAxes, subplotGrid } from './subplotGrid';

/** Options of `propertyContentFigure`. */
export interface PropertyContentFigureOptions {
  /** Figure title (default 'Property content per layer'). */
  readonly title?: string;
  /** Panels per row (default 3). */
  readonly columns?: number;
  /** Name a result's curve (default: its model id). */
  readonly seriesName?: (r: ExperimentResult) => string;
  readonly width?: number;
  readonly height?: number;
}

const Y_TITLES: Readonly<Record<string, string>> = { wordsim: 'Spearman rho', 'mi-phone': 'MI / H(phone)', 'mi-word': 'MI / H(word)' };

/** Mean and sample standard deviation of the defined values. */
function meanSpread(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((t, v) => t + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

/** Property-content curves of `results` (any mix of experiments, models and data samples). */
export function propertyContentFigure(results: readonly ExperimentResult[], opts: PropertyContentFigureOptions = {}): Figure {
  if (results.length === 0) throw new Error('propertyContentFigure: no results');
  const nameOf = opts.seriesName ?? ((r: ExperimentResult) => r.model);
  const experiments: string[] = [];
  for (const r of results) if (!experiments.includes(r.experiment)) experiments.push(r.experiment);
  const series: string[] = [];
  for (const r of results) if (!series.includes(nameOf(r))) series.push(nameOf(r));
  const grid = subplotGrid(experiments.length, { columns: Math.min(opts.columns ?? 3, experiments.length), hGap: 0.07, vGap: 0.18 });
  const data: ScatterTrace[] = [];
  const annotations: Annotation[] = [];
  const layout: Layout = {
    title: { text: opts.title ?? 'Property content per layer' },
    showlegend: true,
    width: opts.width ?? Math.max(480, 330 * grid.columns),
    height: opts.height ?? 300 * grid.rows + 120,
  };
  experiments.forEach((exp, e) => {
    const cell = grid.cells[e];
    if (cell === undefined) throw new Error('propertyContentFigure: grid has too few cells');
    annotations.push(cellTitle(cell, exp));
    const ofExp = results.filter((r) => r.experiment === exp);
    // Layer order: as the results list them, first appearance first.
    const layers: string[] = [];
    for (const r of ofExp) for (const id of r.layers) if (!layers.includes(id)) layers.push(id);
    series.forEach((name, k) => {
      const runs = ofExp.filter((r) => nameOf(r) === name);
      if (runs.length === 0) return;
      const x: string[] = [];
      const y: number[] = [];
      const err: number[] = [];
      for (const id of layers) {
        const vals = runs.map((r) => r.scores[id]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
        if (vals.length === 0) continue;
        const { mean, sd } = meanSpread(vals);
        x.push(id);
        y.push(mean);
        err.push(sd);
      }
      const color = categoryColor(k);
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name,
        x,
        y,
        ...(runs.length > 1 ? { error_y: { type: 'data' as const, array: err, visible: true } } : {}),
        marker: { color, size: 6 },
        line: { color },
        legendgroup: name,
        showlegend: e === 0 || !results.some((r) => r.experiment === experiments[0] && nameOf(r) === name),
        xaxis: cell.xaxis,
        yaxis: cell.yaxis,
        hovertemplate: `${name}<br>${exp} %{x}: %{y:.3f}${runs.length > 1 ? ` (mean of ${runs.length} samples)` : ''}<extra></extra>`,
      });
    });
    setCellAxes(layout, cell, { type: 'category', title: { text: 'layer' } }, { title: { text: Y_TITLES[exp] ?? 'PWCCA' } });
  });
  layout.annotations = annotations;
  return { data, layout };
}
