/**
 * The published declarations as a user's compiler sees them: a strict user script type-checks against
 * `dist/index.d.ts` without `skipLibCheck`, and no declaration reachable from it imports a third-party package
 * (their types are not the user's to install: onnx-proto's needed a global `Long`). Runs on the built dist/.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtinModules } from 'node:module';

const REPO = path.resolve(__dirname, '..', '..');
const DIST = path.join(REPO, 'dist');

/** Every .d.ts reachable from `entry` by relative imports, and the bare module names they import. */
function declarationClosure(entry: string): { files: string[]; bare: Map<string, string> } {
  const files: string[] = [];
  const bare = new Map<string, string>();
  const todo = [entry];
  const seen = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop();
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    files.push(file);
    const text = fs.readFileSync(file, 'utf8');
    // import/export statements (not the doc comments that show an import), and inline `import('...')` types
    const specs = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)];
    for (const m of specs) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec);
        const target = [`${base}.d.ts`, path.join(base, 'index.d.ts')].find((f) => fs.existsSync(f));
        if (target === undefined) throw new Error(`${file}: cannot find the declarations of '${spec}'`);
        todo.push(target);
      } else if (!bare.has(spec)) bare.set(spec, path.relative(REPO, file));
    }
  }
  return { files, bare };
}

describe('the public declarations', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(DIST, 'index.d.ts'))) throw new Error("dist/index.d.ts is missing; run 'npm run build' first");
  });

  it('import nothing but Node built-ins', () => {
    const { files, bare } = declarationClosure(path.join(DIST, 'index.d.ts'));
    expect(files.length).toBeGreaterThan(50);
    const node = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const thirdParty = [...bare].filter(([spec]) => !node.has(spec)).map(([spec, from]) => `${spec} (from ${from})`);
    expect(thirdParty).toEqual([]);
  });

  it('type-check a strict user script without skipLibCheck', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-types-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'script.ts'),
        `import * as lw from 'layerwise';

async function main(): Promise<void> {
  const words = lw.loadLabelledFolders('data/spoken-words').shuffle(42).select(50);
  const model = await lw.loadModel('model.onnx');
  await lw.extractFeatures(model, words, { pooling: 'mean', out: 'out' });
  const store = lw.openFeatureStore('out');
  const layers = model.layerNames.filter((n) => n.startsWith('hidden.')).map((n) => store.layer(n));
  const cka = await lw.layerMatrix(layers, 'linearCKA');
  const fig: lw.Figure = lw.layerHeatmap(cka.values, { title: 'CKA' });
  await lw.savePNGs([{ figure: fig, file: 'cka.png' }]);
  lw.saveCSV(cka.values, 'cka.csv');
  const hub: lw.Dataset<lw.HubDatasetItem> = await lw.loadHubDataset('hub:speech_commands/v0.02/test');
  console.log(hub.length, words.labels().length);
}
void main();
`,
      );
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module: 'commonjs',
            target: 'ES2022',
            moduleResolution: 'node',
            esModuleInterop: true,
            skipLibCheck: false,
            types: ['node'],
            typeRoots: [path.join(REPO, 'node_modules', '@types')],
            baseUrl: '.',
            paths: { layerwise: [path.join(DIST, 'index.d.ts')] },
          },
          files: ['script.ts'],
        }),
      );
      let output = '';
      try {
        execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'tsconfig.json')], { stdio: 'pipe' });
      } catch (e) {
        output = e instanceof Error && 'stdout' in e ? String((e as { stdout: unknown }).stdout) : String(e);
      }
      expect(output).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
