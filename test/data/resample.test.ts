import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '../../src/data/audio/encodeWav';
import { resample } from '../../src/data/audio/resample';
import { correlation, soxDecode64, tempDir } from './helpers';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('resample')));
afterAll(() => cleanup());

function sweep(n: number, rate: number, f0: number, f1: number): Float32Array {
  const x = new Float32Array(n);
  const T = n / rate;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    x[i] = 0.5 * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * T)));
  }
  return x;
}

describe('resample', () => {
  test('returns ceil(n * to / from) samples and copies at equal rates', async () => {
    for (const [n, from, to] of [[1, 44100, 16000], [441, 44100, 16000], [1000, 22050, 16000], [999, 8000, 16000], [7, 48000, 16000]] as const) {
      const y = await resample(new Float32Array(n).fill(0.1), from, to);
      expect({ n, from, to, len: y.length }).toEqual({ n, from, to, len: Math.ceil((n * to) / from) });
    }
    const x = Float32Array.from([0.1, 0.2]);
    const same = await resample(x, 16000, 16000);
    expect(same).toEqual(x);
    expect(same).not.toBe(x);
    expect((await resample(new Float32Array(0), 44100, 16000)).length).toBe(0);
  });

  test('a signal longer than the WebAssembly buffer converts in one piece, matching sox across block joins', async () => {
    // 25 s at 48 kHz = 1.2 M samples, more than the 1,008,000-float buffer: at least two blocks.
    const rate = 48000;
    const x = sweep(25 * rate, rate, 50, 7000);
    const file = join(dir, 'long.wav');
    writeFileSync(file, encodeWav(x, rate, { bitDepth: 32 }));
    const ours = await resample(x, rate, 16000);
    const ref = soxDecode64(file, 'rate', '-v', '16k');
    expect(ours.length).toBe(25 * 16000);
    expect(Math.abs(ref.length - ours.length)).toBeLessThanOrEqual(1);
    // Compare second by second so a glitch at a block join cannot hide in a long average.
    for (let s = 0; s < 24; s++) {
      const a = ours.subarray(s * 16000, (s + 1) * 16000);
      const b = ref.subarray(s * 16000, (s + 1) * 16000);
      expect({ second: s, ok: correlation(a, b) > 0.9999 }).toEqual({ second: s, ok: true });
    }
  });

  test('rejects bad rates and qualities', async () => {
    await expect(resample(new Float32Array(4), 0, 16000)).rejects.toThrow(/fromRate must be a positive integer, got 0/);
    await expect(resample(new Float32Array(4), 16000, 22050.5)).rejects.toThrow(/toRate must be a positive integer/);
    await expect(resample(new Float32Array(4), 1000, 300000)).rejects.toThrow(/outside libsamplerate's 1\/256\.\.256/);
  });
});
