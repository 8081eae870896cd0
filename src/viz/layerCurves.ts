import { categoryColor } from './categoryColor';
import type { Figure, ScatterTrace } from './Figure';
import { axisNames, finiteVector, type NumericVector } from './finiteValues';
import { at } from '../util/at';

/** One curve of `layerCurves`: a value per layer, optional error bars, a name. */
export interface LayerSeries {
  /** Legend entry (a model, an experiment). */
  name: string;
  /** One value per layer. */
  values: NumericVector;
  /** Symmetric error bar half-widths, one per layer (a standard deviation, a confidence half-width, ...). */
  errors?: NumericVector;
}

/** Options of `layerCurves`. */
export interface LayerCurvesOptions {
  title: string;
  yTitle: string;
  /** Layer names on the x axis (default '0', '1', ...); every series must have this many values. */
  xNames?: readonly (string | number)[];
  xTitle?: string;
  /** Fixed y range (e.g. [0, 1] for accuracies). */
  yRange?: [number, number];
  width?: number;
  height?: number;
}

/**
 * Per-layer curves (convexity, probe accuracy, CCA scores, feature mean/std) with optional error bars,
 * several series on one plot. Series share the x axis, so they must have the same number of layers.
 */
export function layerCurves(series: readonly LayerSeries[], opts: LayerCurvesOptions): Figure {
  if (series.length === 0) throw new Error('layerCurves: series is empty');
  const first = at(series, 0);
  const x = axisNames(opts.xNames, first.values.length, 'xNames');
  const names = new Set<string>();
  const data: ScatterTrace[] = series.map((s, k) => {
    if (names.has(s.name)) throw new Error(`layerCurves: two series are named '${s.name}'`);
    names.add(s.name);
    const y = finiteVector(s.values, `series[${k}].values`);
    if (y.length !== x.length) throw new Error(`layerCurves: series[${k}] ('${s.name}') has ${y.length} values but the x axis has ${x.length} layers`);
    const color = categoryColor(k);
    const trace: ScatterTrace = { type: 'scatter', mode: 'lines+markers', name: s.name, x: [...x], y, marker: { color, size: 7 }, line: { color } };
    if (s.errors !== undefined) {
      const e = finiteVector(s.errors, `series[${k}].errors`);
      if (e.length !== y.length) throw new Error(`layerCurves: series[${k}].errors has ${e.length} values but values has ${y.length}`);
      const negative = e.findIndex((v) => v < 0);
      if (negative >= 0) throw new Error(`layerCurves: series[${k}].errors[${negative}] is negative (${e[negative]}); error bars are half-widths`);
      trace.error_y = { type: 'data', array: e, visible: true };
    }
    return trace;
  });
  if (opts.yRange !== undefined && !(opts.yRange[0] < opts.yRange[1])) throw new Error(`layerCurves: yRange [${opts.yRange.join(', ')}] must be increasing`);
  return {
    data,
    layout: {
      title: { text: opts.title },
      xaxis: { title: { text: opts.xTitle ?? 'layer' }, type: 'category' },
      yaxis: { title: { text: opts.yTitle }, ...(opts.yRange !== undefined ? { range: [...opts.yRange] as [number, number] } : {}) },
      showlegend: true,
      hovermode: 'x unified',
      width: opts.width ?? 720,
      height: opts.height ?? 440,
    },
  };
}
