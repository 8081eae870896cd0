/**
 * The kernel's fix to tslab's cell compiler: a shorthand property naming a variable of an earlier cell
 * (`lw.tsne(X, { seed })` with `seed` from the parameters cell) reads that variable, as in plain TypeScript.
 * Checked by executing a notebook on the registered kernel (which starts dist/jupyter/tslabKernel.js).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { patchConverterSource } from '../../src/jupyter/tslabKernel';
import { registerKernel } from '../../src/jupyter/kernelSpec';
import { parseNotebook } from '../../src/report/notebookJson';
import { renderReport } from '../../src/report/renderReport';

const REPO = path.resolve(__dirname, '..', '..');

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source, i) => ({ cell_type: 'code', execution_count: null, id: `c${i}`, metadata: i === 0 ? { tags: ['parameters'] } : {}, outputs: [], source })),
    metadata: { kernelspec: { name: 'layerwise', display_name: 'TypeScript (layerwise)', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

describe("the kernel's shorthand-property fix", () => {
  it('patches the installed tslab converter at its one anchor, and refuses a converter it does not know', () => {
    const file = require.resolve('tslab/dist/converter.js');
    const patched = patchConverterSource(fs.readFileSync(file, 'utf8'), file);
    expect(patched).toContain('ts.isShorthandPropertyAssignment(node)');
    expect(() => patchConverterSource('function other() {}', 'x.js')).toThrow('x.js: not the tslab converter this patch was written for');
  });

  it('cells read earlier cells\u2019 variables through shorthand properties, in literals and in destructuring', async () => {
    if (!fs.existsSync(path.join(REPO, 'dist', 'jupyter', 'tslabKernel.js'))) throw new Error("dist/ is missing; run 'npm run build' first");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-shorthand-'));
    try {
      registerKernel({ dataDir: path.join(tmp, 'jupyter') });
      const file = path.join(tmp, 'shorthand.ipynb');
      fs.writeFileSync(
        file,
        notebook([
          'let seed: number = 42;\nlet perplexity: number = 10;',
          'const opts = { seed, perplexity, local: 1 };\nconsole.log(JSON.stringify(opts));',
          'function show(o: { seed: number }): string { return JSON.stringify(o); }\nconsole.log(show({ seed }));\nconst inner = 7;\nconsole.log(JSON.stringify({ inner, opts }));',
          'let a = 0;\nlet b = 0;\n({ a, b } = { a: seed, b: perplexity });\nconsole.log(`${a} ${b}`);',
          'console.log(`${a + b} ${JSON.stringify({ a })}`);',
        ]),
      );
      const r = await renderReport(file, { outDir: path.join(tmp, 'out'), env: { JUPYTER_DATA_DIR: path.join(tmp, 'jupyter') }, params: { seed: 3 }, timeoutSeconds: 120 });
      const nb = parseNotebook(fs.readFileSync(r.notebook, 'utf8'), r.notebook);
      const streamText = (o: unknown): string => {
        const t: unknown = typeof o === 'object' && o !== null && 'text' in o ? o.text : '';
        return Array.isArray(t) ? t.join('') : typeof t === 'string' ? t : '';
      };
      // after the parameters cell and the injected one
      const text = nb.cells.slice(2).map((c) => (c.outputs ?? []).map(streamText).join(''));
      expect(text).toEqual(['{"seed":3,"perplexity":10,"local":1}\n', '{"seed":3}\n{"inner":7,"opts":{"seed":3,"perplexity":10,"local":1}}\n', '3 10\n', '13 {"a":3}\n']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});
