import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Figure } from './Figure';
import { htmlPage } from './htmlPage';
import { launchChromium } from './launchChromium';

/** Options of `savePNG` (size and scale of the screenshot, the Chromium to use). */
export interface SavePNGOptions {
  /** Image size in CSS pixels (default: the figure's layout size, else 800 x 500). */
  width?: number;
  height?: number;
  /** Pixel density (default 1; 2 for sharper images). */
  scale?: number;
  /** Chromium binary (default /usr/bin/chromium). */
  executablePath?: string;
}

/**
 * Render a figure to a PNG file with plotly.js's own exporter (`Plotly.toImage`) in headless Chromium,
 * offline. Creates the parent directory. Returns the absolute path written.
 */
export async function savePNG(figure: Figure, file: string, opts: SavePNGOptions = {}): Promise<string> {
  const width = opts.width ?? figure.layout.width ?? 800;
  const height = opts.height ?? figure.layout.height ?? 500;
  const scale = opts.scale ?? 1;
  for (const [name, v] of [['width', width], ['height', height], ['scale', scale]] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`savePNG: ${name} must be positive, got ${v}`);
  }
  const out = path.resolve(file);
  // A file: URL rather than setContent: a 5 MB inline page is loaded faster from disk.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-png-'));
  const page = path.join(dir, 'figure.html');
  try {
    fs.writeFileSync(page, htmlPage(figure));
    const browser = await launchChromium(opts.executablePath !== undefined ? { executablePath: opts.executablePath } : {});
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(`file://${page}`);
      await tab.waitForSelector('.layerwise-plot .main-svg', { timeout: 60000 });
      if (errors.length > 0) throw new Error(`savePNG: the page raised ${errors.join('; ')}`);
      // A string expression: it runs in the page, where Plotly and document exist (not in Node's typings).
      const options = JSON.stringify({ format: 'png', width, height, scale });
      const dataUrl = await tab.evaluate<string>(`Plotly.toImage(document.querySelector('.layerwise-plot'), ${options})`);
      const prefix = 'data:image/png;base64,';
      if (!dataUrl.startsWith(prefix)) throw new Error('savePNG: Plotly.toImage did not return a PNG');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, Buffer.from(dataUrl.slice(prefix.length), 'base64'));
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
