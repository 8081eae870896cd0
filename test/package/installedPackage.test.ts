/**
 * layerwise used from a student's own folder, as the README tells it: the package installed from its `npm pack`
 * tarball and from a path, nothing registered globally (the kernel goes into the project's own Jupyter folder),
 * then a script (plain Node, and TypeScript through tsx) and a notebook run from that folder.
 */
import { execFileSync, spawnSync, type ExecFileSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const LONG = 600_000;

function sh(cmd: string, args: readonly string[], opts: ExecFileSyncOptions): string {
  try {
    return execFileSync(cmd, args, { stdio: 'pipe', ...opts }).toString('utf8');
  } catch (e) {
    const out = (k: string): string => (typeof e === 'object' && e !== null && k in e ? String((e as Record<string, unknown>)[k]) : '');
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${out('stdout')}\n${out('stderr')}`);
  }
}

const SCRIPT_JS = `const lw = require('layerwise');
const path = require('node:path');
(async () => {
  const model = await lw.loadModel(path.join(path.dirname(require.resolve('layerwise/package.json')), 'models', 'wav2vec2-tiny-random', 'model.onnx'));
  const x = new Float32Array(16000).map((_, i) => Math.sin(i / 10));
  const cache = await model.run(x);
  console.log(JSON.stringify({ layers: model.layerNames.filter((n) => n.startsWith('hidden.')).length, frames: cache.hidden(6).rows }));
  await model.release();
})();
`;

const SCRIPT_TS = `import * as lw from 'layerwise';

const rows: { layer: string; value: number }[] = [0, 1, 2].map((i) => ({ layer: \`hidden.\${i}\`, value: i / 2 }));
const file: string = lw.saveCSV(rows, 'out/values.csv');
const fig: lw.Figure = lw.layerCurves([{ name: 'v', values: rows.map((r) => r.value) }], { title: 'values', yTitle: 'v' });
console.log(JSON.stringify({ file, traces: fig.data.length }));
`;

function notebook(): string {
  const cell = (source: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source, ...extra });
  return JSON.stringify({
    cells: [
      { ...cell("let n: number = 3;"), metadata: { tags: ['parameters'] } },
      cell("import * as lw from 'layerwise';\nconst heat = lw.layerHeatmap([[1, 0.5], [0.5, 1]], { title: 'CKA from the project' });\nlw.show(heat);\nconsole.log(`n = ${n}`);"),
    ].map((c, i) => ({ ...c, id: `cell-${i}` })),
    metadata: { kernelspec: { name: 'layerwise', display_name: 'TypeScript (layerwise)', language: 'typescript' }, language_info: { name: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

describe('layerwise installed into a fresh project', () => {
  let tmp: string;
  let tarball: string;
  const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

  beforeAll(() => {
    if (!fs.existsSync(path.join(REPO, 'dist', 'index.js'))) throw new Error("dist/ is missing; run 'npm run build' first");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-package-'));
    const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: REPO, env })) as { filename: string }[];
    tarball = path.join(tmp, packed[0]?.filename ?? '');
  }, LONG);

  afterAll(() => {
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  function project(name: string): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
    // what the README tells users without GitHub access: onnxruntime-node's CPU runtime is in the npm package
    fs.writeFileSync(path.join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
    return dir;
  }

  /** The script, the TypeScript script and the notebook, run from `dir`. */
  function useFrom(dir: string): void {
    const js = path.join(dir, 'script.js');
    fs.writeFileSync(js, SCRIPT_JS);
    expect(JSON.parse(sh(process.execPath, [js], { cwd: dir, env }))).toEqual({ layers: 13, frames: 49 });

    fs.writeFileSync(path.join(dir, 'analysis.ts'), SCRIPT_TS);
    const out = sh(path.join(dir, 'node_modules', '.bin', 'tsx'), ['analysis.ts'], { cwd: dir, env });
    expect(JSON.parse(out)).toEqual({ file: path.join(dir, 'out', 'values.csv'), traces: 1 });
    expect(fs.readFileSync(path.join(dir, 'out', 'values.csv'), 'utf8')).toBe('layer,value\r\nhidden.0,0\r\nhidden.1,0.5\r\nhidden.2,1\r\n');

    // the kernel registered into the project's own Jupyter folder, the notebook reported from there
    const cli = path.join(dir, 'node_modules', 'layerwise', 'dist', 'cli.js');
    const jupyter = path.join(dir, '.jupyter');
    sh(process.execPath, [cli, 'kernel', 'install', '--data-dir', jupyter], { cwd: dir, env });
    fs.writeFileSync(path.join(dir, 'mine.ipynb'), notebook());
    sh(process.execPath, [cli, 'report', 'mine.ipynb', '--out', 'reports', '--param', 'n=5'], { cwd: dir, env: { ...env, JUPYTER_DATA_DIR: jupyter } });
    const executed = fs.readFileSync(path.join(dir, 'reports', 'mine.ipynb'), 'utf8');
    expect(executed).toContain('n = 5');
    expect(executed).toContain('CKA from the project');
    expect(executed).not.toContain('"output_type": "error"');
    expect(fs.existsSync(path.join(dir, 'reports', 'mine.html'))).toBe(true);
  }

  it(
    'from the npm pack tarball: no global registration, a script, a TypeScript script and a notebook run from the project',
    () => {
      const dir = project('from-tarball');
      const install = spawnSync('npm', ['install', '--prefer-offline', tarball, 'tsx'], { cwd: dir, env, encoding: 'utf8' });
      expect({ status: install.status, stderr: install.status === 0 ? '' : install.stderr }).toEqual({ status: 0, stderr: '' });
      // layerwise itself runs nothing at install (its self-link is a `prepare` step of the checkout)
      expect(install.stderr).not.toMatch(/layerwise@[^ ]+ \((pre|post)?install/);
      expect(fs.lstatSync(path.join(dir, 'node_modules', 'layerwise')).isDirectory()).toBe(true);
      useFrom(dir);
    },
    LONG,
  );

  it(
    'from a path (npm install <checkout>): the same uses work through the link',
    () => {
      const dir = project('from-path');
      sh('npm', ['install', '--prefer-offline', REPO, 'tsx'], { cwd: dir, env });
      expect(fs.realpathSync(path.join(dir, 'node_modules', 'layerwise'))).toBe(REPO);
      useFrom(dir);
    },
    LONG,
  );
});
