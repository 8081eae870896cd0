import { atU16, atU8 } from '../../util/at';
/**
 * Cut the audio part of a FLAC stream into frames (FLAC format, "FRAME_HEADER" / "FRAME_FOOTER"). A frame
 * ends where the next valid header starts (sync code, reserved bits, CRC-8, the expected frame or sample
 * number) and its bytes pass the footer's CRC-16; the last one ends at the end of the file. The WebAssembly
 * decoder then decodes the frames one by one. Done here because the frame parser bundled with the decoder
 * drops the final frame of some files, and because a frame whose CRC-16 never checks out is exactly what
 * makes a file "truncated or corrupt".
 */

interface FrameHeader {
  /** Header length in bytes, including its CRC-8. */
  readonly length: number;
  /** Variable block size streams number their frames by first sample instead of by frame. */
  readonly variable: boolean;
  /** Frame number (fixed) or first sample number (variable). */
  readonly number: number;
  readonly blockSize: number;
}

const CRC8 = new Uint8Array(256);
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c8 = i;
  for (let k = 0; k < 8; k++) c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff;
  CRC8[i] = c8;
  let c16 = i << 8;
  for (let k = 0; k < 8; k++) c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff;
  CRC16[i] = c16;
}

/** Parse the frame header at `p`, or null if the bytes there are not a valid one. */
function parseFrameHeader(b: Uint8Array, p: number): FrameHeader | null {
  if (p + 6 > b.length || b[p] !== 0xff || (atU8(b, p + 1) & 0xfe) !== 0xf8) return null;
  const variable = (atU8(b, p + 1) & 1) === 1;
  const bsCode = atU8(b, p + 2) >> 4;
  const srCode = atU8(b, p + 2) & 0x0f;
  const chCode = atU8(b, p + 3) >> 4;
  const ssCode = (atU8(b, p + 3) >> 1) & 7;
  if (bsCode === 0 || srCode === 15 || chCode > 10 || ssCode === 3 || (atU8(b, p + 3) & 1) !== 0) return null;
  // "UTF-8"-coded frame or sample number, up to 36 bits in 7 bytes.
  let q = p + 4;
  const first = atU8(b, q);
  let extra: number;
  let number: number;
  if (first < 0x80) [extra, number] = [0, first];
  else if ((first & 0xe0) === 0xc0) [extra, number] = [1, first & 0x1f];
  else if ((first & 0xf0) === 0xe0) [extra, number] = [2, first & 0x0f];
  else if ((first & 0xf8) === 0xf0) [extra, number] = [3, first & 0x07];
  else if ((first & 0xfc) === 0xf8) [extra, number] = [4, first & 0x03];
  else if ((first & 0xfe) === 0xfc) [extra, number] = [5, first & 0x01];
  else if (first === 0xfe) [extra, number] = [6, 0];
  else return null;
  q++;
  for (let k = 0; k < extra; k++, q++) {
    const c = b[q];
    if (c === undefined || (c & 0xc0) !== 0x80) return null;
    number = number * 64 + (c & 0x3f);
  }
  let blockSize: number;
  if (bsCode === 1) blockSize = 192;
  else if (bsCode <= 5) blockSize = 576 << (bsCode - 2);
  else if (bsCode === 6) blockSize = (b[q++] ?? 0) + 1;
  else if (bsCode === 7) {
    blockSize = (((b[q] ?? 0) << 8) | (b[q + 1] ?? 0)) + 1;
    q += 2;
  } else blockSize = 256 << (bsCode - 8);
  if (srCode === 12) q += 1;
  else if (srCode === 13 || srCode === 14) q += 2;
  if (q >= b.length) return null;
  let crc = 0;
  for (let k = p; k < q; k++) crc = atU8(CRC8, crc ^ atU8(b, k));
  if (crc !== b[q]) return null;
  return { length: q + 1 - p, variable, number, blockSize };
}

export interface FlacFrames {
  readonly frames: Uint8Array[];
  /** Sum of the frames' block sizes (samples per channel). */
  readonly samples: number;
}

/** Split `bytes` from `audioOffset` (after the metadata) into frames. `name` prefixes errors. */
export function splitFlacFrames(bytes: Uint8Array, audioOffset: number, name: string): FlacFrames {
  const frames: Uint8Array[] = [];
  let samples = 0;
  let p = audioOffset;
  let header = parseFrameHeader(bytes, p);
  if (header === null) throw new Error(`${name}: corrupt FLAC file: no valid frame header at byte ${p}, where the audio should start`);
  while (header !== null) {
    const minEnd = p + header.length + 2;
    const expected = header.variable ? header.number + header.blockSize : header.number + 1;
    let crc = 0;
    let end = -1;
    let next: FrameHeader | null = null;
    for (let q = p; q < bytes.length; q++) {
      crc = ((crc << 8) & 0xffff) ^ atU16(CRC16, (crc >> 8) ^ atU8(bytes, q));
      const after = q + 1;
      if (crc !== 0 || after < minEnd) continue;
      if (after === bytes.length) {
        end = after;
        break;
      }
      if (bytes[after] !== 0xff) continue;
      const candidate = parseFrameHeader(bytes, after);
      if (candidate !== null && candidate.variable === header.variable && candidate.number === expected) {
        end = after;
        next = candidate;
        break;
      }
    }
    if (end < 0) {
      throw new Error(`${name}: truncated or corrupt FLAC file: frame ${frames.length} at byte ${p} does not end in a valid CRC-16 footer`);
    }
    frames.push(bytes.subarray(p, end));
    samples += header.blockSize;
    p = end;
    header = next;
  }
  return { frames, samples };
}
