/**
 * Where a notebook's data comes from, decided in one place: a folder the user names (which must exist: nothing is
 * synthesized into a folder nobody asked for), or, when none is named, the demo dataset's own folder
 * (`demoDataPath`), made there on first use. The folder in use is printed with its absolute path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { demoDataPath, describePath } from '../util/packagePaths';

/** Options of `dataFolder`: the demo used when no folder is named, and how to make it. */
export interface DataFolderOptions {
  /** The demo dataset's name: its folder is `demoDataPath(demo)` (`data/<demo>` in a checkout, the cache when installed). */
  demo: string;
  /** Makes the demo dataset in `dir` when that folder does not exist yet (e.g. `(dir) => lw.synthesizeSpokenWords({ outDir: dir })`). */
  make: (dir: string) => Promise<unknown>;
  /** Receives the line saying which folder is used (default console.log). */
  log?: (line: string) => void;
}

/**
 * The absolute data folder: `given` resolved from the current directory (the notebook's folder in Jupyter) when
 * it is not '', else the demo's folder, made first if missing. Throws, with both the given and the resolved path,
 * when a named folder does not exist.
 */
export async function dataFolder(given: string, opts: DataFolderOptions): Promise<string> {
  const log = opts.log ?? ((line: string) => console.log(line));
  if (given !== '') {
    const abs = path.resolve(given);
    if (!fs.existsSync(abs)) {
      throw new Error(`data folder ${describePath(given)} does not exist; nothing is made there unasked: name an existing folder, or leave it '' for the ${opts.demo} demo data (${demoDataPath(opts.demo)})`);
    }
    log(`data: ${abs}`);
    return abs;
  }
  const dir = demoDataPath(opts.demo);
  if (!fs.existsSync(dir)) {
    log(`data: the ${opts.demo} demo, made now in ${dir}`);
    await opts.make(dir);
    if (!fs.existsSync(dir)) throw new Error(`dataFolder: making the ${opts.demo} demo did not create ${dir}`);
  } else log(`data: the ${opts.demo} demo in ${dir}`);
  return dir;
}
