/**
 * A small synthetic stand-in for LibriSpeech, made offline with espeak-ng: seeded speakers read simple
 * English sentences, written as 16 kHz mono 16-bit FLAC (by the `flac` program) in the LibriSpeech tree
 *
 *   <outDir>/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac
 *   <outDir>/<split>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt   ("<utt-id> UPPER CASE TEXT")
 *
 * so `loadLibriSpeech` reads it like the real corpus. Same options, same bytes (for one version of flac).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Random } from '../../random';
import { claimOutDir } from '../../util/claimOutDir';
import { checkCorpusLayout } from './checkCorpusLayout';
import { writeFlac } from '../audio/writeFlac';
import { ENGLISH_SENTENCES } from './ENGLISH_SENTENCES';
import { espeakSpeak } from './espeakSpeak';
import { mapWithConcurrency } from '../../util/mapWithConcurrency';
import { resample } from '../audio/resample';
import { randomSpeakerVoice, type SpeakerVoice } from './SpeakerVoice';
import { writeFileAtomic } from '../../util/writeFileAtomic';
import { at, atF32, atKey } from '../../util/at';

/** Options of `synthesizeSpokenSentences` (seeded, so the same options write the same files). */
export interface SynthesizeSpokenSentencesOptions {
  /** Output folder (created if needed). */
  outDir: string;
  /** Sentences to draw from (default ENGLISH_SENTENCES). */
  sentences?: readonly string[];
  /** Number of speakers (default 2). */
  speakers?: number;
  /** Chapters per speaker (default 1). */
  chaptersPerSpeaker?: number;
  /** Utterances per chapter (default 5). */
  utterancesPerChapter?: number;
  /** Seed for voices and sentence choice (default 0). */
  seed?: number;
  /** Split folder name (default 'dev-clean'). */
  split?: string;
  /** Sample rate (default 16000). */
  sampleRate?: number;
  /** Silence added before and after each utterance, seconds (default 0.2). */
  padSeconds?: number;
  /** espeak-ng/flac processes run at once (default 2). */
  concurrency?: number;
}

/** What `synthesizeSpokenSentences` wrote. */
export interface SynthesizeSpokenSentencesResult {
  readonly outDir: string;
  /** Folder of the split, what `loadLibriSpeech(outDir)` reads. */
  readonly splitDir: string;
  readonly written: number;
  readonly skipped: number;
  /** Speaker id -> voice. */
  readonly speakers: Readonly<Record<string, SpeakerVoice>>;
}

const RECIPE = 'layerwise-spoken-sentences-1';

/** LibriSpeech transcripts: upper case, letters, apostrophes and single spaces. */
export function librispeechTranscript(sentence: string): string {
  return sentence
    .toUpperCase()
    .replace(/[^A-Z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Synthesize the corpus into `outDir`, skipping files already there. Needs `espeak-ng` and `flac`. */
export async function synthesizeSpokenSentences(opts: SynthesizeSpokenSentencesOptions): Promise<SynthesizeSpokenSentencesResult> {
  const {
    sentences = ENGLISH_SENTENCES,
    speakers: speakerCount = 2,
    chaptersPerSpeaker = 1,
    utterancesPerChapter = 5,
    seed = 0,
    split = 'dev-clean',
    sampleRate = 16000,
    padSeconds = 0.2,
    concurrency = 2,
  } = opts;
  const outDir = resolve(opts.outDir);
  const counts = { speakers: speakerCount, chaptersPerSpeaker, utterancesPerChapter };
  checkCorpusLayout('synthesizeSpokenSentences', counts, seed, split);
  if (!(padSeconds >= 0)) throw new Error(`synthesizeSpokenSentences: padSeconds must be >= 0, got ${padSeconds}`);
  const texts = sentences.map((s) => s.trim());
  texts.forEach((s, i) => {
    if (librispeechTranscript(s) === '') throw new Error(`synthesizeSpokenSentences: sentences[${i}] has no words`);
  });
  if (texts.length === 0) throw new Error('synthesizeSpokenSentences: sentences is empty');

  const speakers: Record<string, SpeakerVoice> = {};
  const jobs: { speaker: string; chapter: string; uttId: string; text: string; file: string }[] = [];
  const transcripts: { dir: string; file: string; lines: string[] }[] = [];
  for (let s = 0; s < speakerCount; s++) {
    // LibriSpeech-like numeric ids; the synthetic ones start at 9000 to stay clear of common real ones.
    const speaker = String(9000 + s);
    speakers[speaker] = randomSpeakerVoice(new Random(`${seed}:speaker:${s}`));
    for (let c = 0; c < chaptersPerSpeaker; c++) {
      const chapter = String(100000 + s * 1000 + c);
      const dir = join(outDir, split, speaker, chapter);
      const pick = new Random(`${seed}:chapter:${s}:${c}`);
      const lines: string[] = [];
      for (let u = 0; u < utterancesPerChapter; u++) {
        const uttId = `${speaker}-${chapter}-${String(u).padStart(4, '0')}`;
        const text = at(texts, pick.int(texts.length));
        jobs.push({ speaker, chapter, uttId, text, file: join(dir, `${uttId}.flac`) });
        lines.push(`${uttId} ${librispeechTranscript(text)}`);
      }
      transcripts.push({ dir, file: join(dir, `${speaker}-${chapter}.trans.txt`), lines });
    }
  }
  claimOutDir(outDir, { recipe: RECIPE, seed, split, sampleRate, padSeconds, speakerCount, chaptersPerSpeaker, utterancesPerChapter, sentences: texts, speakers });

  for (const t of transcripts) mkdirSync(t.dir, { recursive: true });
  let skipped = 0;
  const pad = Math.round(padSeconds * sampleRate);
  await mapWithConcurrency(jobs, concurrency, async (job) => {
    if (existsSync(job.file) && statSync(job.file).size > 0) {
      skipped++;
      return;
    }
    const voice = atKey(speakers, job.speaker, 'speakers');
    const spoken = await espeakSpeak(job.text, voice);
    const converted = await resample(at(spoken.channels, 0), spoken.sampleRate, sampleRate);
    const clip = new Float32Array(converted.length + 2 * pad);
    let max = 0;
    for (let i = 0; i < converted.length; i++) max = Math.max(max, Math.abs(atF32(converted, i)));
    if (!(max > 0)) throw new Error(`synthesizeSpokenSentences: espeak-ng produced silence for '${job.text}' (${voice.voice})`);
    for (let i = 0; i < converted.length; i++) clip[pad + i] = (atF32(converted, i) * voice.peak) / max;
    await writeFlac(job.file, clip, sampleRate);
  });
  for (const t of transcripts) writeFileAtomic(t.file, t.lines.map((l) => `${l}\n`).join(''));
  return { outDir, splitDir: join(outDir, split), written: jobs.length - skipped, skipped, speakers };
}
