/**
 * The duration of an audio file from its header alone (WAV: the data chunk and byte rate; FLAC: STREAMINFO's
 * sample count), without decoding; undefined for other formats or a header that does not say. Used to plan
 * shards of equal audio time.
 */
import * as fs from 'node:fs';
import { readFlacStreamInfo } from './readFlacStreamInfo';

export function audioFileSeconds(file: string): number | undefined {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(65536);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      head = buf.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const tag = (at: number, s: string): boolean => head.length >= at + s.length && head.toString('latin1', at, at + s.length) === s;
  if (tag(0, 'fLaC')) {
    try {
      const info = readFlacStreamInfo(head, file);
      return info.totalSamples > 0 ? info.totalSamples / info.sampleRate : undefined;
    } catch {
      return undefined;
    }
  }
  if (tag(0, 'RIFF') && tag(8, 'WAVE')) {
    const view = head;
    let byteRate = 0;
    for (let p = 12; p + 8 <= head.length; ) {
      const id = view.toString('latin1', p, p + 4);
      const size = view.readUInt32LE(p + 4);
      if (id === 'fmt ' && p + 16 <= head.length) byteRate = view.readUInt32LE(p + 16);
      // the data chunk's declared size; streamed WAVs write 0 or 0xFFFFFFFF there, and then the file size says it
      if (id === 'data') return byteRate > 0 ? (size === 0 || size === 0xffffffff ? fs.statSync(file).size - p - 8 : size) / byteRate : undefined;
      p += 8 + size + (size % 2);
    }
  }
  return undefined;
}
