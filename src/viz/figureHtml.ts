import { randomUUID } from 'node:crypto';
import type { Figure } from './Figure';

/** Plotly's per-plot configuration that layerwise uses. */
export interface PlotConfig {
  displaylogo: boolean;
  responsive: boolean;
}

export const DEFAULT_PLOT_CONFIG: PlotConfig = { displaylogo: false, responsive: true };

/** CSS class of every plot div (the browser test counts these). */
export const PLOT_CLASS = 'layerwise-plot';

/** CSS class of the text a plot div holds until its script draws it. */
export const PLOT_HINT_CLASS = 'layerwise-plot-hint';

/**
 * What a figure's div says when its script never runs: Jupyter strips scripts from the outputs of a notebook it
 * does not trust (one saved elsewhere or edited outside Jupyter), which would otherwise leave a blank space.
 */
export const NOT_DRAWN_HINT =
  'Figure not drawn: its script did not run. In Jupyter, trust the notebook (File &gt; Trust Notebook, or ' +
  '<code>jupyter trust NOTEBOOK.ipynb</code>) or run the cell again.';

/**
 * JSON for inlining inside `<script>`: '<' is escaped so no string in the figure ('</script>' in a label)
 * can end the script early, and U+2028/2029 are escaped for older JavaScript parsers.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * A figure as a `<div>` plus the script that draws it with `Plotly.newPlot`. Expects plotly.js on the page
 * (see `plotlyBundleScript`); without it the div says so instead of staying blank.
 */
export function figureHtml(figure: Figure, config: PlotConfig = DEFAULT_PLOT_CONFIG): string {
  const id = `layerwise-${randomUUID()}`;
  const width = figure.layout.width;
  const height = figure.layout.height ?? 450;
  const style = `${width !== undefined ? `width:${width}px;max-width:100%;` : 'width:100%;'}height:${height}px;`;
  return (
    `<div id="${id}" class="${PLOT_CLASS}" style="${style}"><p class="${PLOT_HINT_CLASS}">${NOT_DRAWN_HINT}</p></div>\n` +
    `<script type="text/javascript">\n` +
    `(function () {\n` +
    `  var el = document.getElementById(${scriptJson(id)});\n` +
    `  var fig = ${scriptJson({ data: figure.data, layout: figure.layout, config })};\n` +
    `  function draw(Plotly) { el.textContent = ''; Plotly.newPlot(el, fig.data, fig.layout, fig.config); }\n` +
    `  function missing() { el.textContent = 'plotly.js is not loaded on this page: show a figure again with show(fig, {embedPlotly: true}).'; }\n` +
    `  if (window.Plotly) draw(window.Plotly);\n` +
    `  else missing();\n` +
    `})();\n` +
    `</script>`
  );
}
