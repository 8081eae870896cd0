/**
 * Speak one sentence with Festival (run as a program) and read back what it synthesized: the waveform and
 * the start and end of every segment (Segment relation) and word (Word relation), in seconds. These times
 * are the synthesizer's own durations, so they are exact alignments, unlike a forced aligner's estimates.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav } from '../audio/decodeWav';
import { runProgram } from '../../util/runProgram';
import { at } from '../../util/at';
import type { FestivalVoice } from './FestivalVoice';

/** One Festival segment (a phone in Festival's phone set, `pau` for a pause) or word. */
export interface FestivalItem {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** A Festival segment with the lexical stress of its syllable (0 or 1; Festival's lexicons also use 2). */
export interface FestivalSegment extends FestivalItem {
  readonly stress: number;
}

/** What Festival synthesized for one sentence. */
export interface FestivalSpeech {
  readonly samples: Float32Array;
  readonly sampleRate: number;
  readonly segments: readonly FestivalSegment[];
  readonly words: readonly FestivalItem[];
}

/** A Scheme string literal. */
function schemeString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The Scheme commands that select and adjust the voice. */
function voiceCommands(v: FestivalVoice): string {
  if (v.voice === 'kal_diphone') {
    // The diphone voice's duration module stretches by Duration_Stretch; its linear-regression F0 model
    // targets a mean and spread in Hz (the voice's own: 105 and 14), shifted here by the semitones.
    const f = 2 ** (v.semitones / 12);
    return [
      '(voice_kal_diphone)',
      `(Parameter.set 'Duration_Stretch ${(1 / v.rate).toFixed(6)})`,
      `(set! int_lr_params '((target_f0_mean ${(105 * f).toFixed(4)}) (target_f0_std ${(14 * f).toFixed(4)}) (model_f0_mean 170) (model_f0_std 34)))`,
    ].join('\n');
  }
  // HTS ignores Duration_Stretch; hts_engine takes the rate (-r) and an additive half-tone shift (-fm), and
  // Festival writes the durations it generated back into the Segment relation.
  return [
    '(voice_cmu_us_slt_arctic_hts)',
    `(set! hts_engine_params (append hts_engine_params (list (list "-r" ${v.rate.toFixed(6)}) (list "-fm" ${v.semitones.toFixed(1)}))))`,
  ].join('\n');
}

function parseItems(stdout: string, what: string): { segments: FestivalSegment[]; words: FestivalItem[] } {
  const segments: FestivalSegment[] = [];
  const words: FestivalItem[] = [];
  for (const line of stdout.split('\n')) {
    const f = line.split('\t');
    if (f.length < 4 || (f[0] !== 'S' && f[0] !== 'W')) continue;
    const name = at(f, 1);
    const start = Number(at(f, 2));
    const end = Number(at(f, 3));
    if (!(Number.isFinite(start) && Number.isFinite(end))) throw new Error(`${what}: festival reported a non-numeric time in '${line}'`);
    if (f[0] === 'S') segments.push({ name, start, end, stress: Number(f[4] ?? '0') || 0 });
    else words.push({ name, start, end });
  }
  return { segments, words };
}

/** Speak `text` with `voice`. Needs the `festival` program and the voice's Debian package. */
export async function festivalSpeak(text: string, voice: FestivalVoice): Promise<FestivalSpeech> {
  const what = `festival (${voice.voice}) speaking '${text}'`;
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-festival-'));
  try {
    const wav = join(dir, 'out.wav');
    const script = join(dir, 'speak.scm');
    writeFileSync(
      script,
      [
        voiceCommands(voice),
        `(set! utt (SynthText ${schemeString(text)}))`,
        `(utt.save.wave utt ${schemeString(wav)} 'riff)`,
        `(mapcar (lambda (s) (format t "S\\t%s\\t%s\\t%s\\t%s\\n" (item.name s) (item.feat s "segment_start") (item.feat s "end") (item.feat s "R:SylStructure.parent.stress"))) (utt.relation.items utt 'Segment))`,
        `(mapcar (lambda (w) (format t "W\\t%s\\t%s\\t%s\\n" (item.name w) (item.feat w "word_start") (item.feat w "word_end"))) (utt.relation.items utt 'Word))`,
        '',
      ].join('\n'),
    );
    const { stdout } = await runProgram('festival', ['-b', script]);
    const { segments, words } = parseItems(stdout.toString('utf8'), what);
    if (segments.length === 0) throw new Error(`${what}: festival reported no segments (is the voice's package installed?)`);
    let decoded;
    try {
      decoded = decodeWav(readFileSync(wav), wav);
    } catch (e) {
      throw new Error(`${what}: festival wrote no readable waveform`, { cause: e });
    }
    return { samples: at(decoded.channels, 0), sampleRate: decoded.sampleRate, segments, words };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
