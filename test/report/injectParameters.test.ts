import { declaredParameters, injectParameters, parameterAssignments } from '../../src/report/injectParameters';
import { cellSource, parseNotebook, type CellJson, type NotebookJson } from '../../src/report/notebookJson';
import { parseParam } from '../../src/report/parseParam';

function code(source: string, tags?: string[], id?: string): CellJson {
  return { cell_type: 'code', source, metadata: tags ? { tags } : {}, outputs: [], execution_count: null, ...(id ? { id } : {}) };
}

function notebook(cells: CellJson[], minor = 5): NotebookJson {
  return { cells, metadata: {}, nbformat: 4, nbformat_minor: minor };
}

describe('injectParameters', () => {
  const nb = notebook([
    { cell_type: 'markdown', source: ['# Title'], metadata: {}, id: 'a' },
    code("let numItems = 500;\nlet model: string = 'wav2vec2-base';\nlet layers = [0, 6, 12];", ['parameters'], 'b'),
    code('console.log(numItems);', undefined, 'c'),
  ]);

  it('inserts an injected-parameters cell right after the parameters cell, assigning the values', () => {
    const out = injectParameters(nb, { numItems: 50, model: 'hubert-base', layers: [1, 2] });
    expect(out.cells).toHaveLength(4);
    expect(out.cells.map((c) => c.id)).toEqual(['a', 'b', 'injected-parameters', 'c']);
    const cell = out.cells[2] as CellJson;
    expect(cell.metadata.tags).toEqual(['injected-parameters']);
    expect(cell.cell_type).toBe('code');
    expect(cellSource(cell)).toBe("// Parameters injected by 'layerwise report'\n{\n  numItems = 50;\n  model = \"hubert-base\";\n  layers = [1,2];\n}\n");
    // the input notebook is left as it was
    expect(nb.cells).toHaveLength(3);
  });

  it('replaces the injected cell of an earlier run instead of stacking another', () => {
    const once = injectParameters(nb, { numItems: 50 });
    const twice = injectParameters(once, { numItems: 7 });
    const injected = twice.cells.filter((c) => (c.metadata.tags ?? []).includes('injected-parameters'));
    expect(injected).toHaveLength(1);
    expect(cellSource(injected[0] as CellJson)).toContain('numItems = 7;');
    expect(twice.cells).toHaveLength(4);
  });

  it('leaves cell ids out for nbformat 4.4 notebooks', () => {
    const old = notebook([code('let n = 1;', ['parameters'])], 4);
    expect(injectParameters(old, { n: 2 }).cells[1]?.id).toBeUndefined();
  });

  it('rejects parameters the notebook does not declare with let', () => {
    expect(() => injectParameters(nb, { numitems: 5 }, 'nb.ipynb')).toThrow("nb.ipynb: parameter 'numitems' is not declared in the parameters cell (it declares: numItems, model, layers)");
    const withConst = notebook([code('const n = 1;', ['parameters'])]);
    expect(() => injectParameters(withConst, { n: 2 })).toThrow(/declared with 'const'; declare parameters with 'let'/);
    expect(() => injectParameters(notebook([code('let n = 1;')]), { n: 2 })).toThrow(/no code cell is tagged 'parameters'/);
    expect(() => injectParameters(nb, { 'bad-key': 1 })).toThrow(/not a valid TypeScript identifier/);
    expect(() => injectParameters(nb, { numItems: Infinity })).toThrow(/numItems is Infinity/);
  });

  it('returns the notebook unchanged but for stale injected cells when there are no parameters', () => {
    expect(injectParameters(nb, {}).cells).toEqual(nb.cells);
  });
});

describe('declaredParameters', () => {
  it('finds top-level let/const/var declarations, ignoring comments', () => {
    const d = declaredParameters('// let commented = 1;\nlet a = 1; const b = 2;\n  let c: number[] = [];\n/* let d = 4; */ var e = 5;');
    expect([...d.entries()]).toEqual([
      ['a', 'let'],
      ['b', 'const'],
      ['c', 'let'],
      ['e', 'var'],
    ]);
  });
});

describe('parameterAssignments', () => {
  it('writes values as TypeScript literals', () => {
    expect(parameterAssignments({ s: 'a"b', o: { k: [true, null] } })).toBe("// Parameters injected by 'layerwise report'\n{\n  s = \"a\\\"b\";\n  o = {\"k\":[true,null]};\n}\n");
  });
});

describe('parseParam', () => {
  it('reads JSON values and falls back to strings', () => {
    expect(parseParam('n=50')).toEqual(['n', 50]);
    expect(parseParam('flag=false')).toEqual(['flag', false]);
    expect(parseParam('sizes=[3,10,50]')).toEqual(['sizes', [3, 10, 50]]);
    expect(parseParam('model=hubert-base')).toEqual(['model', 'hubert-base']);
    expect(parseParam('name="123"')).toEqual(['name', '123']);
    expect(parseParam('path=a=b')).toEqual(['path', 'a=b']);
    expect(() => parseParam('novalue')).toThrow(/key=value/);
  });
});

describe('parseNotebook', () => {
  it('names the file and the problem', () => {
    expect(() => parseNotebook('{', 'x.ipynb')).toThrow(/x.ipynb: not a notebook \(invalid JSON/);
    expect(() => parseNotebook('{"nbformat": 3, "cells": []}', 'x.ipynb')).toThrow(/nbformat 3 is not supported/);
    expect(parseNotebook(JSON.stringify(notebook([code('1')])), 'x.ipynb').cells).toHaveLength(1);
  });
});
