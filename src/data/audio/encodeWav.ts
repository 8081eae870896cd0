import { atF32 } from '../../util/at';
/**
 * Write audio as a canonical 44-byte-header WAV file (16-bit PCM or 32-bit float). Deterministic: the same
 * samples always give the same bytes, which the synthetic datasets rely on.
 */

export interface EncodeWavOptions {
  /** 16 (PCM, default) or 32 (IEEE float). */
  bitDepth?: 16 | 32;
  /** Number of interleaved channels in `samples` (default 1); `samples` is `[frames, channels]` row-major. */
  channels?: number;
}

/**
 * Encode `samples` (`[frames, channels]` row-major, nominal range [-1, 1)) at `sampleRate`.
 * 16-bit output scales by 32768 and rounds to nearest, clipping to [-32768, 32767], the inverse of the
 * decoder's division by 32768. NaN/Inf are rejected rather than written.
 */
export function encodeWav(samples: Float32Array, sampleRate: number, opts: EncodeWavOptions = {}): Buffer {
  const { bitDepth = 16, channels = 1 } = opts;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new Error(`encodeWav: sampleRate must be a positive integer, got ${sampleRate}`);
  if (!Number.isInteger(channels) || channels <= 0) throw new Error(`encodeWav: channels must be a positive integer, got ${channels}`);
  if (bitDepth !== 16 && bitDepth !== 32) throw new Error(`encodeWav: bitDepth must be 16 or 32, got ${String(bitDepth)}`);
  if (samples.length % channels !== 0) {
    throw new Error(`encodeWav: samples has ${samples.length} values, not a multiple of ${channels} channels`);
  }
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new Error(`encodeWav: samples[${i}] is ${samples[i]}`);
  }
  const bytesPer = bitDepth / 8;
  const dataBytes = samples.length * bytesPer;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(bitDepth === 16 ? 1 : 3, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * bytesPer, 28);
  buf.writeUInt16LE(channels * bytesPer, 32);
  buf.writeUInt16LE(bitDepth, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  if (bitDepth === 16) {
    for (let i = 0; i < samples.length; i++) {
      const v = Math.round(atF32(samples, i) * 32768);
      buf.writeInt16LE(v > 32767 ? 32767 : v < -32768 ? -32768 : v, 44 + 2 * i);
    }
  } else {
    for (let i = 0; i < samples.length; i++) buf.writeFloatLE(atF32(samples, i), 44 + 4 * i);
  }
  return buf;
}
