/**
 * The one entry point for reading audio: any supported file (or its bytes) to float samples at the rate a
 * model wants, mixed down to mono, optionally cut to a segment. Errors name the file and the reason.
 */
import { readFile } from 'node:fs/promises';
import type { DecodedAudio } from './DecodedAudio';
import { decodeAudio } from './decodeAudio';
import { resample, type ResampleQuality } from './resample';
import { errorCode, errorMessage } from '../../util/describeError';
import { at, atF32 } from '../../util/at';

/** Options of `loadAudio`: target rate and resampling quality, mono mixing, an optional time window. */
export interface LoadAudioOptions {
  /** Output sample rate in Hz (default 16000); `null` keeps the file's own rate. */
  sampleRate?: number | null;
  /** Mix all channels down to one by their mean (default true). */
  mono?: boolean;
  /** Segment start in seconds from the beginning of the file (default 0). */
  start?: number;
  /** Segment end in seconds (default: end of file). Must not lie past the end of the audio. */
  end?: number;
  /** Resampler quality (default 'best'; see `resample`). */
  quality?: ResampleQuality;
  /** Name used in errors and returned as `path` when loading from bytes (default '<buffer>'). */
  name?: string;
}

/** Decoded audio at the requested rate: mono float32 samples, the rate, and where it came from. */
export interface AudioClip {
  /**
   * The samples, `[frames, channels]` row-major (interleaved); with `mono` (the default) simply one value per
   * frame.
   */
  readonly samples: Float32Array;
  readonly sampleRate: number;
  /** 1 with `mono`, else the file's channel count. */
  readonly channels: number;
  /** Samples per channel. */
  readonly frames: number;
  /** The file path, or the `name` option ('<buffer>' by default) for bytes. */
  readonly path: string;
}

/**
 * Load audio from a path or from the bytes of a file (WAV, FLAC, Ogg Vorbis/Opus, MP3).
 * Throws, naming the file, when it is missing, empty, truncated or corrupt, in an unsupported encoding,
 * holds no samples (or the segment is empty), or holds NaN/Inf samples.
 */
export async function loadAudio(source: string | Uint8Array, opts: LoadAudioOptions = {}): Promise<AudioClip> {
  const { sampleRate = 16000, mono = true, quality = 'best' } = opts;
  const isPath = typeof source === 'string';
  const name = isPath ? source : (opts.name ?? '<buffer>');
  if (sampleRate !== null && (!Number.isInteger(sampleRate) || sampleRate <= 0)) {
    throw new Error(`loadAudio: ${name}: sampleRate must be a positive integer or null, got ${sampleRate}`);
  }
  let bytes: Uint8Array;
  if (isPath) bytes = await readAudioFile(source);
  else if (source instanceof Uint8Array) bytes = source;
  else throw new Error('loadAudio: source must be a file path, a Buffer or a Uint8Array');

  const decoded = await decodeAudio(bytes, name);
  checkFinite(decoded, name);
  const cut = segment(decoded, name, opts.start, opts.end);
  const channels = mono ? [mixDown(cut.channels)] : cut.channels;
  const rate = sampleRate ?? decoded.sampleRate;
  const converted = rate === decoded.sampleRate ? channels : await Promise.all(channels.map((c) => resample(c, decoded.sampleRate, rate, { quality })));
  const frames = at(converted, 0).length;
  return { samples: interleave(converted), sampleRate: rate, channels: converted.length, frames, path: name };
}

async function readAudioFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ENOENT') throw new Error(`${path}: file not found`);
    if (code === 'EISDIR') throw new Error(`${path}: is a directory, not an audio file`);
    if (code === 'EACCES') throw new Error(`${path}: permission denied`);
    throw new Error(`${path}: cannot read file (${errorMessage(e)})`);
  }
}

function checkFinite(audio: DecodedAudio, name: string): void {
  audio.channels.forEach((ch, c) => {
    for (let i = 0; i < ch.length; i++) {
      const v = atF32(ch, i);
      if (!Number.isFinite(v)) {
        throw new Error(`${name}: invalid samples: channel ${c} sample ${i} (${(i / audio.sampleRate).toFixed(4)} s) is ${v}`);
      }
    }
  });
}

function segment(audio: DecodedAudio, name: string, start: number | undefined, end: number | undefined): DecodedAudio {
  if (start === undefined && end === undefined) return audio;
  const frames = at(audio.channels, 0).length;
  const duration = frames / audio.sampleRate;
  const s = start ?? 0;
  const e = end ?? duration;
  if (!Number.isFinite(s) || s < 0) throw new Error(`${name}: segment start must be a finite number >= 0 seconds, got ${s}`);
  if (!Number.isFinite(e) || e <= s) throw new Error(`${name}: segment end must be a finite number greater than start (${s} s), got ${e}`);
  const first = Math.round(s * audio.sampleRate);
  const last = Math.round(e * audio.sampleRate);
  if (last > frames) {
    throw new Error(`${name}: segment ${s}-${e} s ends past the end of the audio (${duration.toFixed(4)} s)`);
  }
  if (last <= first) throw new Error(`${name}: zero-length audio: segment ${s}-${e} s holds no samples at ${audio.sampleRate} Hz`);
  return { sampleRate: audio.sampleRate, channels: audio.channels.map((c) => c.subarray(first, last)) };
}

function mixDown(channels: readonly Float32Array[]): Float32Array {
  const first = at(channels, 0);
  if (channels.length === 1) return first.slice();
  const out = new Float32Array(first.length);
  const k = channels.length;
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += atF32(at(channels, c), i);
    out[i] = sum / k;
  }
  return out;
}

function interleave(channels: readonly Float32Array[]): Float32Array {
  const first = at(channels, 0);
  if (channels.length === 1) return first;
  const k = channels.length;
  const out = new Float32Array(first.length * k);
  for (let c = 0; c < k; c++) {
    const ch = at(channels, c);
    for (let i = 0; i < ch.length; i++) out[i * k + c] = atF32(ch, i);
  }
  return out;
}
