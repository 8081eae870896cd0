import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Figure } from './Figure';
import { htmlPage, type HtmlPageOptions } from './htmlPage';

/**
 * Write figures (and HTML fragments) to a self-contained HTML file that opens offline, plotly.js inlined.
 * Creates the parent directory. Returns the absolute path written.
 */
export function saveHTML(items: Figure | string | readonly (Figure | string)[], file: string, opts: HtmlPageOptions = {}): string {
  const out = path.resolve(file);
  const page = htmlPage(items, opts);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, page);
  return out;
}
