/**
 * The public API as a notebook author sees it (`import * as lw from 'layerwise'`): the root lists exactly the
 * union of the folders' public lists, every name in it is documented, and it stays a curated list rather
 * than everything that exists. Read with the TypeScript compiler from the sources, so nothing needs building.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.resolve(__dirname, '..', '..', 'src');
const FOLDERS = ['util', 'hub', 'onnx', 'data', 'checkpoint', 'model', 'store', 'kernels', 'sae', 'experiments', 'words', 'viz', 'jupyter', 'report'];
const ROOT_FILES = ['matrix.ts', 'random.ts'];

const program = ts.createProgram([path.join(SRC, 'index.ts')], { strict: true, esModuleInterop: true, skipLibCheck: true, resolveJsonModule: true, types: ['node'] });
const checker = program.getTypeChecker();

function exportsOf(file: string): ts.Symbol[] {
  const sf = program.getSourceFile(file);
  if (sf === undefined) throw new Error(`${file} is not part of the program`);
  const module = checker.getSymbolAtLocation(sf);
  if (module === undefined) throw new Error(`${file} has no exports`);
  return checker.getExportsOfModule(module);
}

function resolved(s: ts.Symbol): ts.Symbol {
  return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

const root = exportsOf(path.join(SRC, 'index.ts'));
const rootNames = root.map((s) => s.name).sort();

test('the root exports exactly the folders\u2019 public lists (and the matrix and random files)', () => {
  const union = new Set<string>();
  for (const f of FOLDERS) for (const s of exportsOf(path.join(SRC, f, 'index.ts'))) union.add(s.name);
  for (const f of ROOT_FILES) for (const s of exportsOf(path.join(SRC, f))) union.add(s.name);
  // matrix.ts keeps a few boundary helpers for the kernels that are not public.
  const internalOfRootFiles = new Set(['assertFinite', 'assertSameRows', 'zeros', 'meanRowsInto', 'hashString']);
  expect(rootNames).toEqual([...union].filter((n) => !internalOfRootFiles.has(n)).sort());
});

test('no folder index re-exports with export *', () => {
  const offenders = [...FOLDERS, 'kernels/engine'].map((f) => path.join(SRC, f, 'index.ts')).concat(path.join(SRC, 'index.ts'));
  for (const file of offenders) expect({ file, star: /^export \* from/m.test(fs.readFileSync(file, 'utf8')) }).toEqual({ file, star: false });
});

test('every public name is documented', () => {
  const undocumented = root.filter((s) => resolved(s).getDocumentationComment(checker).length === 0).map((s) => s.name);
  expect(undocumented).toEqual([]);
});

test('the public API is a curated list, smaller than everything the sources export', () => {
  // Before the one-home-per-concept restructuring the root exported all 431 names of the sources.
  expect(root.length).toBeLessThan(431);
  expect(rootNames).toEqual(expect.arrayContaining(['loadModel', 'extractFeatures', 'openFeatureStore', 'layerMatrix', 'show', 'releaseGraphSessions', 'slug']));
  for (const internal of ['ShardWriter', 'storeFingerprint', 'buildTrainStepGraph', 'predictCodes', 'fitSoftmaxRegression', 'tslabSink', 'launchChromium', 'temporaryPathFor']) {
    expect(rootNames).not.toContain(internal);
  }
});
