/**
 * An offline stand-in for LibriSpeech with the Lugosch et al. alignments: seeded Festival speakers read seeded
 * sentences, and Festival's own segment and word times are written as TextGrids. Layout:
 *
 *   <outDir>/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac        16 kHz mono 16-bit FLAC
 *   <outDir>/<split>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt         "<utt-id> UPPER CASE TEXT"
 *   <outDir>/alignments/<split>/<speaker>/<chapter>/<utt-id>.TextGrid          tiers 'words' and 'phones'
 *
 * so `loadLibriSpeech(splitDir)` and `loadAlignments(alignmentDir)` read it like the real corpus and the
 * alignment release. The transcript is the words Festival spoke (its Word relation), so text and alignment
 * agree. Same options, same files (for one version of Festival and flac).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Random } from '../../random';
import { claimOutDir } from '../../util/claimOutDir';
import { checkCorpusLayout } from './checkCorpusLayout';
import { mapWithConcurrency } from '../../util/mapWithConcurrency';
import { writeFileAtomic } from '../../util/writeFileAtomic';
import { at, atF32, atKey } from '../../util/at';
import { resample } from '../audio/resample';
import { writeFlac } from '../audio/writeFlac';
import { readTextGrid } from '../alignments/readTextGrid';
import { textGridText } from '../alignments/writeTextGrid';
import { composeSentences } from './composeSentences';
import { festivalAlignment } from './festivalAlignment';
import { festivalSpeak } from './festivalSpeak';
import { randomFestivalVoice, type FestivalVoice } from './FestivalVoice';

/** Options of `synthesizeAlignedSpeech` (seeded: the same options write the same files). */
export interface SynthesizeAlignedSpeechOptions {
  /** Output folder (created if needed). */
  outDir: string;
  /** Sentences to draw from (default: `composeSentences`, a new sentence per utterance). */
  sentences?: readonly string[];
  /** Number of speakers (default 6). */
  speakers?: number;
  /** Chapters per speaker (default 1). */
  chaptersPerSpeaker?: number;
  /** Utterances per chapter (default 60: with 6 speakers, 39 phones x 50 and 100 words x 10 instances). */
  utterancesPerChapter?: number;
  /** Seed of voices and sentences (default 0). */
  seed?: number;
  /** Split folder name (default 'dev-clean'). */
  split?: string;
  /** Sample rate of the FLAC files (default 16000). */
  sampleRate?: number;
  /** Festival/flac processes run at once (default 2). */
  concurrency?: number;
}

/** What `synthesizeAlignedSpeech` wrote. */
export interface SynthesizeAlignedSpeechResult {
  readonly outDir: string;
  /** The LibriSpeech split folder (what `loadLibriSpeech` reads). */
  readonly splitDir: string;
  /** The TextGrid tree (what `loadAlignments` reads). */
  readonly alignmentDir: string;
  readonly written: number;
  readonly skipped: number;
  /** Speaker id -> voice. */
  readonly speakers: Readonly<Record<string, FestivalVoice>>;
}

const RECIPE = 'layerwise-aligned-speech-1';

/** Synthesize the corpus into `outDir`, skipping utterances whose FLAC and TextGrid are both there. */
export async function synthesizeAlignedSpeech(opts: SynthesizeAlignedSpeechOptions): Promise<SynthesizeAlignedSpeechResult> {
  const { speakers: speakerCount = 6, chaptersPerSpeaker = 1, utterancesPerChapter = 60, seed = 0, split = 'dev-clean', sampleRate = 16000, concurrency = 2 } = opts;
  const outDir = resolve(opts.outDir);
  checkCorpusLayout('synthesizeAlignedSpeech', { speakers: speakerCount, chaptersPerSpeaker, utterancesPerChapter }, seed, split);
  if (!(Number.isInteger(sampleRate) && sampleRate >= 8000)) throw new Error(`synthesizeAlignedSpeech: sampleRate must be an integer >= 8000, got ${sampleRate}`);
  const total = speakerCount * chaptersPerSpeaker * utterancesPerChapter;
  const texts = (opts.sentences ?? composeSentences(total, seed)).map((s) => s.trim());
  if (texts.length === 0) throw new Error('synthesizeAlignedSpeech: sentences is empty');
  texts.forEach((s, i) => {
    if (!/[A-Za-z]/.test(s)) throw new Error(`synthesizeAlignedSpeech: sentences[${i}] has no words`);
  });

  const speakers: Record<string, FestivalVoice> = {};
  const jobs: { speaker: string; uttId: string; text: string; flac: string; grid: string; chapter: number }[] = [];
  const chapters: { dir: string; file: string; ids: string[] }[] = [];
  let next = 0;
  for (let s = 0; s < speakerCount; s++) {
    const speaker = String(9500 + s);
    speakers[speaker] = randomFestivalVoice(new Random(`${seed}:festival-speaker:${s}`));
    for (let c = 0; c < chaptersPerSpeaker; c++) {
      const chapter = String(200000 + s * 1000 + c);
      const dir = join(outDir, split, speaker, chapter);
      const gridDir = join(outDir, 'alignments', split, speaker, chapter);
      const ids: string[] = [];
      for (let u = 0; u < utterancesPerChapter; u++) {
        const uttId = `${speaker}-${chapter}-${String(u).padStart(4, '0')}`;
        // Given sentences are drawn per chapter; composed ones are used in order (one per utterance).
        const text = opts.sentences === undefined ? at(texts, next++) : at(texts, new Random(`${seed}:pick:${uttId}`).int(texts.length));
        jobs.push({ speaker, uttId, text, flac: join(dir, `${uttId}.flac`), grid: join(gridDir, `${uttId}.TextGrid`), chapter: chapters.length });
        ids.push(uttId);
      }
      chapters.push({ dir, file: join(dir, `${speaker}-${chapter}.trans.txt`), ids });
      mkdirSync(dir, { recursive: true });
      mkdirSync(gridDir, { recursive: true });
    }
  }
  claimOutDir(outDir, { recipe: RECIPE, seed, split, sampleRate, speakerCount, chaptersPerSpeaker, utterancesPerChapter, sentences: opts.sentences ?? null, speakers });

  const transcript = new Map<string, string>();
  let skipped = 0;
  await mapWithConcurrency(jobs, concurrency, async (job) => {
    const voice = atKey(speakers, job.speaker, 'speakers');
    const what = `synthesizeAlignedSpeech: ${job.uttId} ('${job.text}', ${voice.voice})`;
    // A finished utterance (its TextGrid is written last) keeps its files; its transcript is its words tier.
    if (existsSync(job.flac) && statSync(job.flac).size > 0 && existsSync(job.grid)) {
      const tier = readTextGrid(job.grid).tiers.find((t) => t.name === 'words');
      const words = tier === undefined || tier.kind !== 'interval' ? '' : tier.intervals.filter((iv) => iv.text !== '').map((iv) => iv.text.toUpperCase()).join(' ');
      if (words !== '') {
        transcript.set(job.uttId, words);
        skipped++;
        return;
      }
    }
    const spoken = await festivalSpeak(job.text, voice);
    const words = spoken.words.map((w) => w.name.toUpperCase()).join(' ');
    if (words === '') throw new Error(`${what}: Festival spoke no words`);
    transcript.set(job.uttId, words);
    const converted = spoken.sampleRate === sampleRate ? spoken.samples : await resample(spoken.samples, spoken.sampleRate, sampleRate);
    let max = 0;
    for (let i = 0; i < converted.length; i++) max = Math.max(max, Math.abs(atF32(converted, i)));
    if (!(max > 0)) throw new Error(`${what}: Festival produced silence`);
    const clip = new Float32Array(converted.length);
    for (let i = 0; i < converted.length; i++) clip[i] = (atF32(converted, i) * voice.peak) / max;
    const duration = clip.length / sampleRate;
    const tiers = festivalAlignment(spoken.segments, spoken.words, duration, what);
    // The FLAC first, then the TextGrid: an utterance counts as done only when its alignment exists.
    await writeFlac(job.flac, clip, sampleRate);
    writeFileAtomic(job.grid, textGridText([{ name: 'words', intervals: tiers.words }, { name: 'phones', intervals: tiers.phones }], duration));
  });
  for (const ch of chapters) {
    writeFileAtomic(ch.file, ch.ids.map((id) => `${id} ${transcript.get(id) ?? ''}\n`).join(''));
  }
  return { outDir, splitDir: join(outDir, split), alignmentDir: join(outDir, 'alignments', split), written: jobs.length - skipped, skipped, speakers };
}
