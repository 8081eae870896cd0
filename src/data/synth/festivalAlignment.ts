/**
 * Festival's segments and words as the Lugosch et al. / Montreal Forced Aligner LibriSpeech alignments write
 * them, so one loader serves real and synthetic corpora: ARPAbet phones in upper case with a stress digit on
 * vowels (CMUdict's 39 phones), `sil` for the leading and trailing pause and `sp` for pauses inside the
 * sentence; words in lower case, silences as empty word intervals. Both tiers cover [0, duration].
 */
import type { AlignedSpan } from '../alignments/Alignment';
import type { FestivalItem, FestivalSegment } from './festivalSpeak';

/**
 * Festival's US phone set (radio) -> CMUdict ARPAbet. Reduced vowels and syllabic consonants have no phone of
 * their own in CMUdict: ax -> AH0, ix -> IH0, axr -> ER0; el/em/en -> L/M/N; the flap dx -> D, nx -> N.
 */
const ARPABET: Readonly<Record<string, readonly [string, boolean]>> = {
  aa: ['AA', true], ae: ['AE', true], ah: ['AH', true], ao: ['AO', true], aw: ['AW', true], ay: ['AY', true],
  eh: ['EH', true], er: ['ER', true], ey: ['EY', true], ih: ['IH', true], iy: ['IY', true], ow: ['OW', true],
  oy: ['OY', true], uh: ['UH', true], uw: ['UW', true],
  ax: ['AH0', false], ix: ['IH0', false], axr: ['ER0', false],
  b: ['B', false], ch: ['CH', false], d: ['D', false], dh: ['DH', false], dx: ['D', false], el: ['L', false],
  em: ['M', false], en: ['N', false], f: ['F', false], g: ['G', false], hh: ['HH', false], jh: ['JH', false],
  k: ['K', false], l: ['L', false], m: ['M', false], n: ['N', false], nx: ['N', false], ng: ['NG', false],
  p: ['P', false], r: ['R', false], s: ['S', false], sh: ['SH', false], t: ['T', false], th: ['TH', false],
  v: ['V', false], w: ['W', false], y: ['Y', false], z: ['Z', false], zh: ['ZH', false],
};

/** The MFA-style label of one Festival segment (`pau` -> `sil` at the edges, `sp` inside). */
export function arpabetOf(seg: FestivalSegment, edge: boolean, what: string): string {
  if (seg.name === 'pau') return edge ? 'sil' : 'sp';
  const m = ARPABET[seg.name];
  if (m === undefined) throw new Error(`${what}: Festival segment '${seg.name}' at ${seg.start} s is not in the US phone set we map to ARPAbet`);
  const [phone, vowel] = m;
  return vowel ? `${phone}${Math.min(2, Math.max(0, Math.round(seg.stress)))}` : phone;
}

/** Intervals covering [0, duration]: gaps become empty intervals, the last one reaches `duration`. */
function covering(spans: readonly AlignedSpan[], duration: number): AlignedSpan[] {
  const out: AlignedSpan[] = [];
  let t = 0;
  for (const s of spans) {
    if (s.start > t + 1e-9) out.push({ label: '', start: t, end: s.start });
    const start = Math.max(s.start, t);
    if (s.end > start) out.push({ label: s.label, start, end: Math.min(s.end, duration) });
    t = Math.max(t, s.end);
  }
  if (duration > t + 1e-9) out.push({ label: '', start: t, end: duration });
  return out;
}

/** Word and phone tiers of one synthesized utterance `duration` seconds long. */
export function festivalAlignment(
  segments: readonly FestivalSegment[],
  words: readonly FestivalItem[],
  duration: number,
  what: string,
): { readonly words: AlignedSpan[]; readonly phones: AlignedSpan[] } {
  const phones = segments.map((s, i) => ({ label: arpabetOf(s, i === 0 || i === segments.length - 1, what), start: s.start, end: s.end }));
  const last = phones[phones.length - 1];
  if (last !== undefined && last.end > duration + 0.05) {
    throw new Error(`${what}: Festival's segments end at ${last.end} s but the waveform lasts ${duration} s`);
  }
  const wordSpans = words.map((w) => ({ label: w.name.toLowerCase(), start: w.start, end: w.end }));
  return { words: covering(wordSpans, duration), phones: covering(phones, duration) };
}
