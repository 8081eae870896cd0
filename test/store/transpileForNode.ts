/**
 * Transpiles a TypeScript entry file and every source it imports by relative path into plain CommonJS under
 * `outDir` (same relative layout), so a test can run it in a child process with `node` — no ts-node, no
 * build of the whole project. Packages resolve through NODE_PATH (see `nodeEnv`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

function resolveRelative(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`transpileForNode: cannot resolve '${spec}' imported by ${from}`);
}

/** Transpile `entry` and its relative imports; returns the path of the entry's `.js`. */
export function transpileForNode(entry: string, root: string, outDir: string): string {
  const done = new Set<string>();
  const queue = [path.resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const target = path.join(outDir, path.relative(root, file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (!file.endsWith('.ts')) {
      fs.copyFileSync(file, target);
      continue;
    }
    const source = fs.readFileSync(file, 'utf8');
    for (const imp of ts.preProcessFile(source, true, true).importedFiles) {
      if (imp.fileName.startsWith('.')) queue.push(resolveRelative(file, imp.fileName));
    }
    const js = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    fs.writeFileSync(target.replace(/\.ts$/, '.js'), js.outputText);
  }
  return path.join(outDir, path.relative(root, path.resolve(entry))).replace(/\.ts$/, '.js');
}

/** The environment for a child `node` running transpiled code from outside the repository. */
export function nodeEnv(root: string): NodeJS.ProcessEnv {
  return { ...process.env, NODE_PATH: path.join(root, 'node_modules') };
}
