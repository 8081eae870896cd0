import { atU8 } from '../../util/at';
/**
 * Read a FLAC file's STREAMINFO block (FLAC format, section "METADATA_BLOCK_STREAMINFO"). Its total-sample
 * count is what tells a complete decode from one that silently stopped at a truncated or damaged frame.
 */

export interface FlacStreamInfo {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  /** Samples per channel; 0 means "unknown" in the format. */
  readonly totalSamples: number;
  /** Byte offset where the first audio frame starts (after all metadata blocks). */
  readonly audioOffset: number;
}

/** Parse the metadata of a FLAC stream starting at `offset` (the 'fLaC' marker). `name` prefixes errors. */
export function readFlacStreamInfo(bytes: Uint8Array, name: string, offset = 0): FlacStreamInfo {
  const fail: (reason: string) => never = (reason) => {
    throw new Error(`${name}: ${reason}`);
  };
  if (bytes.length < offset + 4 + 4 + 34) fail('truncated FLAC file: too short to hold a STREAMINFO block');
  if (String.fromCharCode(...bytes.subarray(offset, offset + 4)) !== 'fLaC') fail("corrupt FLAC file: no 'fLaC' marker");
  let pos = offset + 4;
  let info: Omit<FlacStreamInfo, 'audioOffset'> | null = null;
  for (;;) {
    if (pos + 4 > bytes.length) fail('truncated FLAC file: metadata ends early');
    const head = atU8(bytes, pos);
    const type = head & 0x7f;
    const length = (atU8(bytes, pos + 1) << 16) | (atU8(bytes, pos + 2) << 8) | atU8(bytes, pos + 3);
    const body = pos + 4;
    if (body + length > bytes.length) fail(`truncated FLAC file: metadata block of ${length} bytes is cut off`);
    if (info === null) {
      if (type !== 0 || length < 34) fail('corrupt FLAC file: the first metadata block is not STREAMINFO');
      const b = (i: number): number => atU8(bytes, body + i);
      const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
      const channels = ((b(12) >> 1) & 0x07) + 1;
      const bitsPerSample = (((b(12) & 1) << 4) | (b(13) >> 4)) + 1;
      const low = ((b(14) << 24) | (b(15) << 16) | (b(16) << 8) | b(17)) >>> 0;
      const totalSamples = (b(13) & 0x0f) * 4294967296 + low;
      if (sampleRate === 0) fail('corrupt FLAC file: STREAMINFO sample rate is 0');
      info = { sampleRate, channels, bitsPerSample, totalSamples };
    }
    pos = body + length;
    if (head & 0x80) break;
  }
  if (info === null) return fail('corrupt FLAC file: no STREAMINFO block');
  return { ...info, audioOffset: pos };
}
