/**
 * Compile src/viz (and what it imports) to JavaScript plus declarations in `outDir`, so a test notebook
 * can import the current sources: tslab compiles notebook cells, but refuses TypeScript sources outside
 * the notebook's own directory, and dist/ may be stale while tests run.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

export const REPO = path.resolve(__dirname, '..', '..');

export function buildViz(outDir: string): string {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    declaration: true,
    rootDir: path.join(REPO, 'src'),
    outDir,
    types: ['node'],
    typeRoots: [path.join(REPO, 'node_modules', '@types')],
  };
  const program = ts.createProgram([path.join(REPO, 'src', 'viz', 'index.ts')], options);
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0) {
    const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => REPO, getNewLine: () => '\n' };
    throw new Error(`building src/viz for the test notebook failed:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
  return path.join(outDir, 'viz');
}
