/**
 * The notebooks as a person uses them: a real Jupyter server (Debian's `jupyter-notebook`, 127.0.0.1, token) in a
 * temporary folder holding a copy of notebooks/ (and, as a user's project would, `node_modules/layerwise` and
 * `models/` linked to this package), notebook 01 opened in Debian's Chromium through playwright-core and run with
 * the front end's own Cell > Run All. Checked on the page, after the kernel goes idle: every Plotly figure drawn by
 * the front end (SVG present), every audio player with a loaded source of the clip's length, the per-layer table,
 * no error output, no page errors, no request leaving the server; the extraction's progress is one output that was
 * rewritten in place. Then cells typed and run with Shift-Enter: one that throws shows the error in that cell, and
 * the next one still runs on the same kernel state. A copy changed outside Jupyter opens untrusted: its saved figures
 * show the trust hint instead of running scripts, and draw once File > Trust Notebook reloads it. Screenshots go to reports/live-notebook-test/ (gitignored; CI
 * keeps them as artifacts). Server, kernels and browser are stopped at the end, also when a check fails.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { synthesizeSpokenWords } from '../../src/data/synth/synthesizeSpokenWords';
import { registerKernel } from '../../src/jupyter/kernelSpec';
import { injectParameters } from '../../src/report/injectParameters';
import { parseNotebook } from '../../src/report/notebookJson';
import { PLOTLY_MIME } from '../../src/viz/display';
import { launchChromium } from '../../src/viz/launchChromium';
import { startJupyterServer, type JupyterServer } from './jupyterServer';

const REPO = path.resolve(__dirname, '..', '..');
const OUT = path.join(REPO, 'reports', 'live-notebook-test');
const NOTEBOOK = '01-getting-started.ipynb';
const LONG = 900_000;
// The progress lines of textProgress: `extract 12/100 (12%) ...`.
const PROGRESS = /^extract \d+\/\d+ \(\d+%\)/;

/** What the page shows once the notebook ran, read from the DOM and from the front end's own notebook model. */
interface PageState {
  prompts: string[];
  plots: number;
  drawnPlots: number;
  plotlyOutputs: number;
  audio: { readyState: number; duration: number; error: number | null; src: string }[];
  audioOutputs: number;
  tables: { rows: number; headers: string[] }[];
  errorOutputs: number;
  stderr: string[];
  progressOutputs: string[];
  progressSeen: string[];
}

// Run in the page (no DOM types in the test build, so the scripts are strings).
const OBSERVE_PROGRESS = `(() => {
  window.__progressSeen = [];
  const pattern = ${String(PROGRESS)};
  const record = () => {
    for (const pre of document.querySelectorAll('.output_text pre')) {
      const text = pre.textContent.trim();
      if (pattern.test(text) && window.__progressSeen[window.__progressSeen.length - 1] !== text) window.__progressSeen.push(text);
    }
  };
  new MutationObserver(record).observe(document.getElementById('notebook'), { childList: true, subtree: true, characterData: true });
})()`;

const PAGE_STATE = `(() => {
  const outputs = Jupyter.notebook.toJSON().cells.flatMap((c) => c.outputs || []);
  const html = (o) => (o.data && o.data['text/html'] ? [].concat(o.data['text/html']).join('') : '');
  const plots = Array.from(document.querySelectorAll('.layerwise-plot'));
  return {
    prompts: Array.from(document.querySelectorAll('.code_cell .input_prompt')).map((p) => p.textContent.replace(/\\s+/g, ' ').trim()),
    plots: plots.length,
    drawnPlots: plots.filter((d) => d.querySelector('svg.main-svg') !== null && d.data !== undefined).length,
    plotlyOutputs: outputs.filter((o) => o.data && o.data['${PLOTLY_MIME}'] !== undefined).length,
    audio: Array.from(document.querySelectorAll('audio')).map((a) => ({
      readyState: a.readyState, duration: a.duration, error: a.error ? a.error.code : null, src: (a.currentSrc || '').slice(0, 22),
    })),
    audioOutputs: outputs.filter((o) => html(o).includes('<audio')).length,
    tables: Array.from(document.querySelectorAll('table.layerwise-table')).map((t) => ({
      rows: t.querySelectorAll('tbody tr').length,
      headers: Array.from(t.querySelectorAll('thead th')).map((h) => h.textContent.trim()),
    })),
    errorOutputs: document.querySelectorAll('.output_error').length + outputs.filter((o) => o.output_type === 'error').length,
    stderr: Array.from(document.querySelectorAll('.output_stderr')).map((e) => e.textContent),
    progressOutputs: Array.from(document.querySelectorAll('.output_text pre')).map((p) => p.textContent.trim()).filter((t) => ${String(PROGRESS)}.test(t)),
    progressSeen: window.__progressSeen || [],
  };
})()`;

const KERNEL_CONNECTED = 'window.Jupyter !== undefined && Jupyter.notebook !== undefined && Jupyter.notebook.kernel !== null && Jupyter.notebook.kernel.is_connected()';
// Nothing queued or running: no `In [*]` prompt and the kernel indicator idle.
const ALL_IDLE =
  "Array.from(document.querySelectorAll('.code_cell .input_prompt')).every((p) => !p.textContent.includes('*')) && " +
  "document.querySelector('#kernel_indicator_icon').classList.contains('kernel_idle_icon')";

async function waitIdle(page: Page, timeout: number): Promise<void> {
  // the prompt turns to '*' only once the front end sent the request: give it a moment first
  await page.waitForTimeout(500);
  await page.waitForFunction(ALL_IDLE, undefined, { timeout, polling: 250 });
}

/** The text of every output of notebook cell `index` (streams, errors, plain-text displays), from the front end's model. */
function cellOutputText(index: number): string {
  return `(() => {
    const cell = Jupyter.notebook.get_cell(${index});
    if (cell.output_area === undefined) return '';
    return (cell.output_area.outputs || []).map((o) => [].concat(o.text || '').join('') + (o.evalue || '') + (o.data && o.data['text/plain'] ? [].concat(o.data['text/plain']).join('') : '')).join('\\n');
  })()`;
}

describe('a live notebook in Jupyter, driven through Chromium', () => {
  let tmp: string;
  let server: JupyterServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const outsideRequests: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(path.join(REPO, 'dist', 'index.js'))) {
      throw new Error("dist/index.js is missing: the notebooks import the compiled library; run 'npm run build' first");
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-live-'));
    const project = path.join(tmp, 'project');
    fs.mkdirSync(path.join(project, 'notebooks'), { recursive: true });
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.symlinkSync(REPO, path.join(project, 'node_modules', 'layerwise'));
    fs.symlinkSync(path.join(REPO, 'models'), path.join(project, 'models'));
    const dataPath = path.join(project, 'data', 'spoken-words');
    await synthesizeSpokenWords({ outDir: dataPath, variants: 10 });
    for (const name of fs.readdirSync(path.join(REPO, 'notebooks')).filter((f) => f.endsWith('.ipynb'))) {
      fs.copyFileSync(path.join(REPO, 'notebooks', name), path.join(project, 'notebooks', name));
    }
    // 100 of the 100 clips: t-SNE's perplexity 30 needs more than 90 items
    const file = path.join(project, 'notebooks', NOTEBOOK);
    const nb = injectParameters(parseNotebook(fs.readFileSync(file, 'utf8'), file), { numItems: 100, dataPath, outDir: path.join(project, 'outputs', '01') }, file);
    fs.writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');

    const state = path.join(tmp, 'jupyter');
    registerKernel({ dataDir: path.join(state, 'data') });
    server = await startJupyterServer({ root: project, stateDir: state });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    const base = server.base;
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outsideRequests.push(r.url());
    });
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
  }, LONG);

  afterAll(async () => {
    let survivors: number[] = [];
    try {
      if (server !== undefined) survivors = await server.stop();
    } finally {
      await browser?.close();
      if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
    }
    expect(survivors).toEqual([]);
  }, 60_000);

  it(
    `runs ${NOTEBOOK} with Run All and shows every figure, player and table`,
    async () => {
      if (server === undefined) throw new Error('no server');
      await page.goto(server.notebookUrl(`notebooks/${NOTEBOOK}`));
      await page.waitForFunction(KERNEL_CONNECTED, undefined, { timeout: 120_000, polling: 250 });
      await page.evaluate(OBSERVE_PROGRESS);
      // as a person would: the Cell menu, then Run All
      await page.click('#celllink');
      await page.click('#run_all_cells');
      await waitIdle(page, 600_000);
      // players load their data: URLs asynchronously
      await page.waitForFunction("Array.from(document.querySelectorAll('audio')).every((a) => a.readyState >= 1 || a.error !== null)", undefined, { timeout: 30_000 });
      const s = await page.evaluate<PageState>(PAGE_STATE);

      // every code cell ran (numbered 1..n in order), none failed
      expect(s.prompts).toEqual(s.prompts.map((_, i) => `In [${i + 1}]:`));
      expect(s.errorOutputs).toBe(0);
      expect(s.stderr).toEqual([]);
      // figures: t-SNE grid, similarity heatmaps, convexity and probe curves, each drawn by plotly.js in the page
      expect(s.plotlyOutputs).toBeGreaterThanOrEqual(4);
      expect(s.plots).toBe(s.plotlyOutputs);
      expect(s.drawnPlots).toBe(s.plots);
      // three players with the one-second clips as WAV data
      expect(s.audioOutputs).toBe(3);
      expect(s.audio).toHaveLength(3);
      for (const a of s.audio) {
        expect(a).toMatchObject({ error: null, src: 'data:audio/wav;base64,' });
        expect(a.readyState).toBeGreaterThanOrEqual(1);
        expect(a.duration).toBeCloseTo(1, 2);
      }
      // clips per word (10 words), then the per-layer summary (13 hidden states)
      expect(s.tables).toEqual([
        { rows: 10, headers: ['word', 'clips'] },
        { rows: 13, headers: expect.arrayContaining(['layer', 'convexity', 'probe accuracy']) },
      ]);
      // progress: one output, rewritten in place from the first clip to the last
      expect(s.progressOutputs).toHaveLength(1);
      expect(s.progressOutputs[0]).toMatch(/^extract 100\/100 \(100%\)/);
      expect(s.progressSeen.length).toBeGreaterThanOrEqual(2);
      expect(s.progressSeen[0]).toMatch(/^extract 0\/100 \(0%\)/);
      expect(pageErrors).toEqual([]);
      expect(outsideRequests).toEqual([]);

      const figures = page.locator('.layerwise-plot');
      for (let i = 0; i < s.plots; i++) await figures.nth(i).screenshot({ path: path.join(OUT, `figure-${i + 1}.png`) });
      await page.locator('table.layerwise-table').last().screenshot({ path: path.join(OUT, 'table.png') });
    },
    LONG,
  );

  it(
    'shows the error of a cell that throws in that cell, and the kernel keeps its state',
    async () => {
      const cells = await page.evaluate<number>('Jupyter.notebook.ncells()');
      // select the last cell, then command mode 'b' (insert below), Enter (edit), type, Shift-Enter (run)
      await page.evaluate(`Jupyter.notebook.select(${cells - 1}); Jupyter.notebook.command_mode();`);
      await page.keyboard.press('Escape');
      await page.keyboard.press('b');
      await page.keyboard.press('Enter');
      // insertText, not typing: CodeMirror would auto-close the brackets a person types
      await page.keyboard.insertText("throw new Error('live test: a broken cell');");
      await page.keyboard.press('Shift+Enter');
      await waitIdle(page, 60_000);
      const broken = cells;
      expect(await page.evaluate<string>(`Jupyter.notebook.get_cell(${broken}).get_text()`)).toBe("throw new Error('live test: a broken cell');");
      expect(await page.evaluate<string>(cellOutputText(broken))).toContain('live test: a broken cell');
      // the error shows in that cell only
      const everyOther = await page.evaluate<string>(`Jupyter.notebook.get_cells().filter((c, i) => i !== ${broken} && c.output_area !== undefined).map((c) => c.output_area.element.text()).join('\\n')`);
      expect(everyOther).not.toContain('live test: a broken cell');

      // Shift-Enter on the last cell opened a new one in edit mode: the kernel still runs, with the earlier cells' state
      await page.keyboard.insertText('console.log(`layers after the error: ${hidden.length}`);');
      await page.keyboard.press('Shift+Enter');
      await waitIdle(page, 60_000);
      expect(await page.evaluate<string>(cellOutputText(broken + 1))).toContain('layers after the error: 13');
      await page.locator('#notebook-container > .cell').nth(broken).screenshot({ path: path.join(OUT, 'error-cell.png') });
      expect(server === undefined ? [] : await server.kernels()).toHaveLength(1);
      expect(pageErrors).toEqual([]);
    },
    LONG,
  );

  it(
    'a saved copy opened untrusted says how to draw its figures, and draws them once trusted from the File menu',
    async () => {
      if (server === undefined) throw new Error('no server');
      await page.evaluate('Jupyter.notebook.save_notebook()');
      await page.waitForFunction('!Jupyter.notebook.dirty', undefined, { timeout: 30_000 });
      // A changed copy has no signature in the server's trust database: Jupyter strips its output scripts.
      const saved = JSON.parse(fs.readFileSync(path.join(server.root, 'notebooks', NOTEBOOK), 'utf8')) as { metadata: Record<string, unknown> };
      saved.metadata['copied_by'] = 'liveNotebook test';
      fs.writeFileSync(path.join(server.root, 'notebooks', 'copy.ipynb'), JSON.stringify(saved, null, 1) + '\n');
      await page.goto(server.notebookUrl('notebooks/copy.ipynb'));
      await page.waitForFunction(KERNEL_CONNECTED, undefined, { timeout: 120_000, polling: 250 });
      const untrusted = await page.evaluate<{ plots: number; drawn: number; hints: number }>(`({
        plots: document.querySelectorAll('.layerwise-plot').length,
        drawn: document.querySelectorAll('.layerwise-plot svg.main-svg').length,
        hints: Array.from(document.querySelectorAll('.layerwise-plot')).filter((d) => d.textContent.includes('Figure not drawn') && d.textContent.includes('Trust Notebook')).length,
      })`);
      expect(untrusted.plots).toBeGreaterThanOrEqual(4);
      expect(untrusted).toEqual({ plots: untrusted.plots, drawn: 0, hints: untrusted.plots });
      await page.locator('.layerwise-plot').first().screenshot({ path: path.join(OUT, 'untrusted-figure.png') });

      // File > Trust Notebook, confirm: the page reloads trusted, and the saved outputs draw without running anything
      await page.click('#filelink');
      await page.click('#trust_notebook');
      await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.locator('.modal.in').last().locator('button', { hasText: 'Trust' }).click({ timeout: 20_000 })]);
      await page.waitForFunction(KERNEL_CONNECTED, undefined, { timeout: 120_000, polling: 250 });
      await page.waitForFunction(
        "document.querySelectorAll('.layerwise-plot').length > 0 && Array.from(document.querySelectorAll('.layerwise-plot')).every((d) => d.querySelector('svg.main-svg') !== null && !d.textContent.includes('Figure not drawn'))",
        undefined,
        { timeout: 60_000 },
      );
      expect(await page.evaluate<number>("document.querySelectorAll('.layerwise-plot').length")).toBe(untrusted.plots);
      expect(pageErrors).toEqual([]);
      expect(outsideRequests).toEqual([]);
    },
    LONG,
  );
});
