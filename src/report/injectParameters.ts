import { cellSource, type CellJson, type NotebookJson } from './notebookJson';
import { at } from '../util/at';

/** A parameter value: anything JSON can hold (written into the notebook as a TypeScript literal). */
export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_TAG = 'injected-parameters';

/**
 * Papermill-style parameters for TypeScript notebooks.
 *
 * Convention: the notebook has one code cell tagged `parameters` that declares every parameter with its
 * default, one `let` per parameter (`let numItems = 500;`, `let model: string = 'wav2vec2-base';`).
 * Injection inserts a cell tagged `injected-parameters` right after it that ASSIGNS the new values
 * (`numItems = 50;`). Assignment, not redeclaration, so the parameter keeps the type declared in the
 * notebook and tslab's type check rejects a value of the wrong type; this is why parameters must be
 * `let`, not `const`. An existing `injected-parameters` cell (from a previous run) is replaced.
 *
 * Every key must be declared in the parameters cell; unknown keys are errors (a typo would otherwise run
 * the notebook on its defaults).
 */
export function injectParameters(nb: NotebookJson, params: Readonly<Record<string, ParamValue>>, file = 'notebook'): NotebookJson {
  const keys = Object.keys(params);
  const cells = nb.cells.filter((c) => !(c.metadata.tags ?? []).includes(INJECTED_TAG));
  if (keys.length === 0) return { ...nb, cells };
  const where = cells.findIndex((c) => c.cell_type === 'code' && (c.metadata.tags ?? []).includes(PARAMETERS_TAG));
  if (where < 0) throw new Error(`${file}: no code cell is tagged '${PARAMETERS_TAG}', so parameters ${keys.join(', ')} cannot be set`);
  const declared = declaredParameters(cellSource(at(cells, where)));
  for (const key of keys) {
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) throw new Error(`parameter '${key}' is not a valid TypeScript identifier`);
    const kind = declared.get(key);
    if (kind === undefined) {
      const known = [...declared.keys()];
      throw new Error(`${file}: parameter '${key}' is not declared in the parameters cell (it declares: ${known.length > 0 ? known.join(', ') : 'nothing'})`);
    }
    if (kind !== 'let') throw new Error(`${file}: parameter '${key}' is declared with '${kind}'; declare parameters with 'let' so they can be set`);
  }
  const injected: CellJson = {
    cell_type: 'code',
    source: parameterAssignments(params),
    metadata: { tags: [INJECTED_TAG] },
    outputs: [],
    execution_count: null,
  };
  // nbformat 4.5 requires cell ids; earlier minors forbid them.
  if (nb.nbformat_minor >= 5) injected.id = uniqueId(cells, 'injected-parameters');
  return { ...nb, cells: [...cells.slice(0, where + 1), injected, ...cells.slice(where + 1)] };
}

/** The injected cell's source: one assignment per parameter, values as JSON (valid TypeScript literals). */
export function parameterAssignments(params: Readonly<Record<string, ParamValue>>): string {
  const lines = Object.entries(params).map(([k, v]) => `${k} = ${literal(v, k)};`);
  // A block keeps tslab from echoing the last assigned value as the cell's output.
  return `// Parameters injected by 'layerwise report'\n{\n${lines.map((l) => `  ${l}`).join('\n')}\n}\n`;
}

/** Names declared at the top of a parameters cell, with their keyword (`let`, `const` or `var`). */
export function declaredParameters(source: string): Map<string, 'let' | 'const' | 'var'> {
  const out = new Map<string, 'let' | 'const' | 'var'>();
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  for (const m of code.matchAll(/(?:^|[;\n])\s*(let|const|var)\s+([A-Za-z_$][A-Za-z0-9_$]*)/g)) {
    out.set(at(m, 2), m[1] as 'let' | 'const' | 'var');
  }
  return out;
}

function literal(v: ParamValue, key: string): string {
  check(v, key);
  return JSON.stringify(v);
}

function check(v: ParamValue, path: string): void {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`parameter ${path} is ${v}; only finite numbers can be injected`);
  if (Array.isArray(v)) v.forEach((x, i) => check(x, `${path}[${i}]`));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) check(x, `${path}.${k}`);
}

function uniqueId(cells: readonly CellJson[], base: string): string {
  const ids = new Set(cells.map((c) => c.id));
  let id = base;
  for (let k = 2; ids.has(id); k++) id = `${base}-${k}`;
  return id;
}
