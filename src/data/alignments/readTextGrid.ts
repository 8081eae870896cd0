/**
 * Praat TextGrid files, as the Montreal Forced Aligner writes them (the LibriSpeech alignments of Lugosch et
 * al.): the long ("key = value") and the short (values only) text formats, in UTF-8 or UTF-16 (told by the
 * byte-order mark). Both formats carry the same sequence of values, so the reader tokenises the values (quoted
 * strings with `""` for a quote, numbers, `<exists>`), skipping keys and `[n]` indices, and walks that sequence.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../../util/describeError';

/** One interval of an interval tier: `[xmin, xmax)` in seconds with its text. */
export interface TextGridInterval {
  readonly xmin: number;
  readonly xmax: number;
  readonly text: string;
}

/** One tier: intervals (IntervalTier) or points (TextTier, kept as zero-length intervals at their time). */
export interface TextGridTier {
  readonly name: string;
  readonly kind: 'interval' | 'point';
  readonly xmin: number;
  readonly xmax: number;
  readonly intervals: readonly TextGridInterval[];
}

/** A parsed TextGrid. */
export interface TextGrid {
  readonly xmin: number;
  readonly xmax: number;
  readonly tiers: readonly TextGridTier[];
}

/** The text of a TextGrid file's bytes: UTF-16 (either order) by its byte-order mark, else UTF-8. */
export function decodeTextGridBytes(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const text = new TextDecoder('utf-8').decode(bytes);
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

type Token = { readonly kind: 'string'; readonly value: string } | { readonly kind: 'number'; readonly value: number } | { readonly kind: 'flag'; readonly value: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // Strings first (their contents may hold anything), then [n] indices (skipped), flags and numbers; keys and
  // punctuation in between are not values.
  const re = /"((?:[^"]|"")*)"|\[\s*\d*\s*\]|<(exists|absent)>|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/g;
  for (const m of text.matchAll(re)) {
    if (m[1] !== undefined) out.push({ kind: 'string', value: m[1].replace(/""/g, '"') });
    else if (m[2] !== undefined) out.push({ kind: 'flag', value: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'number', value: Number(m[3]) });
  }
  return out;
}

/** Parse TextGrid text; `name` (the file) prefixes errors. */
export function parseTextGrid(text: string, name: string): TextGrid {
  const tokens = tokenize(text);
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${name}: not a TextGrid: ${why} (value ${i + 1} of ${tokens.length})`);
  };
  const str = (what: string): string => {
    const t = tokens[i++];
    if (t === undefined || t.kind !== 'string') return fail(`expected ${what} as a quoted string`);
    return t.value;
  };
  const num = (what: string): number => {
    const t = tokens[i++];
    if (t === undefined || t.kind !== 'number' || !Number.isFinite(t.value)) return fail(`expected ${what} as a number`);
    return t.value;
  };
  if (str('the file type') !== 'ooTextFile') fail("the file type is not 'ooTextFile'");
  if (str('the object class') !== 'TextGrid') fail("the object class is not 'TextGrid'");
  const xmin = num('xmin');
  const xmax = num('xmax');
  const flag = tokens[i++];
  if (flag === undefined || flag.kind !== 'flag') return fail('expected <exists> or <absent>');
  const tiers: TextGridTier[] = [];
  if (flag.value === 'exists') {
    const size = num('the number of tiers');
    for (let k = 0; k < size; k++) {
      const cls = str(`tier ${k + 1}'s class`);
      const tierName = str(`tier ${k + 1}'s name`);
      const txmin = num(`tier '${tierName}' xmin`);
      const txmax = num(`tier '${tierName}' xmax`);
      const count = num(`tier '${tierName}' size`);
      if (!(Number.isInteger(count) && count >= 0)) fail(`tier '${tierName}' has a size of ${count}`);
      const intervals: TextGridInterval[] = [];
      if (cls === 'IntervalTier') {
        for (let j = 0; j < count; j++) intervals.push({ xmin: num(`interval ${j + 1} xmin`), xmax: num(`interval ${j + 1} xmax`), text: str(`interval ${j + 1} text`) });
        tiers.push({ name: tierName, kind: 'interval', xmin: txmin, xmax: txmax, intervals });
      } else if (cls === 'TextTier') {
        for (let j = 0; j < count; j++) {
          const time = num(`point ${j + 1} time`);
          intervals.push({ xmin: time, xmax: time, text: str(`point ${j + 1} mark`) });
        }
        tiers.push({ name: tierName, kind: 'point', xmin: txmin, xmax: txmax, intervals });
      } else {
        fail(`tier '${tierName}' has the unknown class '${cls}'`);
      }
    }
  }
  if (i !== tokens.length) fail('unexpected values after the last tier');
  return { xmin, xmax, tiers };
}

/** Read and parse the TextGrid file at `file`. */
export function readTextGrid(file: string): TextGrid {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read TextGrid (${errorMessage(e)})`);
  }
  return parseTextGrid(decodeTextGridBytes(bytes), file);
}
