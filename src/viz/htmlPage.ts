import { escapeHtml } from './escapeHtml';
import { isFigure, type Figure } from './Figure';
import { figureHtml } from './figureHtml';
import { plotlyBundleScript } from './plotlyBundle';

export interface HtmlPageOptions {
  /** Page title (default: the first figure's title, else 'layerwise'). */
  title?: string;
}

/**
 * A self-contained HTML page showing figures and HTML fragments in order, with plotly.js inlined once, so
 * the file opens offline.
 */
export function htmlPage(items: Figure | string | readonly (Figure | string)[], opts: HtmlPageOptions = {}): string {
  const list: readonly (Figure | string)[] = Array.isArray(items) ? items : [items as Figure | string];
  if (list.length === 0) throw new Error('htmlPage: nothing to show');
  const parts = list.map((item, i) => {
    if (typeof item === 'string') return item;
    if (!isFigure(item)) throw new TypeError(`htmlPage: items[${i}] is neither a figure {data, layout} nor an HTML string`);
    return figureHtml(item);
  });
  const firstFigure = list.find((x): x is Figure => typeof x !== 'string');
  const title = opts.title ?? firstFigure?.layout.title?.text ?? 'layerwise';
  const needsPlotly = firstFigure !== undefined;
  return (
    `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n` +
    `<style>body{font-family:sans-serif;margin:1em}</style>\n` +
    (needsPlotly ? plotlyBundleScript() + '\n' : '') +
    `</head>\n<body>\n${parts.join('\n')}\n</body>\n</html>\n`
  );
}
