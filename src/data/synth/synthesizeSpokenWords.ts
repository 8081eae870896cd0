/**
 * The offline demo dataset: spoken words in the Speech Commands layout, made with espeak-ng. Each "speaker"
 * (one per variant) is a seeded espeak-ng voice, rate, pitch and level that says every word, so, as in
 * Speech Commands, the validation and test lists hold whole speakers. Clips are 16 kHz mono 16-bit WAV,
 * exactly one second, with the speech centred.
 *
 *   <outDir>/<word>/s<NNN>_nohash_0.wav, validation_list.txt, testing_list.txt, synthesis.json
 *
 * Same options, same bytes: every choice comes from the seed, clips are resampled with libsamplerate and
 * written by our own WAV encoder, and the lists are sorted.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Random } from '../../random';
import { claimOutDir } from '../../util/claimOutDir';
import { encodeWav } from '../audio/encodeWav';
import { espeakSpeak } from './espeakSpeak';
import { mapWithConcurrency } from '../../util/mapWithConcurrency';
import { resample } from '../audio/resample';
import { randomSpeakerVoice, type SpeakerVoice } from './SpeakerVoice';
import { writeFileAtomic } from '../../util/writeFileAtomic';
import { at, atF32, atKey } from '../../util/at';

/** The first ten words of Speech Commands v0.02, the ten classes of the seed notebook. */
export const SPEECH_COMMANDS_WORDS: readonly string[] = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'];

/** Options of `synthesizeSpokenWords` (seeded, so the same options write the same files). */
export interface SynthesizeSpokenWordsOptions {
  /** Output folder (created if needed). */
  outDir: string;
  /** Words to speak (default SPEECH_COMMANDS_WORDS); each becomes a label folder. */
  words?: readonly string[];
  /** Speakers, i.e. clips per word (default 50). */
  variants?: number;
  /** Seed for voices, rates, pitches, levels and splits (default 0). */
  seed?: number;
  /** Sample rate of the clips (default 16000). */
  sampleRate?: number;
  /** Clip length in seconds (default 1). */
  seconds?: number;
  /** Fraction of speakers in validation_list.txt and in testing_list.txt (default 0.1 each). */
  holdoutFraction?: number;
  /** espeak-ng processes run at once (default 2). */
  concurrency?: number;
}

/** What `synthesizeSpokenWords` wrote. */
export interface SynthesizeSpokenWordsResult {
  readonly outDir: string;
  /** Clips written by this call. */
  readonly written: number;
  /** Clips that already existed complete and were kept. */
  readonly skipped: number;
  /** Speaker id -> voice, in speaker order. */
  readonly speakers: Readonly<Record<string, SpeakerVoice>>;
}

/** Version of the recipe, stored in synthesis.json so an old folder is not silently mixed with new clips. */
const RECIPE = 'layerwise-spoken-words-1';

/** Synthesize the dataset into `outDir`, skipping clips already there. Needs `espeak-ng` on PATH. */
export async function synthesizeSpokenWords(opts: SynthesizeSpokenWordsOptions): Promise<SynthesizeSpokenWordsResult> {
  const { words = SPEECH_COMMANDS_WORDS, variants = 50, seed = 0, sampleRate = 16000, seconds = 1, holdoutFraction = 0.1, concurrency = 2 } = opts;
  const outDir = resolve(opts.outDir);
  if (words.length === 0) throw new Error('synthesizeSpokenWords: words is empty');
  for (const w of words) {
    if (!/^[a-z][a-z' -]*$/i.test(w) || w !== w.trim()) throw new Error(`synthesizeSpokenWords: word '${w}' must be letters (with ', - or spaces) to be a folder name`);
  }
  if (new Set(words).size !== words.length) throw new Error('synthesizeSpokenWords: words has duplicates');
  if (!Number.isInteger(variants) || variants < 1) throw new Error(`synthesizeSpokenWords: variants must be a positive integer, got ${variants}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`synthesizeSpokenWords: seed must be an integer, got ${seed}`);
  if (!(holdoutFraction >= 0 && holdoutFraction <= 0.5)) throw new Error(`synthesizeSpokenWords: holdoutFraction must be in [0, 0.5], got ${holdoutFraction}`);
  const length = Math.round(seconds * sampleRate);
  if (!(length > 0)) throw new Error(`synthesizeSpokenWords: seconds * sampleRate must give at least one sample, got ${seconds} s at ${sampleRate} Hz`);

  const width = Math.max(3, String(variants - 1).length);
  const speakerIds = Array.from({ length: variants }, (_, v) => `s${String(v).padStart(width, '0')}`);
  const speakers: Record<string, SpeakerVoice> = {};
  // One generator per speaker, so a speaker's voice does not depend on how many speakers there are.
  speakerIds.forEach((id, v) => {
    speakers[id] = randomSpeakerVoice(new Random(`${seed}:speaker:${v}`));
  });
  const description = { recipe: RECIPE, seed, sampleRate, seconds, holdoutFraction, words: [...words], speakers };
  claimOutDir(outDir, description);

  const jobs = words.flatMap((word) => speakerIds.map((id) => ({ word, id, file: join(outDir, word, `${id}_nohash_0.wav`) })));
  for (const w of words) mkdirSync(join(outDir, w), { recursive: true });
  const expectedBytes = 44 + 2 * length;
  let skipped = 0;
  await mapWithConcurrency(jobs, concurrency, async ({ word, id, file }) => {
    if (existsSync(file) && statSync(file).size === expectedBytes) {
      skipped++;
      return;
    }
    const voice = atKey(speakers, id, 'speakers');
    const spoken = await espeakSpeak(word, voice);
    const at16k = await resample(at(spoken.channels, 0), spoken.sampleRate, sampleRate);
    writeFileAtomic(file, encodeWav(fitCentred(at16k, length, voice.peak, `${word} (${voice.voice})`), sampleRate));
  });

  const n = speakerIds.length;
  const holdout = Math.round(holdoutFraction * n);
  const order = new Random(`${seed}:splits`).shuffle(speakerIds);
  const listFor = (ids: readonly string[]): string =>
    words
      .flatMap((w) => ids.map((id) => `${w}/${id}_nohash_0.wav`))
      .sort()
      .map((line) => `${line}\n`)
      .join('');
  writeFileAtomic(join(outDir, 'validation_list.txt'), listFor(order.slice(0, holdout)));
  writeFileAtomic(join(outDir, 'testing_list.txt'), listFor(order.slice(holdout, 2 * holdout)));
  return { outDir, written: jobs.length - skipped, skipped, speakers };
}

/**
 * Centre the spoken part of `x` (where it rises above 1% of its peak) in a clip of `length` samples, cutting
 * the middle out if it is longer, and scale it to `peak`.
 */
function fitCentred(x: Float32Array, length: number, peak: number, what: string): Float32Array {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(atF32(x, i)));
  if (!(max > 0)) throw new Error(`synthesizeSpokenWords: espeak-ng produced silence for ${what}`);
  const threshold = 0.01 * max;
  let first = 0;
  while (Math.abs(atF32(x, first)) < threshold) first++;
  let last = x.length - 1;
  while (Math.abs(atF32(x, last)) < threshold) last--;
  const speech = last - first + 1;
  const out = new Float32Array(length);
  const gain = peak / max;
  if (speech <= length) {
    const offset = Math.floor((length - speech) / 2);
    for (let i = 0; i < speech; i++) out[offset + i] = atF32(x, first + i) * gain;
  } else {
    const start = first + Math.floor((speech - length) / 2);
    for (let i = 0; i < length; i++) out[i] = atF32(x, start + i) * gain;
  }
  return out;
}
