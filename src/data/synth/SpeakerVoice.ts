/**
 * A synthetic speaker: an espeak-ng voice (English accent + voice variant), speaking rate, pitch and level.
 * Drawn from a seed, so a synthetic dataset's speakers are the same on every run.
 */
import type { Random } from '../../random';
import { at } from '../../util/at';

export interface SpeakerVoice {
  /** espeak-ng voice with variant, e.g. 'en-gb-scotland+f2'. */
  readonly voice: string;
  /** Words per minute (espeak-ng -s). */
  readonly speed: number;
  /** Pitch 0-99 (espeak-ng -p). */
  readonly pitch: number;
  /** Peak level the clip is scaled to, in (0, 1). */
  readonly peak: number;
}

/** English voices shipped in Debian's espeak-ng-data (checked with `espeak-ng --voices=en`). */
export const ENGLISH_VOICES: readonly string[] = [
  'en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-rp', 'en-029', 'en-us-nyc', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd',
];

/** Voice variants (espeak-ng-data/voices/!v): male m1-m7, female f1-f4. */
export const VOICE_VARIANTS: readonly string[] = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4'];

/** Draw a speaker: uniform accent and variant, 120-200 wpm, pitch 20-80, peak level 0.3-0.9. */
export function randomSpeakerVoice(rng: Random): SpeakerVoice {
  const accent = at(ENGLISH_VOICES, rng.int(ENGLISH_VOICES.length));
  const variant = at(VOICE_VARIANTS, rng.int(VOICE_VARIANTS.length));
  const speed = 120 + rng.int(81);
  const pitch = 20 + rng.int(61);
  // Two decimals keep the level reproducible when written into the dataset's description file.
  const peak = Math.round((0.3 + 0.6 * rng.uniform()) * 100) / 100;
  return { voice: `${accent}+${variant}`, speed, pitch, peak };
}
