import { atU8 } from '../../util/at';
/**
 * Walk the frames of an MPEG audio (MP1/MP2/MP3) file from header to header (ISO/IEC 11172-3 and 13818-3
 * frame headers). The WebAssembly decoder skips damage silently; this walk finds a cut-off last frame or
 * bytes that are not frames, so `loadAudio` can report truncated and corrupt files.
 */

export interface MpegStreamInfo {
  readonly frames: number;
  readonly sampleRate: number;
  readonly channels: number;
  /** Byte offset of the first frame (after any ID3v2 tags). */
  readonly audioOffset: number;
}

const BITRATES_KBPS: Record<string, readonly number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, readonly number[]> = {
  1: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  25: [11025, 12000, 8000],
};

export interface MpegFrameHeader {
  readonly length: number;
  readonly sampleRate: number;
  readonly channels: number;
}

/** Parse the 4-byte frame header at `pos`, or return null if there is none (or a free-format one). */
export function parseMpegFrameHeader(bytes: Uint8Array, pos: number): MpegFrameHeader | null {
  if (pos + 4 > bytes.length) return null;
  const b1 = atU8(bytes, pos + 1);
  const b2 = atU8(bytes, pos + 2);
  const b3 = atU8(bytes, pos + 3);
  if (bytes[pos] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 25;
  const layer = 4 - layerBits;
  const kbps = (BITRATES_KBPS[`${version === 1 ? 1 : 2}-${layer}`] ?? [])[bitrateIndex] ?? 0;
  const sampleRate = (SAMPLE_RATES[version] ?? [])[rateIndex] ?? 0;
  const padding = (b2 >> 1) & 1;
  const bitrate = kbps * 1000;
  let length: number;
  if (layer === 1) length = (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  else if (layer === 3 && version !== 1) length = Math.floor((72 * bitrate) / sampleRate) + padding;
  else length = Math.floor((144 * bitrate) / sampleRate) + padding;
  const channels = b3 >> 6 === 3 ? 1 : 2;
  return { length, sampleRate, channels };
}

function id3v2Length(bytes: Uint8Array, pos: number): number {
  if (pos + 10 > bytes.length || bytes[pos] !== 0x49 || bytes[pos + 1] !== 0x44 || bytes[pos + 2] !== 0x33) return 0;
  const size =
    ((atU8(bytes, pos + 6) & 0x7f) << 21) |
    ((atU8(bytes, pos + 7) & 0x7f) << 14) |
    ((atU8(bytes, pos + 8) & 0x7f) << 7) |
    (atU8(bytes, pos + 9) & 0x7f);
  const footer = atU8(bytes, pos + 5) & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/** Byte offset after any ID3v2 tags at the start of `bytes`. */
export function skipId3v2(bytes: Uint8Array): number {
  let pos = 0;
  for (let n = id3v2Length(bytes, pos); n > 0; n = id3v2Length(bytes, pos)) pos += n;
  return pos;
}

function startsWith(bytes: Uint8Array, pos: number, tag: string): boolean {
  if (pos + tag.length > bytes.length) return false;
  for (let i = 0; i < tag.length; i++) if (bytes[pos + i] !== tag.charCodeAt(i)) return false;
  return true;
}

/** Check that `bytes` is a whole sequence of MPEG audio frames (plus tags). `name` prefixes errors. */
export function readMpegFrames(bytes: Uint8Array, name: string): MpegStreamInfo {
  const fail: (reason: string) => never = (reason) => {
    throw new Error(`${name}: ${reason}`);
  };
  const audioOffset = skipId3v2(bytes);
  if (audioOffset > bytes.length) fail('truncated MP3 file: the ID3v2 tag is cut off');
  let pos = audioOffset;
  let frames = 0;
  let sampleRate = 0;
  let channels = 0;
  while (pos < bytes.length) {
    if (startsWith(bytes, pos, 'TAG') || startsWith(bytes, pos, 'APETAGEX') || startsWith(bytes, pos, 'LYRICS')) break;
    if (bytes.subarray(pos).every((b) => b === 0)) break;
    const h = parseMpegFrameHeader(bytes, pos);
    if (h === null) {
      if (frames === 0) fail('corrupt MP3 file: no MPEG audio frame header after the tags');
      if (bytes.length - pos < 4) fail(`truncated MP3 file: ${bytes.length - pos} stray bytes after frame ${frames}`);
      fail(`corrupt MP3 file: expected an MPEG frame header at byte ${pos} (after frame ${frames})`);
    }
    if (frames === 0) {
      sampleRate = h.sampleRate;
      channels = h.channels;
    } else if (h.sampleRate !== sampleRate) {
      fail(`corrupt MP3 file: frame ${frames} changes the sample rate from ${sampleRate} to ${h.sampleRate}`);
    }
    if (pos + h.length > bytes.length) {
      fail(`truncated MP3 file: frame ${frames} at byte ${pos} needs ${h.length} bytes, only ${bytes.length - pos} remain`);
    }
    pos += h.length;
    frames++;
  }
  if (frames === 0) fail('zero-length audio: the MP3 file holds no MPEG audio frames');
  return { frames, sampleRate, channels, audioOffset };
}
