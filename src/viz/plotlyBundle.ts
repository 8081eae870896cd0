/**
 * plotly.js from the `plotly.js-dist-min` package (the minified build of the same release as `plotly.js-dist`:
 * 4.8 MB instead of 11.2 MB, which every report and executed notebook carries once), as one inline `<script>`
 * that works on any page: plain pages
 * and JupyterLab (no AMD loader) and classic Notebook or nbconvert pages that carry require.js.
 *
 * Why the wrapper: a UMD bundle that sees a global `define`/`module` may register itself with that loader
 * instead of `window` (an anonymous `define()` from inline script even throws in require.js). Running it in
 * a function whose parameters shadow `define`, `module`, `exports` and `require` makes it take the
 * browser-global path and set `window.Plotly`; when require.js is present, Plotly is then also registered
 * under the AMD name 'plotly' so `require(['plotly'], ...)` code finds the same copy.
 */
import * as fs from 'node:fs';

/** Attribute that marks the embedded bundle (tests count it: once per notebook session, once per page). */
export const PLOTLY_BUNDLE_ATTRIBUTE = 'data-layerwise-plotly';

let cached: { version: string; script: string } | undefined;

function resolveBundle(): string {
  try {
    return require.resolve('plotly.js-dist-min/plotly.min.js');
  } catch {
    throw new Error("plotly.js-dist-min is not installed (needed to embed plotly.js offline); run 'npm ci' in the layerwise package");
  }
}

/** The embedded plotly.js version (from plotly.js-dist-min's package.json). */
export function plotlyVersion(): string {
  const pkg: unknown = JSON.parse(fs.readFileSync(require.resolve('plotly.js-dist-min/package.json'), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  if (typeof version !== 'string') throw new Error('plotly.js-dist-min/package.json has no version');
  return version;
}

/** The `<script>` element that defines `window.Plotly` (about 4.8 MB; read once per process). */
export function plotlyBundleScript(): string {
  if (cached === undefined) {
    const file = resolveBundle();
    const source = fs.readFileSync(file, 'utf8');
    // The HTML parser ends a script at the first '</script'; the bundle must not contain one.
    if (/<\/script/i.test(source)) throw new Error(`${file} contains '</script' and cannot be inlined`);
    const version = plotlyVersion();
    const script =
      `<script type="text/javascript" ${PLOTLY_BUNDLE_ATTRIBUTE}="${version}">\n` +
      `(function (define, module, exports, require) {\n${source}\n}).call(window);\n` +
      `if (typeof window.define === 'function' && window.define.amd && typeof window.requirejs === 'function') {\n` +
      `  window.requirejs.undef('plotly');\n` +
      `  window.define('plotly', [], function () { return window.Plotly; });\n` +
      `}\n</script>`;
    cached = { version, script };
  }
  return cached.script;
}
