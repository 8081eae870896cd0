import * as path from 'node:path';
import { checkReport } from '../report/checkReport';
import type { ParamValue } from '../report/injectParameters';
import { parseParam } from '../report/parseParam';
import { NotebookCellError, renderReport, type RenderReportOptions } from '../report/renderReport';
import { parseArgs, type ParsedArgs } from './parseArgs';
import { at } from '../util/at';
import { errorMessage } from '../util/describeError';

export const usage = `layerwise report <notebook.ipynb> [--param key=value]... [--out DIR] [--kernel NAME] [--timeout SECONDS] [--check]
  Execute the notebook headless on the tslab kernel and write DIR/<notebook>.html (opens offline) and the
  executed DIR/<notebook>.ipynb (DIR defaults to ./reports).
  --param key=value  set a parameter: the notebook's cell tagged 'parameters' declares it with 'let';
                     the value is read as JSON when it parses (50, true, [3,10], "123"), else as a string
  --kernel NAME      Jupyter kernel (default 'layerwise'; register it with 'layerwise kernel install')
  --timeout SECONDS  limit per cell (default 600)
  --check            open the report in headless Chromium, require every figure drawn and no page errors,
                     and save a screenshot as DIR/<notebook>.png`;

export async function run(argv: string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, { strings: ['out', 'kernel', 'timeout'], lists: ['param'], booleans: ['check', 'help'] });
  } catch (e) {
    process.stderr.write(`${errorMessage(e)}\n${usage}\n`);
    return 2;
  }
  if (args.booleans['help'] === true) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (args.positional.length !== 1) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const notebook = at(args.positional, 0);
  const params: Record<string, ParamValue> = {};
  const opts: RenderReportOptions = { params, log: (line) => process.stderr.write(`${line}\n`) };
  try {
    for (const p of args.lists['param'] ?? []) {
      const [k, v] = parseParam(p);
      if (k in params) throw new Error(`--param ${k} is given twice`);
      params[k] = v;
    }
    const out = args.strings['out'];
    const kernel = args.strings['kernel'];
    const timeout = args.strings['timeout'];
    if (out !== undefined) opts.outDir = out;
    if (kernel !== undefined) opts.kernel = kernel;
    if (timeout !== undefined) {
      const t = Number(timeout);
      if (!(Number.isFinite(t) && t > 0)) throw new Error(`--timeout must be a positive number of seconds, got '${timeout}'`);
      opts.timeoutSeconds = t;
    }
    const r = await renderReport(notebook, opts);
    process.stdout.write(`wrote ${path.relative(process.cwd(), r.html)} and ${path.relative(process.cwd(), r.notebook)} (${r.cells} cells, ${r.seconds.toFixed(1)} s)\n`);
    if (args.booleans['check'] === true) {
      const png = r.html.replace(/\.html$/, '.png');
      const c = await checkReport(r.html, { screenshot: png });
      process.stdout.write(`check: ${c.rendered}/${c.figures} figures drawn, ${c.pageErrors.length} page errors, ${c.externalRequests.length} external requests; screenshot ${path.relative(process.cwd(), png)}\n`);
      const problems = [
        ...(c.rendered < c.figures ? [`${c.figures - c.rendered} of ${c.figures} figures did not draw`] : []),
        ...c.pageErrors.map((e) => `page error: ${e}`),
        ...c.externalRequests.map((u) => `external request: ${u}`),
      ];
      if (problems.length > 0) {
        process.stderr.write(`report check failed for ${r.html}:\n  ${problems.join('\n  ')}\n`);
        return 1;
      }
    }
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof NotebookCellError ? e.message : `layerwise report: ${errorMessage(e)}`}\n`);
    return 1;
  }
}
