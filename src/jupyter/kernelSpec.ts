/**
 * Registers the Jupyter kernel that notebooks run on: tslab from this project's own node_modules, started by
 * absolute path with the same Node binary, so no global install is needed and the kernel always matches the
 * library version the notebooks import.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../util/packagePaths';
import { writeFileAtomic } from '../util/writeFileAtomic';

/** The Jupyter kernel name `layerwise kernel install` registers (`layerwise`). */
export const KERNEL_NAME = 'layerwise';

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  metadata: { layerwise: { root: string } };
}

/** Options of `registerKernel`: kernel name, Jupyter data folder, project root. */
export interface RegisterKernelOptions {
  /** Jupyter data directory to install into (default: $JUPYTER_DATA_DIR, else the per-user Jupyter data dir). */
  dataDir?: string;
  /** Project root whose node_modules holds tslab (default: this package's root). */
  projectRoot?: string;
  /** Kernel name (default 'layerwise'). */
  name?: string;
}

/** What `registerKernel` wrote: the kernel name, its kernel.json and the spec. */
export interface RegisterKernelResult {
  name: string;
  kernelJson: string;
  spec: KernelSpec;
}


/** The per-user Jupyter data directory, as jupyter_core computes it. */
export function defaultJupyterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['JUPYTER_DATA_DIR']) return env['JUPYTER_DATA_DIR'];
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Jupyter');
  if (process.platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'jupyter');
  const xdg = env['XDG_DATA_HOME'] ?? path.join(home, '.local', 'share');
  return path.join(xdg, 'jupyter');
}

/** The kernelspec for a project root. */
export function kernelSpec(projectRoot: string = packageRoot()): KernelSpec {
  // Node's own lookup from the package folder: <root>/node_modules/tslab in a checkout, a hoisted
  // <project>/node_modules/tslab when layerwise is installed as a dependency
  try {
    require.resolve('tslab/package.json', { paths: [projectRoot] });
  } catch {
    throw new Error(`tslab is not installed for ${projectRoot} (it is a dependency of layerwise); run 'npm ci' (or 'npm install') there first`);
  }
  // tslab's kernel through layerwise's launcher, which fixes shorthand properties in cells (tslabKernel.ts)
  const launcher = path.join(projectRoot, 'dist', 'jupyter', 'tslabKernel.js');
  if (!fs.existsSync(launcher)) throw new Error(`${launcher} is missing; run 'npm run build' in ${projectRoot}`);
  return {
    // --config-path and {connection_file} are separate argv entries (tslab issue #36).
    argv: [process.execPath, launcher, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (layerwise)',
    language: 'typescript',
    metadata: { layerwise: { root: projectRoot } },
  };
}

/** Write `<dataDir>/kernels/<name>/kernel.json`; rewriting an identical spec is a no-op (idempotent). */
export function registerKernel(opts: RegisterKernelOptions = {}): RegisterKernelResult {
  const name = opts.name ?? KERNEL_NAME;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) throw new Error(`kernel name '${name}' may only use letters, digits, '.', '_' and '-'`);
  const spec = kernelSpec(opts.projectRoot ?? packageRoot());
  const dir = path.join(opts.dataDir ?? defaultJupyterDataDir(), 'kernels', name);
  fs.mkdirSync(dir, { recursive: true });
  const kernelJson = path.join(dir, 'kernel.json');
  const text = JSON.stringify(spec, null, 2) + '\n';
  const old = fs.existsSync(kernelJson) ? fs.readFileSync(kernelJson, 'utf8') : null;
  if (old !== text) writeFileAtomic(kernelJson, text);
  return { name, kernelJson, spec };
}
