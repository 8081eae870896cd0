/**
 * One entry point for "the data at this path", as `layerwise extract --data` and `layerwise analyze` take it: a
 * manifest file, a LibriSpeech tree, a labelled-folders directory (told apart by what is on disk), or a Hugging
 * Face dataset written `hub:REPO/CONFIG/SPLIT`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dataset, DatasetItem } from './Dataset';
import { loadHubDataset, parseHubSource } from './loadHubDataset';
import { loadLabelledFolders } from './loadLabelledFolders';
import { loadLibriSpeech } from './loadLibriSpeech';
import { loadManifest } from './loadManifest';
import { describePath } from '../../util/packagePaths';

/** Which kind of source a dataset path is. */
export type DatasetLayout = 'manifest' | 'librispeech' | 'labelled-folders' | 'hub';

/** Options of `loadDataset`: a split (labelled folders: train/validation/test/all; LibriSpeech: e.g. dev-clean) and a hub revision. */
export interface LoadDatasetOptions {
  split?: string;
  revision?: string;
}

/** Tell a manifest file, a LibriSpeech tree and a labelled-folders directory apart. */
export function detectDatasetLayout(target: string): Exclude<DatasetLayout, 'hub'> {
  if (!fs.existsSync(target)) throw new Error(`data ${describePath(target)}: no such file or directory`);
  if (fs.statSync(target).isFile()) {
    if (/\.(csv|tsv|jsonl|ndjson)$/i.test(target)) return 'manifest';
    throw new Error(`data ${target}: a file must be a manifest (.csv, .tsv, .jsonl or .ndjson)`);
  }
  // LibriSpeech keeps a <speaker>-<chapter>.trans.txt in every chapter folder, 2 or 3 levels down.
  let dir = target;
  for (let depth = 0; depth < 4; depth++) {
    const entries = fs.readdirSync(dir).filter((n) => !n.startsWith('.'));
    if (entries.some((n) => n.endsWith('.trans.txt'))) return 'librispeech';
    const sub = entries.sort().find((n) => fs.statSync(path.join(dir, n)).isDirectory());
    if (sub === undefined) break;
    dir = path.join(dir, sub);
  }
  return 'labelled-folders';
}

/** Load the dataset at `target` with the loader its layout needs (a `hub:` source through `loadHubDataset`). */
export async function loadDataset(target: string, opts: LoadDatasetOptions = {}): Promise<{ layout: DatasetLayout; dataset: Dataset<DatasetItem> }> {
  const { split } = opts;
  if (parseHubSource(target) !== undefined) {
    if (split !== undefined) throw new Error(`split: ${target} names its split already`);
    return { layout: 'hub', dataset: await loadHubDataset(target, opts.revision !== undefined ? { revision: opts.revision } : {}) };
  }
  if (opts.revision !== undefined) throw new Error('revision is for hub: datasets');
  const layout = detectDatasetLayout(target);
  switch (layout) {
    case 'manifest':
      if (split !== undefined) throw new Error('split does not apply to a manifest');
      return { layout, dataset: loadManifest(target) };
    case 'librispeech':
      return { layout, dataset: loadLibriSpeech(target, split !== undefined ? { split } : {}) };
    case 'labelled-folders': {
      const s = split ?? 'all';
      if (s !== 'train' && s !== 'validation' && s !== 'test' && s !== 'all') throw new Error(`split for labelled folders is train, validation, test or all, got '${s}'`);
      return { layout, dataset: loadLabelledFolders(target, { split: s, extensions: ['.wav', '.flac', '.mp3', '.ogg', '.opus'] }) };
    }
  }
}

/**
 * The items a run takes from `dataset`: shuffled with `seed` when one is given (hub datasets as `datasets`
 * shuffles them, with NumPy's generator), then the first `limit`. `layerwise extract`, `plan` and `analyze` share it,
 * so a plan describes the very items the extraction gets.
 */
export function selectDataset<T extends DatasetItem>(dataset: Dataset<T>, layout: DatasetLayout, seed?: number | string, limit?: number): Dataset<T> {
  const shuffled = seed === undefined ? dataset : dataset.shuffle(seed, layout === 'hub' ? { like: 'datasets' } : {});
  return limit === undefined ? shuffled : shuffled.select(Math.min(limit, shuffled.length));
}
