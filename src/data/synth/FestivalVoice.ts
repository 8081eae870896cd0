/**
 * A synthetic speaker for Festival: one of the two Debian voices, a speaking rate, a pitch shift and a level.
 * Drawn from a seed, so an aligned synthetic corpus has the same speakers on every run.
 */
import type { Random } from '../../random';
import { at } from '../../util/at';

/** Festival voices from Debian's festvox-kallpc16k (diphone) and festvox-us-slt-hts (HMM) packages. */
export const FESTIVAL_VOICES = ['kal_diphone', 'cmu_us_slt_arctic_hts'] as const;

/** A Festival voice name. */
export type FestivalVoiceName = (typeof FESTIVAL_VOICES)[number];

/** A Festival speaker. */
export interface FestivalVoice {
  readonly voice: FestivalVoiceName;
  /** Speaking rate relative to the voice's own (1 = unchanged, above 1 faster). */
  readonly rate: number;
  /** Pitch shift in semitones. */
  readonly semitones: number;
  /** Peak level the clip is scaled to, in (0, 1). */
  readonly peak: number;
}

/** Draw a speaker: uniform voice, rate 0.8-1.25, pitch -4..+4 semitones, peak 0.3-0.9 (two decimals each). */
export function randomFestivalVoice(rng: Random): FestivalVoice {
  const voice = at(FESTIVAL_VOICES, rng.int(FESTIVAL_VOICES.length));
  // Rounded so the values written into the corpus description read back exactly.
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  const rate = round2(0.8 + 0.45 * rng.uniform());
  const semitones = rng.int(9) - 4;
  const peak = round2(0.3 + 0.6 * rng.uniform());
  return { voice, rate, semitones, peak };
}
