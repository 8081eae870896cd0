/**
 * The import graph of src/ runs one way: util -> matrix/random/backend/hub -> onnx, data, checkpoint -> model -> store ->
 * kernels -> sae -> viz -> jupyter/report -> cli -> the root index. A file may import its own folder and
 * folders below it, never one above (DEVELOPERS.md has the table); model/ in particular never reaches the
 * store, which sits on top of it. Imports are read as text from every `from '...'` and `require('...')`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '..', '..', 'src');

/** Each top-level part of src/ and its floor (higher may import lower). */
const FLOORS: Record<string, number> = {
  util: 0,
  hub: 1,
  'matrix.ts': 1,
  'random.ts': 1,
  backend: 1,
  onnx: 2,
  data: 2,
  checkpoint: 2,
  model: 3,
  store: 4,
  kernels: 5,
  sae: 6,
  experiments: 6,
  words: 7,
  viz: 7,
  jupyter: 8,
  report: 8,
  cli: 9,
  'cli.ts': 9,
  'index.ts': 10,
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function partOf(file: string): string {
  const first = path.relative(SRC, file).split(path.sep)[0] ?? '';
  if (!(first in FLOORS)) throw new Error(`${file}: src/${first} has no floor in this test; add it (and to DEVELOPERS.md)`);
  return first;
}

function floorOf(part: string): number {
  const f = FLOORS[part];
  if (f === undefined) throw new Error(`no floor for ${part}`);
  return f;
}

test('every top-level part of src/ has a floor', () => {
  for (const e of fs.readdirSync(SRC)) expect({ part: e, known: e in FLOORS }).toEqual({ part: e, known: true });
});

test('no file imports from a folder above its own', () => {
  const upward: string[] = [];
  for (const file of files(SRC)) {
    const from = partOf(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|require\()\s*'(\.[^']*)'/g)) {
      const spec = m[1] ?? '';
      const target = path.resolve(path.dirname(file), spec);
      const rel = path.relative(SRC, target);
      if (rel.startsWith('..')) continue;
      const first = rel.split(path.sep)[0] ?? '';
      const to = first in FLOORS ? first : `${first}.ts`;
      if (to === from) continue;
      if (floorOf(to) > floorOf(from)) upward.push(`${path.relative(SRC, file)} imports ${spec} (${from} -> ${to})`);
    }
  }
  expect(upward).toEqual([]);
});
