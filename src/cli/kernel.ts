import { registerKernel, defaultJupyterDataDir, KERNEL_NAME } from '../jupyter/kernelSpec';
import { parseArgs } from './parseArgs';

export const usage = `layerwise kernel install [--data-dir DIR] [--name NAME]
  Register the Jupyter kernel '${KERNEL_NAME}' (this project's tslab, by absolute path).
  DIR defaults to $JUPYTER_DATA_DIR or the per-user Jupyter data dir (${defaultJupyterDataDir()}).`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { strings: ['data-dir', 'name'] });
  if (args.positional[0] !== 'install') {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const opts: { dataDir?: string; name?: string } = {};
  const dataDir = args.strings['data-dir'];
  const name = args.strings['name'];
  if (dataDir !== undefined) opts.dataDir = dataDir;
  if (name !== undefined) opts.name = name;
  const r = registerKernel(opts);
  process.stdout.write(`registered Jupyter kernel '${r.name}' at ${r.kernelJson}\n`);
  return 0;
}
