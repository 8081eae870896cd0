/**
 * LibriSpeech trees: `<root>/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<utterance>.flac`, each chapter
 * folder holding `<speaker>-<chapter>.trans.txt` with one `<utterance-id> <TRANSCRIPT>` line per file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareCodeUnits, Dataset, type DatasetItem } from './Dataset';

/** Options of `loadLibriSpeech`. */
export interface LoadLibriSpeechOptions {
  /**
   * Split folder(s) to read, e.g. 'dev-clean' (default: every split folder under `root`). When `root` itself
   * is a split folder (its children are speaker ids) this must be left out.
   */
  split?: string | readonly string[];
  /** Audio file extension (default '.flac'). */
  extension?: string;
}

/** An utterance of a LibriSpeech tree: id, FLAC path, transcript, speaker and chapter. */
export interface LibriSpeechItem extends DatasetItem {
  readonly transcript: string;
  readonly speaker: string;
  readonly chapter: string;
  readonly split: string;
}

const isId = (s: string): boolean => /^\d+$/.test(s);

function sortedDirs(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory())
    .sort(compareCodeUnits);
}

/**
 * Load the utterances under `root`. Item ids are the utterance ids ('84-121123-0000'), sorted; `transcript`
 * is the line from the chapter's `.trans.txt` as written (upper case in LibriSpeech). Throws when a split is
 * missing, an audio file has no transcript line, or a transcript names a missing file.
 */
export function loadLibriSpeech(root: string, opts: LoadLibriSpeechOptions = {}): Dataset<LibriSpeechItem> {
  const { extension = '.flac' } = opts;
  const base = resolve(root);
  if (!existsSync(base) || !statSync(base).isDirectory()) throw new Error(`loadLibriSpeech: ${base}: not a directory`);
  const children = sortedDirs(base);
  const rootIsSplit = children.length > 0 && children.every(isId);
  let splits: { name: string; dir: string }[];
  if (rootIsSplit) {
    if (opts.split !== undefined) throw new Error(`loadLibriSpeech: ${base} is itself a split folder (speaker ids inside); leave out 'split'`);
    splits = [{ name: base.split(/[\\/]/).pop() ?? base, dir: base }];
  } else {
    const wanted = opts.split === undefined ? children : typeof opts.split === 'string' ? [opts.split] : [...opts.split];
    splits = wanted.map((name) => {
      const dir = join(base, name);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`loadLibriSpeech: split '${name}' not found: ${dir} is not a directory`);
      return { name, dir };
    });
  }

  const items: LibriSpeechItem[] = [];
  for (const { name: split, dir } of splits) {
    for (const speaker of sortedDirs(dir)) {
      if (!isId(speaker)) continue;
      for (const chapter of sortedDirs(join(dir, speaker))) {
        if (!isId(chapter)) continue;
        items.push(...readChapter(join(dir, speaker, chapter), split, speaker, chapter, extension));
      }
    }
  }
  if (items.length === 0) throw new Error(`loadLibriSpeech: ${base}: no <split>/<speaker>/<chapter>/*${extension} files found`);
  items.sort((a, b) => compareCodeUnits(a.id, b.id));
  return new Dataset(items);
}

function readChapter(dir: string, split: string, speaker: string, chapter: string, extension: string): LibriSpeechItem[] {
  const transPath = join(dir, `${speaker}-${chapter}.trans.txt`);
  const audio = readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(extension))
    .sort(compareCodeUnits);
  if (audio.length === 0) return [];
  if (!existsSync(transPath)) throw new Error(`loadLibriSpeech: ${transPath}: transcript file missing for ${audio.length} audio files`);
  const transcripts = new Map<string, string>();
  readFileSync(transPath, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed === '') return;
      const space = trimmed.search(/\s/);
      const id = space < 0 ? trimmed : trimmed.slice(0, space);
      if (transcripts.has(id)) throw new Error(`loadLibriSpeech: ${transPath}:${i + 1}: utterance '${id}' appears twice`);
      transcripts.set(id, space < 0 ? '' : trimmed.slice(space + 1).trim());
    });
  const items = audio.map((file) => {
    const id = file.slice(0, file.length - extension.length);
    const transcript = transcripts.get(id);
    if (transcript === undefined) throw new Error(`loadLibriSpeech: ${join(dir, file)}: no line for '${id}' in ${transPath}`);
    transcripts.delete(id);
    return { id, path: join(dir, file), transcript, speaker, chapter, split };
  });
  const orphan = transcripts.keys().next();
  if (!orphan.done) throw new Error(`loadLibriSpeech: ${transPath}: utterance '${orphan.value}' has no ${extension} file in ${dir}`);
  return items;
}
