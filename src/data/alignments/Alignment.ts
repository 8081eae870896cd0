/**
 * The one alignment shape: per utterance, its words and phones as labelled spans in seconds, whatever file they
 * came from (TextGrid, layerwise-analysis JSON/TSV, CTM). Spans are checked where they are made: a negative,
 * reversed or overlapping interval is an error naming the file and the interval.
 */

/** One labelled span, in seconds. */
export interface AlignedSpan {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** The words and phones of one utterance. */
export interface Alignment {
  /** The utterance id (`<speaker>-<chapter>-<utterance>` for LibriSpeech). */
  readonly utterance: string;
  readonly words: readonly AlignedSpan[];
  readonly phones: readonly AlignedSpan[];
  /** The file the alignment was read from. */
  readonly source: string;
}

/** Check one tier's spans: finite, non-negative, start < end, in time order without overlap. */
export function checkSpans(spans: readonly AlignedSpan[], what: string): void {
  let prevEnd = -Infinity;
  let prev = '';
  for (const s of spans) {
    const where = `${what}: interval '${s.label}' [${s.start}, ${s.end}]`;
    if (!(Number.isFinite(s.start) && Number.isFinite(s.end))) throw new Error(`${where} has a non-finite time`);
    if (s.start < 0) throw new Error(`${where} starts before 0`);
    if (!(s.end > s.start)) throw new Error(`${where} does not end after it starts`);
    // A microsecond of slack: aligners print times rounded, so touching intervals may overlap by a rounding step.
    if (s.start < prevEnd - 1e-6) throw new Error(`${where} overlaps the previous interval ${prev}`);
    prevEnd = s.end;
    prev = `'${s.label}' ending at ${s.end}`;
  }
}
