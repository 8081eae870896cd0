/**
 * Decode the bytes of an audio file of any supported encoding: WAV with our own reader, FLAC, Ogg
 * (Vorbis, Opus) and MP3 with the WebAssembly decoders that `audio-decode` is built on. The decoders are
 * called directly rather than through `audio-decode`'s wrapper because the wrapper (and the frame parser
 * bundled with the FLAC decoder) drops the last FLAC frame of some files and discards the decoders' error
 * reports. Each compressed format is also checked against its own framing (FLAC frame CRCs and STREAMINFO
 * sample count, Ogg page checksums, the MPEG frame chain), so a truncated or damaged file is reported as
 * such instead of decoding to a shorter clip.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import type { AudioFormat, DecodedAudio } from './DecodedAudio';
import { decodeWav } from './decodeWav';
import { readFlacStreamInfo } from './readFlacStreamInfo';
import { parseMpegFrameHeader, readMpegFrames, skipId3v2 } from './readMpegFrames';
import { readOggPages } from './readOggPages';
import { splitFlacFrames } from './splitFlacFrames';
import { errorMessage } from '../../util/describeError';
import { atF32 } from '../../util/at';

/** Recognise the encoding from the leading bytes (after any ID3v2 tags), or null. */
export function detectAudioFormat(bytes: Uint8Array): AudioFormat | null {
  const tag = (at: number, s: string): boolean => {
    if (at + s.length > bytes.length) return false;
    for (let i = 0; i < s.length; i++) if (bytes[at + i] !== s.charCodeAt(i)) return false;
    return true;
  };
  if ((tag(0, 'RIFF') || tag(0, 'RF64') || tag(0, 'BW64') || tag(0, 'RIFX')) && tag(8, 'WAVE')) return 'wav';
  if (tag(0, 'OggS')) return 'ogg';
  const start = skipId3v2(bytes);
  if (tag(start, 'fLaC')) return 'flac';
  if (parseMpegFrameHeader(bytes, start) !== null) return 'mp3';
  return null;
}

/** What a WebAssembly decoder returns (the shared shape of the four decoders' results). */
interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string; frameNumber: number }[];
}

/**
 * Decode `bytes`; `name` (a path or label) prefixes every error. Returns one Float32Array per channel at the
 * file's own sample rate. Throws for empty, unrecognised, unsupported, truncated, corrupt and sample-less
 * input.
 */
export async function decodeAudio(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new Error(`${name}: empty file (0 bytes)`);
  const format = detectAudioFormat(bytes);
  switch (format) {
    case 'wav':
      return decodeWav(bytes, name);
    case 'flac':
      return decodeFlac(bytes, name);
    case 'ogg':
      return decodeOgg(bytes, name);
    case 'mp3':
      return decodeMp3(bytes, name);
    default:
      throw new Error(`${name}: unsupported encoding: not a WAV, FLAC, Ogg (Vorbis/Opus) or MP3 file (leading bytes ${hex(bytes.subarray(0, 8))})`);
  }
}

async function decodeFlac(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  const info = readFlacStreamInfo(bytes, name, skipId3v2(bytes));
  if (info.audioOffset >= bytes.length) {
    if (info.totalSamples > 0) throw new Error(`${name}: truncated FLAC file: metadata only, the ${info.totalSamples} samples are missing`);
    throw new Error(`${name}: zero-length audio: the FLAC file holds no audio frames`);
  }
  const { frames, samples } = splitFlacFrames(bytes, info.audioOffset, name);
  if (info.totalSamples > 0 && samples !== info.totalSamples) {
    throw new Error(`${name}: truncated or corrupt FLAC file: its frames hold ${samples} samples, STREAMINFO declares ${info.totalSamples}`);
  }
  const decoder = new FLACDecoder();
  const result = await runDecoder('FLAC', name, async () => {
    await decoder.ready;
    return decoder.decodeFrames(frames);
  }, () => decoder.free());
  if (result.samplesDecoded !== samples) {
    throw new Error(`${name}: corrupt FLAC file: decoded ${result.samplesDecoded} of the ${samples} samples in its frames`);
  }
  return rescaleFlac(finish(result, name, samples, info.channels), info.bitsPerSample);
}

/**
 * The FLAC decoder divides b-bit integers by 2^(b-1) - 1; recover the integers and divide by 2^(b-1), the
 * scale of our WAV reader and of sox, so a FLAC file and the WAV it was made from load identically.
 * Up to 24 bits the integer is recovered exactly (float32 holds it); wider samples are only rescaled.
 */
function rescaleFlac(audio: DecodedAudio, bits: number): DecodedAudio {
  const full = 2 ** (bits - 1);
  const used = full - 1;
  for (const ch of audio.channels) {
    for (let i = 0; i < ch.length; i++) {
      const v = atF32(ch, i) * used;
      ch[i] = (bits <= 24 ? Math.round(v) : v) / full;
    }
  }
  return audio;
}

async function decodeOgg(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  const info = readOggPages(bytes, name);
  const isOpus = info.codec === 'opus';
  const decoder = isOpus ? new OggOpusDecoder() : new OggVorbisDecoder();
  const result = await runDecoder(isOpus ? 'Opus' : 'Vorbis', name, async () => {
    await decoder.ready;
    return decoder.decodeFile(bytes);
  }, () => decoder.free());
  // The last page's granule position is the stream's end in samples (Opus: at 48 kHz, counting pre-skip).
  const expected = info.lastGranule - info.preSkip;
  if (expected > 0 && result.samplesDecoded < expected) {
    throw new Error(`${name}: corrupt Ogg ${info.codec} file: decoded ${result.samplesDecoded} of the ${expected} samples its last page declares`);
  }
  return finish(result, name, expected > 0 ? expected : result.samplesDecoded, result.channelData.length);
}

async function decodeMp3(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  const info = readMpegFrames(bytes, name);
  const decoder = new MPEGDecoder();
  const result = await runDecoder('MP3', name, async () => {
    await decoder.ready;
    return decoder.decode(bytes);
  }, () => decoder.free());
  if (result.samplesDecoded === 0) throw new Error(`${name}: corrupt MP3 file: ${info.frames} frames decode to no samples`);
  // mpg123 always outputs two channels; a mono stream's second one is a copy.
  return finish(result, name, result.samplesDecoded, info.channels);
}

async function runDecoder(kind: string, name: string, run: () => Promise<WasmDecoded>, free: () => void): Promise<WasmDecoded> {
  let result: WasmDecoded;
  try {
    result = await run();
  } catch (e) {
    throw new Error(`${name}: corrupt ${kind} file: the decoder failed (${errorMessage(e)})`);
  } finally {
    free();
  }
  const first = result.errors[0];
  if (first !== undefined) {
    throw new Error(`${name}: corrupt ${kind} file: ${result.errors.length} frame(s) failed to decode, first at frame ${first.frameNumber}: ${first.message}`);
  }
  // A decoder that gives up on damaged input returns no channels; count that as zero samples decoded so the
  // callers' length checks name the problem.
  if (!Array.isArray(result.channelData) || result.channelData.length === 0) {
    return { channelData: [], samplesDecoded: 0, sampleRate: result.sampleRate, errors: [] };
  }
  return result;
}

/**
 * Copy the decoder's output (it may alias WebAssembly memory), keeping the first `channelCount` channels
 * cut to the declared length.
 */
function finish(result: WasmDecoded, name: string, length: number, channelCount: number): DecodedAudio {
  const n = Math.min(length, result.samplesDecoded);
  if (n === 0) throw new Error(`${name}: zero-length audio: the file decodes to no samples`);
  const channels = result.channelData.slice(0, channelCount).map((c) => c.slice(0, n));
  return { channels, sampleRate: result.sampleRate };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
