/**
 * A Speech Commands-style tree: `<root>/<label>/<speaker>_nohash_<n>.wav`, with `validation_list.txt` and
 * `testing_list.txt` at the root naming (relative, '/'-separated) the files of those splits; every other
 * file is training data. `_background_noise_` holds noise recordings, not a word, and is never a label.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareCodeUnits, Dataset, type DatasetItem } from './Dataset';

/** Which split of a Speech Commands layout to load (from `validation_list.txt` / `testing_list.txt`). */
export type LabelledSplit = 'train' | 'validation' | 'test' | 'all';

/** Options of `loadLabelledFolders`. */
export interface LoadLabelledFoldersOptions {
  /** Which split (default 'all'): 'validation'/'test' need the list file; 'train' is what no list names. */
  split?: LabelledSplit;
  /** File extensions to include, lower case with the dot (default ['.wav']). */
  extensions?: readonly string[];
}

/** An item of a Speech Commands-style folder dataset: the folder name is its label. */
export interface LabelledItem extends DatasetItem {
  readonly label: string;
  readonly split: Exclude<LabelledSplit, 'all'>;
}

const LIST_FILES = { validation: 'validation_list.txt', test: 'testing_list.txt' } as const;
const NOT_LABELS = new Set(['_background_noise_']);

/**
 * Load the labelled folders under `root`. Item ids are the '/'-separated paths relative to `root`
 * ('yes/0a7c2a8d_nohash_0.wav'), items are sorted by label, then file name; `speaker` is the file name's part before
 * '_nohash_' when present. Throws if `root` is missing, holds no labelled files, or a list names a file that
 * does not exist.
 */
export function loadLabelledFolders(root: string, opts: LoadLabelledFoldersOptions = {}): Dataset<LabelledItem> {
  const { split = 'all', extensions = ['.wav'] } = opts;
  if (!['train', 'validation', 'test', 'all'].includes(split)) {
    throw new Error(`loadLabelledFolders: split must be 'train', 'validation', 'test' or 'all', got '${String(split)}'`);
  }
  const base = resolve(root);
  if (!existsSync(base) || !statSync(base).isDirectory()) throw new Error(`loadLabelledFolders: ${base}: not a directory`);

  const files: { id: string; label: string; file: string }[] = [];
  for (const label of readdirSync(base).sort(compareCodeUnits)) {
    if (NOT_LABELS.has(label) || label.startsWith('.')) continue;
    const dir = join(base, label);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort(compareCodeUnits)) {
      const lower = file.toLowerCase();
      if (!extensions.some((ext) => lower.endsWith(ext))) continue;
      if (!statSync(join(dir, file)).isFile()) continue;
      files.push({ id: `${label}/${file}`, label, file });
    }
  }
  if (files.length === 0) throw new Error(`loadLabelledFolders: ${base}: no <label>/*${extensions.join('|*')} files found`);

  const known = new Set(files.map((f) => f.id));
  const listed = new Map<string, 'validation' | 'test'>();
  for (const which of ['validation', 'test'] as const) {
    const listPath = join(base, LIST_FILES[which]);
    if (!existsSync(listPath)) {
      if (split === which) throw new Error(`loadLabelledFolders: split '${which}' needs ${listPath}, which does not exist`);
      continue;
    }
    const lines = readFileSync(listPath, 'utf8').split(/\r?\n/);
    lines.forEach((raw, lineNo) => {
      const entry = raw.trim();
      if (entry === '') return;
      const label = entry.split('/')[0] ?? '';
      if (NOT_LABELS.has(label)) return;
      if (!known.has(entry)) throw new Error(`loadLabelledFolders: ${listPath}:${lineNo + 1}: '${entry}' is not a file under ${base}`);
      const previous = listed.get(entry);
      if (previous !== undefined && previous !== which) {
        throw new Error(`loadLabelledFolders: '${entry}' is listed in both ${LIST_FILES.validation} and ${LIST_FILES.test}`);
      }
      listed.set(entry, which);
    });
  }

  const items: LabelledItem[] = [];
  for (const f of files) {
    const itemSplit = listed.get(f.id) ?? 'train';
    if (split !== 'all' && itemSplit !== split) continue;
    const cut = f.file.indexOf('_nohash_');
    const item: LabelledItem = { id: f.id, path: join(base, f.label, f.file), label: f.label, split: itemSplit };
    items.push(cut > 0 ? { ...item, speaker: f.file.slice(0, cut) } : item);
  }
  return new Dataset(items);
}
