import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav } from '../../src/data/audio/decodeWav';
import { encodeWav } from '../../src/data/audio/encodeWav';
import { sox, soxDecode, soxDecode64, tempDir } from './helpers';
import { at } from '../../src/util/at';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('wav')));
afterAll(() => cleanup());

function interleave(channels: readonly Float32Array[]): Float32Array {
  const k = channels.length;
  const n = (channels[0] as Float32Array).length;
  const out = new Float32Array(n * k);
  channels.forEach((ch, c) => ch.forEach((v, i) => (out[i * k + c] = v)));
  return out;
}

function formatTag(file: string): number {
  return readFileSync(file).readUInt16LE(20);
}

describe('decodeWav matches sox sample for sample', () => {
  const cases: [string, string[], number][] = [
    ['8-bit unsigned PCM', ['-b', '8', '-e', 'unsigned-integer'], 0x0001],
    ['16-bit PCM', ['-b', '16', '-e', 'signed-integer'], 0x0001],
    ['24-bit PCM (extensible)', ['-b', '24', '-e', 'signed-integer'], 0xfffe],
    ['32-bit PCM (extensible)', ['-b', '32', '-e', 'signed-integer'], 0xfffe],
    ['A-law', ['-b', '8', '-e', 'a-law'], 0x0006],
    ['mu-law', ['-b', '8', '-e', 'u-law'], 0x0007],
  ];
  for (const [label, enc, tag] of cases) {
    for (const channels of [1, 2, 3]) {
      test(`${label}, ${channels} channel(s)`, () => {
        const file = join(dir, `${label.replace(/\W+/g, '_')}_${channels}.wav`);
        sox('-n', '-r', '22050', ...enc, '-c', String(channels), file, 'synth', '0.2', 'sine', '440', 'sine', '660', 'sine', '1234', 'vol', '0.9');
        // sox writes WAVE_FORMAT_EXTENSIBLE for PCM with more than 16 bits or more than two channels.
        expect(formatTag(file)).toBe(channels > 2 && tag === 0x0001 ? 0xfffe : tag);
        const decoded = decodeWav(readFileSync(file), file);
        expect(decoded.sampleRate).toBe(22050);
        expect(decoded.channels).toHaveLength(channels);
        const ours = interleave(decoded.channels);
        const ref = soxDecode64(file);
        expect(ours.length).toBe(ref.length);
        expect(ours.length).toBe(0.2 * 22050 * channels);
        let mismatches = 0;
        for (let i = 0; i < ours.length; i++) if (ours[i] !== Math.fround(at(ref, i))) mismatches++;
        expect(mismatches).toBe(0);
      });
    }
  }

  for (const bits of [32, 64]) {
    test(`${bits}-bit IEEE float`, () => {
      const file = join(dir, `float${bits}.wav`);
      sox('-n', '-r', '16000', '-b', String(bits), '-e', 'floating-point', '-c', '2', file, 'synth', '0.2', 'sine', '300', 'sine', '500', 'vol', '0.7');
      const decoded = decodeWav(readFileSync(file), file);
      const ref = soxDecode64(file);
      const ours = interleave(decoded.channels);
      expect(ours.length).toBe(ref.length);
      // sox passes float input through 32-bit integers, so agreement is to about 2^-31, not exact.
      let maxDiff = 0;
      for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(at(ours, i) - at(ref, i)));
      expect(maxDiff).toBeLessThan(1e-7);
    });
  }
});

describe('encodeWav', () => {
  test('16-bit output is what sox reads, and round-trips within half a step', () => {
    const x = new Float32Array(1000);
    for (let i = 0; i < x.length; i++) x[i] = 0.8 * Math.sin((2 * Math.PI * 440 * i) / 16000);
    x[10] = 1.5; // clips to 32767
    x[11] = -1.5; // clips to -32768
    const file = join(dir, 'encoded.wav');
    writeFileSync(file, encodeWav(x, 16000));
    const ref = soxDecode(file);
    expect(ref.length).toBe(1000);
    expect(ref[10]).toBeCloseTo(32767 / 32768, 10);
    expect(ref[11]).toBe(-1);
    for (let i = 0; i < 1000; i++) if (i !== 10 && i !== 11) expect(Math.abs(at(ref, i) - at(x, i))).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
    const back = decodeWav(readFileSync(file), file).channels[0] as Float32Array;
    expect(Buffer.from(back.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
  });

  test('32-bit float stereo output is read back exactly by sox', () => {
    const x = new Float32Array([0.1, -0.2, 0.3, -0.4, 0.5, -0.6]);
    const file = join(dir, 'encoded-f32.wav');
    writeFileSync(file, encodeWav(x, 8000, { bitDepth: 32, channels: 2 }));
    expect(sox('--i', '-c', file).toString().trim()).toBe('2');
    expect(Array.from(interleave(decodeWav(readFileSync(file), file).channels))).toEqual(Array.from(x));
  });

  test('rejects NaN and mismatched channel counts', () => {
    expect(() => encodeWav(new Float32Array([0, NaN]), 16000)).toThrow(/samples\[1\] is NaN/);
    expect(() => encodeWav(new Float32Array(3), 16000, { channels: 2 })).toThrow(/not a multiple of 2 channels/);
  });
});
