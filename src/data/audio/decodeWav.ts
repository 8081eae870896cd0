/**
 * A RIFF/WAVE reader written for precise errors: it decodes integer PCM (8/16/24/32-bit, any container with
 * left-justified valid bits), IEEE float (32/64-bit), G.711 A-law and mu-law, plain or WAVE_FORMAT_EXTENSIBLE,
 * with any number of channels, and says exactly what is wrong with a file it cannot read.
 */
import type { DecodedAudio } from './DecodedAudio';
import { at, atU8 } from '../../util/at';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG layer 3',
};

/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID; the first two bytes carry the plain format tag. */
const KSDATAFORMAT_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** What the `fmt ` chunk of a WAV file says, after resolving WAVE_FORMAT_EXTENSIBLE. */
export interface WavFormat {
  /** The effective format tag (1 PCM, 3 float, 6 A-law, 7 mu-law). */
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  /** Container bits per sample. */
  readonly bitsPerSample: number;
  /** Bytes per frame (all channels). */
  readonly blockAlign: number;
}

/**
 * Decode a WAV file's bytes. `name` (a path or a label) prefixes every error message.
 * Returns one Float32Array per channel; integer PCM is scaled by 2^(bits-1) as sox does, so values are
 * identical to `sox in.wav -t f32 -`.
 */
export function decodeWav(bytes: Uint8Array, name: string): DecodedAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail: (reason: string) => never = (reason) => {
    throw new Error(`${name}: ${reason}`);
  };
  if (bytes.length < 12) fail(`truncated WAV file: ${bytes.length} bytes, shorter than the 12-byte RIFF header`);
  const riff = ascii(bytes, 0, 4);
  if (riff === 'RF64' || riff === 'BW64') fail(`unsupported encoding: ${riff} (64-bit WAV) files are not supported`);
  if (riff === 'RIFX') fail('unsupported encoding: big-endian RIFX WAV files are not supported');
  if (riff !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') fail('not a RIFF/WAVE file');

  let format: WavFormat | null = null;
  let data: Uint8Array | null = null;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = ascii(bytes, pos, 4);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (body + size > bytes.length) fail(`truncated WAV file: 'fmt ' chunk needs ${size} bytes, ${bytes.length - body} left`);
      format = parseFormat(view, body, size, fail);
    } else if (id === 'data') {
      if (format === null) fail("corrupt WAV file: 'data' chunk comes before the 'fmt ' chunk");
      // 0xFFFFFFFF marks a stream whose writer never came back to fill in the length: data runs to the end.
      const available = bytes.length - body;
      const length = size === 0xffffffff ? available : size;
      if (length > available) {
        fail(`truncated WAV file: 'data' chunk declares ${length} bytes but only ${available} are present`);
      }
      data = bytes.subarray(body, body + length);
      break;
    }
    pos = body + size + (size & 1);
  }
  if (format === null) fail("corrupt WAV file: no 'fmt ' chunk");
  if (data === null || format === null) return fail("truncated WAV file: no 'data' chunk");
  if (data.length % format.blockAlign !== 0) {
    fail(`truncated WAV file: 'data' chunk has ${data.length} bytes, not a whole number of ${format.blockAlign}-byte frames`);
  }
  const frames = data.length / format.blockAlign;
  if (frames === 0) fail('zero-length audio: the WAV file holds no samples');
  return { channels: decodeSamples(data, format, frames), sampleRate: format.sampleRate };
}

function parseFormat(view: DataView, at: number, size: number, fail: (reason: string) => never): WavFormat {
  if (size < 16) fail(`corrupt WAV file: 'fmt ' chunk has ${size} bytes, fewer than 16`);
  let formatTag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) fail(`corrupt WAV file: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk has ${size} bytes, fewer than 40`);
    for (let i = 0; i < KSDATAFORMAT_TAIL.length; i++) {
      if (view.getUint8(at + 26 + i) !== KSDATAFORMAT_TAIL[i]) {
        fail('unsupported encoding: WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID');
      }
    }
    formatTag = view.getUint16(at + 24, true);
  }
  if (channels === 0) fail('corrupt WAV file: 0 channels');
  if (sampleRate === 0) fail('corrupt WAV file: sample rate 0');
  const supported = [WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_ALAW, WAVE_FORMAT_MULAW];
  if (!supported.includes(formatTag)) {
    const known = FORMAT_NAMES[formatTag];
    fail(`unsupported encoding: WAV format tag 0x${formatTag.toString(16).padStart(4, '0')}${known ? ` (${known})` : ''}; supported are PCM, IEEE float, A-law and mu-law`);
  }
  const validContainers: Record<number, readonly number[]> = {
    [WAVE_FORMAT_PCM]: [8, 16, 24, 32],
    [WAVE_FORMAT_IEEE_FLOAT]: [32, 64],
    [WAVE_FORMAT_ALAW]: [8],
    [WAVE_FORMAT_MULAW]: [8],
  };
  const containers = validContainers[formatTag] ?? [];
  // A few writers store e.g. 20 valid bits in a 24-bit container and put 20 in bitsPerSample; the container
  // size is then blockAlign / channels.
  const container = (blockAlign / channels) * 8;
  if (!Number.isInteger(container) || !containers.includes(container) || bitsPerSample > container) {
    fail(`unsupported encoding: ${bitsPerSample}-bit samples in ${container}-bit containers for format tag ${formatTag}`);
  }
  return { formatTag, channels, sampleRate, bitsPerSample: container, blockAlign };
}

function decodeSamples(data: Uint8Array, f: WavFormat, frames: number): Float32Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const nch = f.channels;
  const bytesPer = f.bitsPerSample / 8;
  const out: Float32Array[] = [];
  for (let c = 0; c < nch; c++) out.push(new Float32Array(frames));
  const read = sampleReader(view, f);
  for (let c = 0; c < nch; c++) {
    const ch = at(out, c);
    let off = c * bytesPer;
    for (let i = 0; i < frames; i++, off += f.blockAlign) ch[i] = read(off);
  }
  return out;
}

function sampleReader(view: DataView, f: WavFormat): (offset: number) => number {
  if (f.formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    return f.bitsPerSample === 32 ? (o) => view.getFloat32(o, true) : (o) => view.getFloat64(o, true);
  }
  if (f.formatTag === WAVE_FORMAT_ALAW) return (o) => alawToLinear(view.getUint8(o)) / 32768;
  if (f.formatTag === WAVE_FORMAT_MULAW) return (o) => mulawToLinear(view.getUint8(o)) / 32768;
  switch (f.bitsPerSample) {
    case 8:
      return (o) => (view.getUint8(o) - 128) / 128;
    case 16:
      return (o) => view.getInt16(o, true) / 32768;
    case 24:
      return (o) => ((view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608);
    default:
      return (o) => view.getInt32(o, true) / 2147483648;
  }
}

/** ITU-T G.711 A-law byte to a 16-bit linear value. */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 7;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

/** ITU-T G.711 mu-law byte to a 16-bit linear value. */
function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 7;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function ascii(bytes: Uint8Array, offset: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && offset + i < bytes.length; i++) s += String.fromCharCode(atU8(bytes, offset + i));
  return s;
}
