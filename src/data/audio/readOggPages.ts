import { atU32, atU8 } from '../../util/at';
/**
 * Walk the pages of an Ogg file and check its framing (RFC 3533): capture pattern, page checksums, page
 * sequence and an end-of-stream page at the end. The WebAssembly decoders quietly return whatever they
 * could decode from a damaged file; this walk is what lets `loadAudio` say "truncated" or "corrupt" instead.
 */

export type OggCodec = 'vorbis' | 'opus';

export interface OggStreamInfo {
  readonly codec: OggCodec;
  /** Number of pages. */
  readonly pages: number;
  /** Granule position of the last page (Vorbis: samples; Opus: 48 kHz samples including pre-skip). */
  readonly lastGranule: number;
  /** Opus pre-skip (48 kHz samples to drop at the start); 0 for Vorbis. */
  readonly preSkip: number;
  /** Vorbis: the stream's sample rate; Opus: 48000, the rate the decoder always outputs. */
  readonly sampleRate: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(bytes: Uint8Array, start: number, end: number, crcAt: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    const b = i >= crcAt && i < crcAt + 4 ? 0 : atU8(bytes, i);
    crc = ((crc << 8) ^ atU32(CRC_TABLE, ((crc >>> 24) ^ b) & 0xff)) >>> 0;
  }
  return crc;
}

/** Check the Ogg framing of `bytes` and return what the tests on decoded length need. `name` prefixes errors. */
export function readOggPages(bytes: Uint8Array, name: string): OggStreamInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail: (reason: string) => never = (reason) => {
    throw new Error(`${name}: ${reason}`);
  };
  let pos = 0;
  let pages = 0;
  let serial = -1;
  let lastGranule = 0;
  let sawEnd = false;
  let codec: OggCodec | null = null;
  let preSkip = 0;
  let sampleRate = 0;
  while (pos < bytes.length) {
    if (sawEnd) fail(`unsupported encoding: data after the end-of-stream page at byte ${pos} (chained Ogg streams are not supported)`);
    if (pos + 27 > bytes.length) fail(`truncated Ogg file: page header at byte ${pos} is cut off`);
    if (view.getUint32(pos, false) !== 0x4f676753) fail(`corrupt Ogg file: no 'OggS' capture pattern at byte ${pos}`);
    const headerType = view.getUint8(pos + 5);
    const granuleLo = view.getUint32(pos + 6, true);
    const granuleHi = view.getInt32(pos + 10, true);
    const pageSerial = view.getUint32(pos + 14, true);
    const seq = view.getUint32(pos + 18, true);
    const crc = view.getUint32(pos + 22, true);
    const nseg = view.getUint8(pos + 26);
    if (pos + 27 + nseg > bytes.length) fail(`truncated Ogg file: segment table of page ${pages} is cut off`);
    let bodyLen = 0;
    for (let i = 0; i < nseg; i++) bodyLen += view.getUint8(pos + 27 + i);
    const bodyAt = pos + 27 + nseg;
    const end = bodyAt + bodyLen;
    if (end > bytes.length) fail(`truncated Ogg file: page ${pages} needs ${end - bytes.length} more bytes`);
    if (oggCrc(bytes, pos, end, pos + 22) !== crc) fail(`corrupt Ogg file: checksum mismatch on page ${pages} (byte ${pos})`);
    if (pages === 0) {
      serial = pageSerial;
      if (bodyLen >= 7 && bytes[bodyAt] === 1 && ascii(bytes, bodyAt + 1, 6) === 'vorbis') {
        codec = 'vorbis';
        if (bodyLen >= 16) sampleRate = view.getUint32(bodyAt + 12, true);
      } else if (bodyLen >= 19 && ascii(bytes, bodyAt, 8) === 'OpusHead') {
        codec = 'opus';
        preSkip = view.getUint16(bodyAt + 10, true);
        sampleRate = 48000;
      } else {
        fail('unsupported encoding: Ogg stream is neither Vorbis nor Opus');
      }
    } else if (pageSerial !== serial) {
      fail('unsupported encoding: multiplexed Ogg streams are not supported');
    }
    if (seq !== pages) fail(`corrupt Ogg file: page ${pages} carries sequence number ${seq} (a page is missing)`);
    // -1 means "no packet finishes on this page"; keep the last real granule.
    if (!(granuleLo === 0xffffffff && granuleHi === -1)) lastGranule = granuleHi * 4294967296 + granuleLo;
    if (headerType & 0x04) sawEnd = true;
    pages++;
    pos = end;
  }
  if (pages === 0 || codec === null) return fail('truncated Ogg file: no pages');
  if (!sawEnd) fail('truncated Ogg file: the stream ends without an end-of-stream page');
  return { codec, pages, lastGranule, preSkip, sampleRate };
}

function ascii(bytes: Uint8Array, offset: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && offset + i < bytes.length; i++) s += String.fromCharCode(atU8(bytes, offset + i));
  return s;
}
