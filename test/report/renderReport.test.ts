/**
 * End to end: a small notebook runs on the real tslab kernel through Debian's Jupyter (nbclient,
 * nbconvert), with injected parameters; the HTML report then opens in headless Chromium, offline, and
 * every figure must draw. Screenshots go to reports/test/ (gitignored; CI keeps them as artifacts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkReport } from '../../src/report/checkReport';
import type { CellJson, NotebookJson } from '../../src/report/notebookJson';
import { NotebookCellError, renderReport } from '../../src/report/renderReport';
import { PLOTLY_MIME } from '../../src/viz/display';
import { PLOTLY_BUNDLE_ATTRIBUTE } from '../../src/viz/plotlyBundle';
import { buildViz, REPO } from './buildViz';

const OUT = path.join(REPO, 'reports', 'test');

function code(source: string, tags?: string[]): CellJson {
  return { cell_type: 'code', source, metadata: tags ? { tags } : {}, outputs: [], execution_count: null };
}

function writeNotebook(file: string, cells: CellJson[]): string {
  const nb: NotebookJson = {
    cells,
    metadata: { kernelspec: { name: 'layerwise', display_name: 'TypeScript (layerwise)', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 4,
  };
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  return file;
}

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

function outputsOf(cell: CellJson | undefined): Output[] {
  return (cell?.outputs ?? []) as Output[];
}

function text(o: Output): string {
  return Array.isArray(o.text) ? o.text.join('') : (o.text ?? '');
}

describe('renderReport on the tslab kernel', () => {
  let tmp: string;
  let vizDir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-report-test-'));
    vizDir = buildViz(path.join(tmp, 'build'));
    // A private kernelspec named like the real one, so the default kernel name is what runs.
    const kernelDir = path.join(tmp, 'jupyter', 'kernels', 'layerwise');
    fs.mkdirSync(kernelDir, { recursive: true });
    fs.writeFileSync(
      path.join(kernelDir, 'kernel.json'),
      JSON.stringify({ argv: [process.execPath, path.join(REPO, 'node_modules', 'tslab', 'bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript (layerwise test)', language: 'typescript' }),
    );
    // The compiled viz lives outside the repo, so the kernel finds plotly.js-dist-min through NODE_PATH.
    env = { JUPYTER_DATA_DIR: path.join(tmp, 'jupyter'), NODE_PATH: path.join(REPO, 'node_modules') };
    fs.mkdirSync(OUT, { recursive: true });
  });

  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('executes with injected parameters and writes an offline HTML report in which every figure draws', async () => {
    const nbFile = writeNotebook(path.join(tmp, 'smoke.ipynb'), [
      { cell_type: 'markdown', source: '# Report smoke test', metadata: {} },
      code("let size = 3;\nlet title: string = 'default title';", ['parameters']),
      code(
        `import * as viz from ${JSON.stringify(vizDir)};\n` +
          'const m = Array.from({length: size}, (_, i) => Array.from({length: size}, (_, j) => 1 / (1 + Math.abs(i - j))));\n' +
          'viz.show(viz.layerHeatmap(m, {title: title}));',
      ),
      code(
        "viz.show(viz.heatmapGrid([{title: 'CKA', values: m}, {title: 'cosine', values: m}], {sharedScale: true}));\n" +
          "viz.show(viz.table([{layer: 0, cka: 1}]));\nconsole.log('size', size);",
      ),
    ]);
    const lines: string[] = [];
    const r = await renderReport(nbFile, { params: { size: 5, title: 'injected title' }, outDir: OUT, env, timeoutSeconds: 120, log: (l) => lines.push(l) });
    expect(r.html).toBe(path.join(OUT, 'smoke.html'));
    expect(r.notebook).toBe(path.join(OUT, 'smoke.ipynb'));
    expect(r.cells).toBe(4);
    expect(lines.some((l) => l.includes('cell 4/4'))).toBe(true);

    const executed = JSON.parse(fs.readFileSync(r.notebook, 'utf8')) as NotebookJson;
    expect(executed.cells.map((c) => c.metadata.tags ?? [])).toEqual([[], ['parameters'], ['injected-parameters'], [], []]);
    expect(executed.cells.map((c) => c.execution_count ?? null)).toEqual([null, 1, 2, 3, 4]);
    const figureOutputs = executed.cells.flatMap(outputsOf).filter((o) => o.data?.[PLOTLY_MIME] !== undefined);
    expect(figureOutputs).toHaveLength(2);
    // plotly.js travels once, with the session's first figure
    const bundles = executed.cells.flatMap(outputsOf).filter((o) => String(o.data?.['text/html'] ?? '').includes(PLOTLY_BUNDLE_ATTRIBUTE));
    expect(bundles).toHaveLength(1);
    expect(bundles[0]).toBe(figureOutputs[0]);
    // the injected size reached the figure
    const heat = figureOutputs[0]?.data?.[PLOTLY_MIME] as { data: { z: number[][] }[]; layout: { title: { text: string } } };
    expect(heat.data[0]?.z).toHaveLength(5);
    expect(heat.layout.title.text).toBe('injected title');
    expect(outputsOf(executed.cells[4]).filter((o) => o.name === 'stdout').map(text).join('')).toBe('size 5\n');

    const html = fs.readFileSync(r.html, 'utf8');
    expect(html.split(PLOTLY_BUNDLE_ATTRIBUTE).length - 1).toBe(1);
    const check = await checkReport(r.html, { screenshot: path.join(OUT, 'smoke.png') });
    expect(check.pageErrors).toEqual([]);
    expect(check.externalRequests).toEqual([]);
    expect(check.figures).toBe(2);
    expect(check.rendered).toBe(2);
    expect(fs.statSync(path.join(OUT, 'smoke.png')).size).toBeGreaterThan(10000);
  });

  it('fails with the failing cell and its error, keeps the executed notebook and writes no report', async () => {
    const nbFile = writeNotebook(path.join(tmp, 'broken.ipynb'), [
      code('let n = 1;', ['parameters']),
      code("console.log('before');"),
      code("throw new Error('deliberate failure ' + (n + 41));"),
      code("console.log('never');"),
    ]);
    const err = await renderReport(nbFile, { outDir: OUT, env, timeoutSeconds: 60 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NotebookCellError);
    const e = err as NotebookCellError;
    expect(e.cellIndex).toBe(2);
    expect(e.source).toContain('deliberate failure');
    expect(e.output).toContain('Error: deliberate failure 42');
    expect(e.message).toContain('cell 2 failed');
    expect(fs.existsSync(path.join(OUT, 'broken.html'))).toBe(false);
    const executed = JSON.parse(fs.readFileSync(path.join(OUT, 'broken.ipynb'), 'utf8')) as NotebookJson;
    expect(outputsOf(executed.cells[1]).map(text).join('')).toBe('before\n');
    expect(outputsOf(executed.cells[3])).toEqual([]);
  });

  it('fails on a promise rejected and never awaited, naming the cell it surfaced in; the probes leave no trace', async () => {
    const during = writeNotebook(path.join(tmp, 'unawaited.ipynb'), [
      code("console.log('first');"),
      code("const lost = Promise.reject(new Error('nobody awaits ' + 42));\nconsole.log('second');"),
      code("console.log('never');"),
    ]);
    const err = await renderReport(during, { outDir: OUT, env, timeoutSeconds: 60 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NotebookCellError);
    const e = err as NotebookCellError;
    expect(e.cellIndex).toBe(1);
    expect(e.message).toMatch(/cell 1 failed \(unhandled promise rejection during this cell: Error: nobody awaits 42/);
    expect(fs.existsSync(path.join(OUT, 'unawaited.html'))).toBe(false);
    const executed = JSON.parse(fs.readFileSync(path.join(OUT, 'unawaited.ipynb'), 'utf8')) as NotebookJson;
    // The cells hold their own outputs only, and no probe cell was added.
    expect(executed.cells).toHaveLength(3);
    expect(outputsOf(executed.cells[0]).map(text).join('')).toBe('first\n');
    expect(outputsOf(executed.cells[1]).map(text).join('')).toBe('second\n');

    // Work started in the last cell that fails a little later is still caught.
    const later = writeNotebook(path.join(tmp, 'later.ipynb'), [code("setTimeout(() => { Promise.reject(new Error('too late')); }, 100);\nconsole.log('started');")]);
    await expect(renderReport(later, { outDir: OUT, env, timeoutSeconds: 60 })).rejects.toThrow(/unhandled promise rejection (during this cell|after the last cell): Error: too late/);

    // A rejection that is handled is no failure.
    const handled = writeNotebook(path.join(tmp, 'handled.ipynb'), [code("const caught = await Promise.reject(new Error('x')).catch(() => 'fine');\nconsole.log(caught);")]);
    const ok = await renderReport(handled, { outDir: OUT, env, timeoutSeconds: 60 });
    const clean = JSON.parse(fs.readFileSync(ok.notebook, 'utf8')) as NotebookJson;
    expect(clean.cells).toHaveLength(1);
    expect(outputsOf(clean.cells[0]).map(text).join('')).toBe('fine\n');
  });

  it('reports a parameter of the wrong type as a type error in the injected cell', async () => {
    const nbFile = writeNotebook(path.join(tmp, 'typed.ipynb'), [code('let n: number = 1;', ['parameters']), code('console.log(n);')]);
    const err = await renderReport(nbFile, { params: { n: 'abc' }, outDir: OUT, env, timeoutSeconds: 60 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NotebookCellError);
    const e = err as NotebookCellError;
    expect(e.cellIndex).toBe(1);
    expect(e.output).toMatch(/Type 'string' is not assignable to type 'number'/);
  });

  it('says which kernel is missing', async () => {
    const nbFile = writeNotebook(path.join(tmp, 'nokernel.ipynb'), [code('1;')]);
    await expect(renderReport(nbFile, { outDir: OUT, env, kernel: 'no-such-kernel-xyz' })).rejects.toThrow(/no Jupyter kernel named 'no-such-kernel-xyz'.*layerwise kernel install/);
  });
});
