import * as path from 'node:path';
import { PLOT_CLASS } from '../viz/figureHtml';
import { launchChromium } from '../viz/launchChromium';

/** Options of `checkReport`. */
export interface CheckReportOptions {
  /** Write a full-page screenshot here (PNG). */
  screenshot?: string;
  /** How long to wait for every figure to draw, in ms (default 60000). */
  timeoutMs?: number;
  executablePath?: string;
  /** Viewport width in CSS pixels (default 1400). */
  width?: number;
}

/** What headless Chromium saw in a report: figures, rendered figures, page errors, external requests. */
export interface CheckReportResult {
  /** Figure outputs on the page (plot divs). */
  figures: number;
  /** Of those, how many drew an SVG plot. */
  rendered: number;
  /** Uncaught exceptions on the page. */
  pageErrors: string[];
  /** Requests for anything but the file itself and data: URLs (an offline report makes none). */
  externalRequests: string[];
  screenshot?: string;
}

/**
 * Open an HTML report in headless Chromium and report whether every figure drew (a Plotly `.main-svg` in
 * each plot div), what errors the page raised and what it tried to load from elsewhere. Does not judge:
 * callers decide (the CLI's --check and the browser tests require all figures drawn, no errors, no
 * external requests).
 */
export async function checkReport(htmlFile: string, opts: CheckReportOptions = {}): Promise<CheckReportResult> {
  const file = path.resolve(htmlFile);
  const url = `file://${file}`;
  const browser = await launchChromium(opts.executablePath !== undefined ? { executablePath: opts.executablePath } : {});
  try {
    const page = await browser.newPage({ viewport: { width: opts.width ?? 1400, height: 900 } });
    const pageErrors: string[] = [];
    const externalRequests: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Block anything that is not the page itself, so a report that needs the network fails here too.
    await page.route('**/*', async (route) => {
      const u = route.request().url();
      if (u === url || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
      externalRequests.push(u);
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load', timeout: opts.timeoutMs ?? 60000 });
    const selector = `.${PLOT_CLASS}`;
    const count = `[document.querySelectorAll(${JSON.stringify(selector)}).length, document.querySelectorAll(${JSON.stringify(`${selector} .main-svg`)}).length]`;
    // Plotly draws asynchronously after load; wait until every plot div holds its SVG (or give up).
    await page
      .waitForFunction(`(() => { const c = ${count}; return c[1] >= c[0]; })()`, undefined, { timeout: opts.timeoutMs ?? 60000 })
      .catch(() => undefined);
    const rendered = await page.evaluate<number>(
      `Array.from(document.querySelectorAll(${JSON.stringify(selector)})).filter((d) => d.querySelector('.main-svg') !== null).length`,
    );
    const figures = await page.evaluate<number>(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
    const result: CheckReportResult = { figures, rendered, pageErrors, externalRequests };
    if (opts.screenshot !== undefined) {
      result.screenshot = path.resolve(opts.screenshot);
      await page.screenshot({ path: result.screenshot, fullPage: true });
    }
    return result;
  } finally {
    await browser.close();
  }
}
