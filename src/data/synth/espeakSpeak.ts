/**
 * Speak text with the espeak-ng program (run as a program, not linked) and return the audio it writes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecodedAudio } from '../audio/DecodedAudio';
import { decodeWav } from '../audio/decodeWav';
import { runProgram } from '../../util/runProgram';
import type { SpeakerVoice } from './SpeakerVoice';

/** `espeak-ng -w <tmp>.wav -v <voice> -s <speed> -p <pitch> <text>`: mono 22050 Hz audio. */
export async function espeakSpeak(text: string, voice: Pick<SpeakerVoice, 'voice' | 'speed' | 'pitch'>): Promise<DecodedAudio> {
  if (text.trim() === '') throw new Error('espeakSpeak: text is empty');
  const dir = await mkdtemp(join(tmpdir(), 'layerwise-espeak-'));
  try {
    const file = join(dir, 'speech.wav');
    // '--' keeps a text starting with '-' from being read as an option.
    await runProgram('espeak-ng', ['-w', file, '-v', voice.voice, '-s', String(voice.speed), '-p', String(voice.pitch), '--', text]);
    return decodeWav(await readFile(file), `espeak-ng output for '${text}' (${voice.voice})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
