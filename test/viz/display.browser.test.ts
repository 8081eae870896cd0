/**
 * The display output in a real browser: headless Chromium (Debian's) loads pages made of `show()`'s
 * text/html outputs, as JupyterLab (no AMD loader) and classic Notebook (require.js) would run them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { NotebookDisplay, type DisplayMessage } from '../../src/viz/display';
import type { Figure } from '../../src/viz/Figure';
import { layerCurves } from '../../src/viz/layerCurves';
import { layerHeatmap } from '../../src/viz/layerHeatmap';
import { launchChromium } from '../../src/viz/launchChromium';
import { PLOTLY_BUNDLE_ATTRIBUTE } from '../../src/viz/plotlyBundle';
import { saveHTML } from '../../src/viz/saveHTML';
import { savePNG, savePNGs } from '../../src/viz/savePNG';
import { table } from '../../src/viz/table';
import { withEnv } from '../withEnv';

const REQUIRE_JS = '/usr/share/javascript/requirejs/require.min.js';

const z = [
  [1, 0.25, 0.5],
  [0.25, 1, 0.75],
  [0.5, 0.75, 1],
];
const heat = layerHeatmap(z, { title: 'CKA' });
const curves = layerCurves([{ name: 'convexity', values: [0.2, 0.6, 0.4], errors: [0.05, 0.1, 0.05] }], { title: 'Convexity', yTitle: 'convexity' });

function outputsHtml(items: (Figure | string)[]): string {
  const sent: DisplayMessage[] = [];
  const display = new NotebookDisplay(() => (m) => sent.push(m));
  for (const item of items) display.show(item);
  return sent.map((m) => `<div class="output">${String(m.data['text/html'])}</div>`).join('\n');
}

interface PageReport {
  plots: number;
  drawn: number;
  errors: string[];
  firstZ: unknown;
  amdIsWindowPlotly: boolean | null;
}

async function load(browser: Browser, file: string): Promise<PageReport> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForFunction(
    "Array.from(document.querySelectorAll('.layerwise-plot')).every((d) => d.querySelector('.main-svg') !== null)",
    undefined,
    { timeout: 30000 },
  );
  const plots = await page.evaluate<number>("document.querySelectorAll('.layerwise-plot').length");
  const drawn = await page.evaluate<number>("Array.from(document.querySelectorAll('.layerwise-plot')).filter((d) => d.querySelector('.main-svg')).length");
  // plotly.js keeps the drawn traces on the div: the heatmap must show our matrix
  const firstZ = await page.evaluate<unknown>("document.querySelector('.layerwise-plot').data[0].z");
  const amdIsWindowPlotly = await page.evaluate<boolean | null>(
    "typeof window.requirejs === 'function' ? new Promise((ok) => window.requirejs(['plotly'], (P) => ok(P === window.Plotly), () => ok(false))) : null",
  );
  await page.close();
  return { plots, drawn, errors, firstZ, amdIsWindowPlotly };
}

describe('show() output in Chromium', () => {
  let dir: string;
  let browser: Browser;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-display-'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('draws every figure on a page without an AMD loader (JupyterLab, nbconvert)', async () => {
    const file = path.join(dir, 'plain.html');
    fs.writeFileSync(file, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>\n${outputsHtml([heat, table([{ a: 1 }]), curves, heat])}\n</body></html>`);
    const r = await load(browser, file);
    expect(r.errors).toEqual([]);
    expect(r.plots).toBe(3);
    expect(r.drawn).toBe(3);
    expect(r.firstZ).toEqual(z);
    expect(r.amdIsWindowPlotly).toBeNull();
  });

  it('draws every figure next to require.js (classic Notebook) and registers plotly with it', async () => {
    const file = path.join(dir, 'requirejs.html');
    const requirejs = fs.readFileSync(REQUIRE_JS, 'utf8');
    fs.writeFileSync(file, `<!DOCTYPE html><html><head><meta charset="utf-8"><script>${requirejs}</script></head><body>\n${outputsHtml([heat, curves])}\n</body></html>`);
    const r = await load(browser, file);
    expect(r.errors).toEqual([]);
    expect(r.plots).toBe(2);
    expect(r.drawn).toBe(2);
    expect(r.firstZ).toEqual(z);
    expect(r.amdIsWindowPlotly).toBe(true);
  });

  it('says why a figure is missing where its script does not run (an untrusted notebook), and nothing once drawn', async () => {
    const file = path.join(dir, 'hint.html');
    fs.writeFileSync(file, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>\n${outputsHtml([heat, curves])}\n</body></html>`);
    const hints = "Array.from(document.querySelectorAll('.layerwise-plot')).map((d) => d.textContent.trim())";
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await noScript.newPage();
      await page.goto(`file://${file}`);
      const texts = await page.evaluate<string[]>(hints);
      expect(texts).toHaveLength(2);
      for (const t of texts) expect(t).toBe('Figure not drawn: its script did not run. In Jupyter, trust the notebook (File > Trust Notebook, or jupyter trust NOTEBOOK.ipynb) or run the cell again.');
    } finally {
      await noScript.close();
    }
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    await page.waitForFunction("Array.from(document.querySelectorAll('.layerwise-plot')).every((d) => d.querySelector('.main-svg') !== null)", undefined, { timeout: 30000 });
    expect(await page.evaluate<number>("document.querySelectorAll('.layerwise-plot-hint').length")).toBe(0);
    await page.close();
  });

  // saveHTML's page is htmlPage(), the page savePNG draws in Chromium below; here its file and structure.
  it('saveHTML writes a self-contained page: plotly.js once, one plot div per figure, nothing external', () => {
    const file = saveHTML([heat, '<p>between</p>', curves], path.join(dir, 'saved', 'figures.html'));
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split(PLOTLY_BUNDLE_ATTRIBUTE).length - 1).toBe(1);
    expect(text.split('class="layerwise-plot"').length - 1).toBe(2);
    expect(text).toContain('<p>between</p>');
    expect(text).toContain('<title>CKA</title>');
    expect(text).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });
});

describe('savePNG', () => {
  it('savePNGs draws many figures in one browser, the one LAYERWISE_CHROMIUM names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-pngs-test-'));
    try {
      // a wrapper that logs each start, then runs Debian's Chromium: counts launches and proves the variable is read
      const log = path.join(dir, 'launches.log');
      const wrapper = path.join(dir, 'chromium-wrapper.sh');
      fs.writeFileSync(wrapper, `#!/bin/sh\necho start >> '${log}'\nexec /usr/bin/chromium "$@"\n`, { mode: 0o755 });
      const files = await withEnv({ LAYERWISE_CHROMIUM: wrapper }, () => savePNGs(
        [
          { figure: heat, file: path.join(dir, 'a.png'), width: 300, height: 200 },
          { figure: curves, file: path.join(dir, 'b.png'), width: 400, height: 250, scale: 2 },
          { figure: heat, file: path.join(dir, 'sub', 'c.png') },
        ],
        { width: 320, height: 240 },
      ));
      expect(files).toEqual([path.join(dir, 'a.png'), path.join(dir, 'b.png'), path.join(dir, 'sub', 'c.png')]);
      const sizes = files.map((f) => {
        const b = fs.readFileSync(f);
        return [b.readUInt32BE(16), b.readUInt32BE(20)];
      });
      expect(sizes).toEqual([[300, 200], [800, 500], [320, 240]]);
      expect(fs.readFileSync(log, 'utf8')).toBe('start\n');
      await withEnv({ LAYERWISE_CHROMIUM: path.join(dir, 'no-such-browser') }, () =>
        expect(savePNG(heat, path.join(dir, 'd.png'))).rejects.toThrow(`Chromium not found at ${path.join(dir, 'no-such-browser')} (LAYERWISE_CHROMIUM)`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a PNG of the requested size (width x height x scale)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-png-test-'));
    try {
      const file = await savePNG(heat, path.join(dir, 'out', 'cka.png'), { width: 300, height: 200, scale: 2 });
      const b = fs.readFileSync(file);
      expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(b.toString('ascii', 12, 16)).toBe('IHDR');
      expect([b.readUInt32BE(16), b.readUInt32BE(20)]).toEqual([600, 400]);
      // not a blank image: a drawn heatmap compresses to more than a few hundred bytes
      expect(b.length).toBeGreaterThan(5000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
