import { errorMessage } from '../util/describeError';
/** The parts of the Jupyter notebook format (nbformat 4) that the report machinery reads and writes. */

export interface CellJson {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: { tags?: string[]; [key: string]: unknown };
  outputs?: unknown[];
  execution_count?: number | null;
}

export interface NotebookJson {
  cells: CellJson[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** A cell's source as one string (nbformat allows a list of lines). */
export function cellSource(cell: CellJson): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Parse and check the shape of a notebook file's JSON; `file` names it in errors. */
export function parseNotebook(text: string, file: string): NotebookJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not a notebook (invalid JSON: ${errorMessage(e)})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new Error(`${file}: not a notebook (top level is not an object)`);
  const nb = raw as Partial<NotebookJson>;
  if (nb.nbformat !== 4) throw new Error(`${file}: nbformat ${String(nb.nbformat)} is not supported (need 4)`);
  if (!Array.isArray(nb.cells)) throw new Error(`${file}: not a notebook (no cells array)`);
  nb.cells.forEach((c, i) => {
    if (typeof c !== 'object' || c === null || typeof c.cell_type !== 'string') throw new Error(`${file}: cell ${i} has no cell_type`);
    if (typeof c.source !== 'string' && !Array.isArray(c.source)) throw new Error(`${file}: cell ${i} has no source`);
    if (typeof c.metadata !== 'object' || c.metadata === null) throw new Error(`${file}: cell ${i} has no metadata`);
  });
  return raw as NotebookJson;
}
