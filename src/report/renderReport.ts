import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { injectParameters, type ParamValue } from './injectParameters';
import { parseNotebook } from './notebookJson';
import { RUNNER_SCRIPT } from './runnerScript';

/** Options of `renderReport`: parameters, output folder, environment, time limit. */
export interface RenderReportOptions {
  /** Values for the notebook's `let` parameters (see `injectParameters`). */
  params?: Readonly<Record<string, ParamValue>>;
  /** Output directory (default 'reports'); receives `<name>.html` and the executed `<name>.ipynb`. */
  outDir?: string;
  /** Jupyter kernel name (default 'layerwise', registered by `layerwise kernel install`). */
  kernel?: string;
  /** Limit per cell in seconds (default 600). */
  timeoutSeconds?: number;
  /** Python with Jupyter (default Debian's /usr/bin/python3). */
  python?: string;
  /** Extra environment for the Jupyter process and the kernel (e.g. JUPYTER_DATA_DIR). */
  env?: Readonly<Record<string, string>>;
  /** Receives progress lines ("cell 3/12 ..."). */
  log?: (line: string) => void;
}

/** The executed notebook and its HTML report. */
export interface RenderReportResult {
  /** Absolute path of the HTML report. */
  html: string;
  /** Absolute path of the executed notebook. */
  notebook: string;
  /** Code cells executed. */
  cells: number;
  seconds: number;
}

/** A notebook cell failed; the executed notebook (with the failing cell's output) was still written. */
export class NotebookCellError extends Error {
  constructor(
    message: string,
    readonly cellIndex: number,
    readonly source: string,
    readonly output: string,
    readonly executedNotebook: string,
  ) {
    super(message);
    this.name = 'NotebookCellError';
  }
}

interface RunnerResult {
  ok: boolean;
  kind?: string;
  message?: string;
  cells?: number;
  cell?: number;
  source?: string;
  output?: string;
}

/**
 * Execute a notebook headless on the tslab kernel, with parameters injected after its `parameters` cell,
 * and write an HTML report that opens offline (figures carry plotly.js, the page loads nothing from the
 * network) plus the executed notebook. The kernel runs in the notebook's directory, as in Jupyter.
 * Throws `NotebookCellError` naming the first failing cell and its error output.
 */
export async function renderReport(notebookPath: string, opts: RenderReportOptions = {}): Promise<RenderReportResult> {
  const started = Date.now();
  const input = path.resolve(notebookPath);
  if (!fs.existsSync(input)) throw new Error(`${notebookPath}: no such notebook`);
  const timeout = opts.timeoutSeconds ?? 600;
  if (!(Number.isFinite(timeout) && timeout > 0)) throw new Error(`timeoutSeconds must be positive, got ${timeout}`);
  const python = opts.python ?? '/usr/bin/python3';
  if (!fs.existsSync(python)) throw new Error(`${python} not found: the report needs a Python with Jupyter (nbclient, nbconvert)`);
  const name = path.basename(input).replace(/\.ipynb$/i, '');
  const outDir = path.resolve(opts.outDir ?? 'reports');
  const html = path.join(outDir, `${name}.html`);
  const executed = path.join(outDir, `${name}.ipynb`);
  if (executed === input) throw new Error(`${notebookPath}: the output directory holds the notebook itself; choose another --out`);

  const nb = injectParameters(parseNotebook(fs.readFileSync(input, 'utf8'), notebookPath), opts.params ?? {}, notebookPath);
  fs.mkdirSync(outDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-report-'));
  try {
    const injected = path.join(work, `${name}.ipynb`);
    fs.writeFileSync(injected, JSON.stringify(nb, null, 1) + '\n');
    const resultFile = path.join(work, 'result.json');
    // A stale report must not survive a failed run and pass for the new one.
    fs.rmSync(html, { force: true });
    const config = {
      notebook: injected,
      cwd: path.dirname(input),
      kernel: opts.kernel ?? 'layerwise',
      timeout,
      outIpynb: executed,
      outHtml: html,
      title: name,
      result: resultFile,
    };
    const { code, stderr } = await runPython(python, ['-c', RUNNER_SCRIPT, JSON.stringify(config)], { ...process.env, ...(opts.env ?? {}) }, opts.log);
    const result = readResult(resultFile);
    if (result === undefined) {
      throw new Error(`${notebookPath}: the Jupyter runner exited with code ${code} without a result:\n${stderr.slice(-4000)}`);
    }
    if (!result.ok) {
      if (result.kind === 'cell' && result.cell !== undefined) {
        const output = result.output ?? '';
        throw new NotebookCellError(
          `${notebookPath}: cell ${result.cell} failed (${result.message ?? 'error'}):\n${indent(result.source ?? '')}\n--- output ---\n${output.trim()}\n(executed notebook: ${executed})`,
          result.cell,
          result.source ?? '',
          output,
          executed,
        );
      }
      throw new Error(`${notebookPath}: ${result.message ?? `the Jupyter runner failed (exit code ${code})`}`);
    }
    return { html, notebook: executed, cells: result.cells ?? 0, seconds: (Date.now() - started) / 1000 };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function runPython(python: string, args: string[], env: NodeJS.ProcessEnv, log?: (line: string) => void): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      stderr += text;
      if (log !== undefined) {
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) log(l);
      }
    });
    child.on('error', (e) => reject(new Error(`could not start ${python}: ${e.message}`)));
    child.on('close', (code) => {
      if (log !== undefined && pending !== '') log(pending);
      resolve({ code: code ?? -1, stderr });
    });
  });
}

function readResult(file: string): RunnerResult | undefined {
  if (!fs.existsSync(file)) return undefined;
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { ok?: unknown }).ok !== 'boolean') return undefined;
  return parsed as RunnerResult;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}
