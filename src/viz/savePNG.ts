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
  /** Chromium binary (default `$LAYERWISE_CHROMIUM`, else /usr/bin/chromium). */
  executablePath?: string;
}

/** One image of `savePNGs`: the figure, its file, and optionally its own size and scale. */
export interface PNGItem {
  readonly figure: Figure;
  readonly file: string;
  readonly width?: number;
  readonly height?: number;
  readonly scale?: number;
}

/**
 * Render a figure to a PNG file with plotly.js's own exporter (`Plotly.toImage`) in headless Chromium,
 * offline. Creates the parent directory. Returns the absolute path written. For several figures use
 * `savePNGs`, which starts the browser once.
 */
export async function savePNG(figure: Figure, file: string, opts: SavePNGOptions = {}): Promise<string> {
  const { executablePath, ...size } = opts;
  const [out] = await savePNGs([{ figure, file, ...size }], executablePath !== undefined ? { executablePath } : {});
  if (out === undefined) throw new Error('savePNG: nothing was written');
  return out;
}

/**
 * Render many figures to PNG files in one headless Chromium (starting it takes seconds; each further figure
 * costs only its drawing). `opts` sizes apply where an item gives none. Returns the absolute paths, in order.
 */
export async function savePNGs(items: readonly PNGItem[], opts: SavePNGOptions = {}): Promise<string[]> {
  const jobs = items.map((item, i) => {
    const width = item.width ?? opts.width ?? item.figure.layout.width ?? 800;
    const height = item.height ?? opts.height ?? item.figure.layout.height ?? 500;
    const scale = item.scale ?? opts.scale ?? 1;
    for (const [name, v] of [['width', width], ['height', height], ['scale', scale]] as const) {
      if (!(Number.isFinite(v) && v > 0)) throw new Error(`savePNG: ${name} of image ${i} (${item.file}) must be positive, got ${v}`);
    }
    return { figure: item.figure, out: path.resolve(item.file), width, height, scale };
  });
  if (jobs.length === 0) return [];
  // A file: URL rather than setContent: a 5 MB inline page is loaded faster from disk.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-png-'));
  try {
    const browser = await launchChromium(opts.executablePath !== undefined ? { executablePath: opts.executablePath } : {});
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      for (const [i, job] of jobs.entries()) {
        const page = path.join(dir, `figure-${i}.html`);
        fs.writeFileSync(page, htmlPage(job.figure));
        await tab.goto(`file://${page}`);
        await tab.waitForSelector('.layerwise-plot .main-svg', { timeout: 60000 });
        if (errors.length > 0) throw new Error(`savePNG: the page of ${job.out} raised ${errors.join('; ')}`);
        // A string expression: it runs in the page, where Plotly and document exist (not in Node's typings).
        const options = JSON.stringify({ format: 'png', width: job.width, height: job.height, scale: job.scale });
        const dataUrl = await tab.evaluate<string>(`Plotly.toImage(document.querySelector('.layerwise-plot'), ${options})`);
        const prefix = 'data:image/png;base64,';
        if (!dataUrl.startsWith(prefix)) throw new Error(`savePNG: Plotly.toImage did not return a PNG for ${job.out}`);
        fs.mkdirSync(path.dirname(job.out), { recursive: true });
        fs.writeFileSync(job.out, Buffer.from(dataUrl.slice(prefix.length), 'base64'));
        fs.rmSync(page, { force: true });
      }
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return jobs.map((j) => j.out);
}
