/**
 * CTM alignment files (NIST "time-marked conversation": `<utterance> <channel> <start> <duration> <label>
 * [<confidence>]` per line, as Kaldi and many aligners write them). One file holds one tier (words or phones)
 * for any number of utterances; lines starting with `;;` are comments.
 */
import { readFileSync } from 'node:fs';
import { at } from '../../util/at';
import { errorMessage } from '../../util/describeError';
import { checkSpans, type AlignedSpan } from './Alignment';

/** Parse CTM text into spans per utterance, in time order; `name` (the file) prefixes errors. */
export function parseCtm(text: string, name: string): Map<string, AlignedSpan[]> {
  const out = new Map<string, AlignedSpan[]>();
  text.split(/\r?\n/).forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';;')) return;
    const f = line.split(/\s+/);
    if (f.length < 5 || f.length > 6) throw new Error(`${name}: line ${n + 1} has ${f.length} fields, expected utterance channel start duration label [confidence]`);
    const start = Number(at(f, 2));
    const duration = Number(at(f, 3));
    if (!(Number.isFinite(start) && Number.isFinite(duration))) throw new Error(`${name}: line ${n + 1}: start '${at(f, 2)}' and duration '${at(f, 3)}' must be numbers`);
    const utt = at(f, 0);
    const list = out.get(utt) ?? [];
    list.push({ label: at(f, 4), start, end: start + duration });
    out.set(utt, list);
  });
  for (const [utt, spans] of out) {
    spans.sort((a, b) => a.start - b.start);
    checkSpans(spans, `${name}: '${utt}'`);
  }
  return out;
}

/** Read the CTM file at `file`. */
export function readCtm(file: string): Map<string, AlignedSpan[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read CTM (${errorMessage(e)})`);
  }
  return parseCtm(text, file);
}
