/** 16-bit mono FLAC written by the `flac` program, byte-reproducible for one flac version. */
import { renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { encodeWav } from './encodeWav';
import { runProgram } from '../../util/runProgram';
import { temporaryPathFor, writeFileAtomic } from '../../util/writeFileAtomic';

/** Encode mono samples as 16-bit FLAC with the `flac` program, atomically (temporary names + rename). */
export async function writeFlac(path: string, samples: Float32Array, sampleRate: number): Promise<void> {
  const wavTmp = `${temporaryPathFor(path)}.wav`;
  const flacTmp = `${temporaryPathFor(path)}.flac`;
  try {
    writeFileAtomic(wavTmp, encodeWav(samples, sampleRate));
    // Fixed compression level, no padding block and no seek table: the bytes depend only on the samples
    // (and the flac version, which it records in its vendor string).
    await runProgram('flac', ['--silent', '--force', '-8', '--no-padding', '--no-seektable', '-o', flacTmp, wavTmp]);
    renameSync(flacTmp, path);
  } finally {
    await rm(wavTmp, { force: true });
    await rm(flacTmp, { force: true });
  }
}
