/**
 * Label normalisation of layerwise-analysis (`read_librispeech_alignments.py`), each rule an option: empty
 * intervals skipped; `sil` -> `SIL`; a trailing stress digit 0/1/2 stripped (phones); all other labels lower-cased;
 * `sp` and `spn` dropped on both tiers.
 */
import type { AlignedSpan } from './Alignment';

/** The rules, each on by default (the peer's behaviour). */
export interface LabelRules {
  /** Drop intervals with empty text (default true). */
  readonly dropEmpty?: boolean;
  /** Write silence `sil` as `SIL` (default true). */
  readonly silence?: boolean;
  /** Strip a trailing stress digit 0, 1 or 2 from phones (default true). */
  readonly stripStress?: boolean;
  /** Lower-case every other label (default true). */
  readonly lowerCase?: boolean;
  /** Labels to drop, compared after the rules above (default `sp`, `spn`). */
  readonly drop?: readonly string[];
}

/** Apply `rules` to one tier's spans; `phones` says whether stress digits apply. */
export function normalizeSpans(spans: readonly AlignedSpan[], phones: boolean, rules: LabelRules = {}): AlignedSpan[] {
  const { dropEmpty = true, silence = true, stripStress = true, lowerCase = true, drop = ['sp', 'spn'] } = rules;
  const dropped = new Set(drop);
  const out: AlignedSpan[] = [];
  for (const s of spans) {
    let label = s.label.trim();
    if (label === '' && dropEmpty) continue;
    if (silence && label.toLowerCase() === 'sil') label = 'SIL';
    else {
      if (phones && stripStress) label = label.replace(/[012]$/, '');
      if (lowerCase) label = label.toLowerCase();
    }
    if (dropped.has(label)) continue;
    out.push({ label, start: s.start, end: s.end });
  }
  return out;
}
