/**
 * Files that ship with layerwise, found from the package itself rather than from the current directory, so a
 * notebook or script works wherever it sits: the bundled demo models (`demo:NAME` for `models/NAME`) and the
 * folder where demo datasets are synthesized.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The package root: two levels above this file in both `src/util` and `dist/util`. */
export function packageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** True when layerwise runs from an installed copy (inside some node_modules/), not from a checkout. */
export function isInstalledPackage(root: string = packageRoot()): boolean {
  return root.split(path.sep).includes('node_modules');
}

const DEMO = /^demo:([a-z0-9][a-z0-9._-]*)((?:\/[^/]+)*)$/i;

/**
 * `demo:NAME` (or `demo:NAME/FILE`) -> the absolute path of the bundled `models/NAME` (or a file in it); any other
 * string -> undefined. Throws when the demo does not exist, listing those that do.
 */
export function resolveDemo(spec: string): string | undefined {
  if (!spec.startsWith('demo:')) return undefined;
  const m = DEMO.exec(spec);
  const models = path.join(packageRoot(), 'models');
  const available = fs.existsSync(models) ? fs.readdirSync(models, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `demo:${e.name}`) : [];
  const target = m === null || (m[2] ?? '').split('/').includes('..') ? undefined : path.join(models, m[1] ?? '', ...(m[2] ?? '').split('/').filter((p) => p !== ''));
  if (target === undefined || !fs.existsSync(target)) {
    throw new Error(`'${spec}' is not a bundled demo of this layerwise (${models}); available: ${available.join(', ') || 'none'}`);
  }
  return target;
}

/** Where a user-given path points, for messages: the path, and the absolute path it resolves to from here. */
export function describePath(given: string): string {
  const abs = path.resolve(given);
  return abs === given ? `'${given}'` : `'${given}' (resolved from ${process.cwd()} to ${abs})`;
}

/**
 * The folder of the demo dataset `name`: `data/NAME` in a checkout (where `environment/main.sh` makes them),
 * else `$LAYERWISE_CACHE/demo-data/NAME` (default ~/.cache/layerwise), so an installed package never writes into
 * node_modules or into the user's working folder.
 */
export function demoDataPath(name: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`demoDataPath: '${name}' is not a demo dataset name`);
  const root = packageRoot();
  if (!isInstalledPackage(root)) return path.join(root, 'data', name);
  return path.join(process.env['LAYERWISE_CACHE'] ?? path.join(os.homedir(), '.cache', 'layerwise'), 'demo-data', name);
}
