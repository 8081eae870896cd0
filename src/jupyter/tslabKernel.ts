/**
 * The process the `layerwise` kernelspec starts: tslab's own kernel, with one fix to its cell compiler applied
 * in memory (tslab's files on disk are not changed, so the fix holds wherever layerwise is installed).
 *
 * tslab keeps the variables of earlier cells on `exports` and rewrites every reference to them as
 * `exports.name`; a shorthand property (`{ seed }`, meaning `{ seed: seed }`) was left alone, so it read a
 * variable that no longer exists in the cell's scope (`ReferenceError: seed is not defined`). The patch rewrites
 * such a property to `seed: exports.seed`, as TypeScript's own transforms expand shorthands.
 */
import * as fs from 'node:fs';
import { createRequire, Module } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** Where the patch goes: the start of the converter's `wrapPrevIdentifier` visitor (tslab 1.0.x). */
const ANCHOR = '        function wrapPrevIdentifier(node) {\n';

const PATCH = `            // layerwise: { name } with name from an earlier cell -> { name: exports.name }
            if (ts.isShorthandPropertyAssignment(node) && node.objectAssignmentInitializer === undefined) {
                const value = checker.getShorthandAssignmentValueSymbol(node);
                if (value && (value.declarations || []).some((d) => d.getSourceFile() === declsFile)) {
                    return ts.factory.createPropertyAssignment(ts.factory.createIdentifier(node.name.text),
                        ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier("exports"), ts.factory.createIdentifier(node.name.text)));
                }
            }
`;

/** tslab's converter source with the shorthand fix; throws when the source does not look like tslab 1.0.x's. */
export function patchConverterSource(source: string, file = 'converter.js'): string {
  const at = source.indexOf(ANCHOR);
  if (at < 0 || source.indexOf(ANCHOR, at + 1) >= 0 || !source.includes('getSymbolAtLocation(node)')) {
    throw new Error(`${file}: not the tslab converter this patch was written for (tslab 1.0.x); update src/jupyter/tslabKernel.ts`);
  }
  return source.slice(0, at + ANCHOR.length) + PATCH + source.slice(at + ANCHOR.length);
}

/** tslab's package folder, found from layerwise's own folder as Node would find it. */
function tslabDir(): string {
  return path.dirname(require.resolve('tslab/package.json', { paths: [path.resolve(__dirname, '..', '..')] }));
}

/** Compile the patched converter and put it into the module cache, where tslab's main.js will find it. */
export function installPatchedConverter(dir: string = tslabDir()): void {
  const file = path.join(dir, 'dist', 'converter.js');
  const source = patchConverterSource(fs.readFileSync(file, 'utf8'), file);
  const mod = new Module(file);
  mod.filename = file;
  const wrapper: unknown = vm.runInThisContext(Module.wrap(source), { filename: file });
  if (typeof wrapper !== 'function') throw new Error(`${file}: did not compile to a module function`);
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  require.cache[file] = mod;
}

/** `tslabKernel.js kernel --config-path FILE`: start the patched kernel on that connection file. */
export function startKernel(argv: readonly string[]): void {
  const i = argv.indexOf('--config-path');
  const configPath = i >= 0 ? argv[i + 1] : undefined;
  if (argv[0] !== 'kernel' || configPath === undefined) throw new Error('usage: tslabKernel.js kernel --config-path CONNECTION_FILE');
  const dir = tslabDir();
  try {
    installPatchedConverter(dir);
  } catch (e) {
    // a tslab this patch does not know still runs, only without the fix (test/jupyter/tslabKernel.test.ts fails then)
    process.stderr.write(`layerwise kernel: tslab's shorthand fix not applied (${e instanceof Error ? e.message : String(e)}); write { name: name } for earlier cells' variables\n`);
  }
  const main: unknown = require(path.join(dir, 'dist', 'main.js'));
  const start = typeof main === 'object' && main !== null ? (main as { startKernel?: unknown }).startKernel : undefined;
  if (typeof start !== 'function') throw new Error(`${dir}: tslab's main.js has no startKernel`);
  // enableFindLocal false: always this package's tslab, never one that happens to sit beside the notebook
  start({ configPath, enableFindLocal: false });
}

if (require.main === module) startKernel(process.argv.slice(2));
