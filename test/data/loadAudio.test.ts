import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '../../src/data/audio/encodeWav';
import { loadAudio } from '../../src/data/audio/loadAudio';
import { channel, correlation, sox, soxDecode64, tempDir } from './helpers';
import { maxAbsDiff } from '../maxAbsDiff';
import { at } from '../../src/util/at';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('audio')));
afterAll(() => cleanup());

const FIXTURES = join(__dirname, '..', 'fixtures', 'data');

/** A stereo test file made by sox: different tones left and right. */
function makeFile(name: string, rate: number, ...format: string[]): string {
  const file = join(dir, name);
  sox('-n', '-r', String(rate), ...format, '-c', '2', file, 'synth', '0.5', 'sine', '440', 'sine', '660', 'vol', '0.8');
  return file;
}

/**
 * The lag (|lag| <= maxLag) at which a[i + lag] best matches b[i], found by sliding a 4096-sample window from
 * the middle of b over a, and the correlation over the whole overlap at that lag.
 */
function bestLag(a: Float32Array, b: ArrayLike<number>, maxLag: number): { lag: number; r: number } {
  const w = 4096;
  const from = Math.floor((b.length - w) / 2);
  let best = { lag: 0, score: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    if (from + lag < 0 || from + lag + w > a.length) continue;
    let score = 0;
    for (let i = 0; i < w; i++) score += at(a, from + lag + i) * at(b, from + i);
    if (score > best.score) best = { lag, score };
  }
  const start = Math.max(0, -best.lag);
  const end = Math.min(b.length, a.length - best.lag);
  const x = a.subarray(start + best.lag, end + best.lag);
  const y = Float64Array.from({ length: end - start }, (_, i) => at(b, start + i));
  return { lag: best.lag, r: correlation(x, y) };
}

describe('loadAudio: decoding against sox', () => {
  test('24-bit stereo WAV: mono mix is the mean of sox channels, sample-exact, at the native rate', async () => {
    const file = makeFile('stereo24.wav', 44100, '-b', '24');
    const clip = await loadAudio(file, { sampleRate: null });
    const ref = soxDecode64(file);
    expect(clip).toMatchObject({ sampleRate: 44100, channels: 1, frames: 22050, path: file });
    for (let i = 0; i < clip.frames; i++) {
      expect(clip.samples[i]).toBe(Math.fround((at(ref, 2 * i) + at(ref, 2 * i + 1)) / 2));
    }
  });

  test('mono: false keeps the channels interleaved as [frames, channels]', async () => {
    const file = makeFile('stereo16.wav', 16000, '-b', '16');
    const clip = await loadAudio(file, { mono: false });
    const ref = soxDecode64(file);
    expect(clip).toMatchObject({ sampleRate: 16000, channels: 2, frames: 8000 });
    expect(Array.from(clip.samples)).toEqual(Array.from(ref, (v) => Math.fround(v)));
  });

  test('16- and 24-bit FLAC decode sample-exact', async () => {
    for (const bits of ['16', '24']) {
      const file = makeFile(`stereo${bits}.flac`, 44100, '-b', bits);
      const clip = await loadAudio(file, { sampleRate: null, mono: false });
      const ref = soxDecode64(file);
      expect(clip.frames).toBe(22050);
      expect(clip.samples.length).toBe(ref.length);
      expect(maxAbsDiff(clip.samples, Float32Array.from(ref))).toBe(0);
    }
  });

  test('FLAC with a short final frame and odd block sizes keeps every sample', async () => {
    const wav = join(dir, 'odd.wav');
    // 53758 samples: 13 frames of 4096 and a final frame of 510 (the case the bundled frame parser drops).
    sox('-r', '16000', '-n', '-b', '16', '-c', '1', wav, 'synth', '53758s', 'sine', '200-3000', 'vol', '0.5');
    const flacFile = join(dir, 'odd.flac');
    sox(wav, flacFile);
    const clip = await loadAudio(flacFile);
    expect(clip.frames).toBe(53758);
    expect(maxAbsDiff(clip.samples, Float32Array.from(soxDecode64(wav)))).toBe(0);
  });

  test('Ogg Vorbis decodes like sox (libvorbis), channel by channel', async () => {
    const file = makeFile('stereo.ogg', 44100);
    const clip = await loadAudio(file, { sampleRate: null, mono: false });
    const ref = soxDecode64(file);
    expect(clip.samples.length).toBe(ref.length);
    for (const c of [0, 1]) {
      const ours = channel(clip.samples, 2, c);
      const theirs = channel(Float32Array.from(ref), 2, c);
      expect(correlation(ours, theirs)).toBeGreaterThan(0.9999);
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-3);
    }
  });

  test('MP3 decodes like sox (libmad) up to the decoders\' different start offsets', async () => {
    const file = join(dir, 'mono.mp3');
    // A sweep, not a steady tone: a periodic signal would match at several lags.
    sox('-n', '-r', '44100', '-c', '1', file, 'synth', '0.5', 'sine', '300-5000', 'vol', '0.5');
    const clip = await loadAudio(file, { sampleRate: null });
    expect(clip.channels).toBe(1);
    const ref = soxDecode64(file);
    // Encoder delay handling differs between mpg123 and libmad: align before comparing.
    const { lag, r } = bestLag(clip.samples, ref, 2500);
    expect(Math.abs(lag)).toBeLessThan(2500);
    expect(r).toBeGreaterThan(0.999);
  });

  test('Ogg Opus decodes like opusdec (committed fixture)', async () => {
    const clip = await loadAudio(join(FIXTURES, 'tone.opus'), { sampleRate: null });
    const raw = readFileSync(join(FIXTURES, 'tone.opus.f32'));
    const ref = new Float32Array(raw.length / 4);
    for (let i = 0; i < ref.length; i++) ref[i] = raw.readFloatLE(4 * i);
    expect(clip.sampleRate).toBe(48000);
    expect(clip.frames).toBe(ref.length);
    expect(correlation(clip.samples, ref)).toBeGreaterThan(0.999);
    expect(maxAbsDiff(clip.samples, ref)).toBeLessThan(0.01);
  });

  test('bytes load like the file, labelled <buffer> or by name', async () => {
    const file = makeFile('bytes.wav', 16000, '-b', '16');
    const fromFile = await loadAudio(file);
    const fromBytes = await loadAudio(readFileSync(file));
    const fromUint8 = await loadAudio(new Uint8Array(readFileSync(file)), { name: 'clip-7' });
    expect(fromBytes.path).toBe('<buffer>');
    expect(fromUint8.path).toBe('clip-7');
    expect(Array.from(fromBytes.samples)).toEqual(Array.from(fromFile.samples));
    expect(Array.from(fromUint8.samples)).toEqual(Array.from(fromFile.samples));
  });

  test('start/end cut a segment at the file rate before resampling', async () => {
    const file = makeFile('segment.wav', 16000, '-b', '16');
    const whole = await loadAudio(file);
    const part = await loadAudio(file, { start: 0.1, end: 0.25 });
    expect(part.frames).toBe(2400);
    expect(Array.from(part.samples)).toEqual(Array.from(whole.samples.subarray(1600, 4000)));
    const tail = await loadAudio(file, { start: 0.4 });
    expect(tail.frames).toBe(1600);
  });
});

describe('loadAudio: resampling to 16 kHz against sox rate -v', () => {
  for (const rate of [44100, 48000, 8000]) {
    test(`${rate} Hz -> 16 kHz`, async () => {
      const file = join(dir, `rate${rate}.wav`);
      // A sweep across the band both rates share, so every frequency is checked.
      const top = Math.min(rate, 16000) * 0.45;
      sox('-n', '-r', String(rate), '-b', '24', '-c', '2', file, 'synth', '0.5', 'sine', `100-${top}`, 'sine', '660', 'vol', '0.8');
      const clip = await loadAudio(file);
      const ref = soxDecode64(file, 'remix', '-', 'rate', '-v', '16k');
      expect(clip.sampleRate).toBe(16000);
      expect(clip.frames).toBe(8000);
      expect(Math.abs(ref.length - clip.frames)).toBeLessThanOrEqual(1);
      const n = Math.min(ref.length, clip.frames);
      // sox's remix - sums the channels (scaled by 1/2 for two inputs), the same mean as ours.
      expect(correlation(clip.samples.subarray(0, n), ref.subarray(0, n))).toBeGreaterThan(0.999);
    });
  }

  test('content above the new Nyquist frequency is removed, not folded down (no linear interpolation)', async () => {
    const rate = 44100;
    const x = new Float32Array(rate / 2);
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 11000 * i) / rate);
    const clip = await loadAudio(encodeWav(x, rate, { bitDepth: 32 }));
    let energy = 0;
    for (let i = 500; i < clip.frames - 500; i++) energy += at(clip.samples, i) ** 2;
    const rms = Math.sqrt(energy / (clip.frames - 1000));
    // An 11 kHz tone at 0.5 has RMS 0.35; aliased by linear interpolation it would land at 5 kHz almost intact.
    expect(rms).toBeLessThan(1e-3);
  });
});

describe('loadAudio: bad input is reported with the file and the reason', () => {
  const write = (name: string, bytes: Uint8Array | string): string => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const cut = (file: string, n: number, name: string): string => write(name, readFileSync(file).subarray(0, n));

  test('missing file', async () => {
    const file = join(dir, 'nope.wav');
    await expect(loadAudio(file)).rejects.toThrow(`${file}: file not found`);
  });

  test('a directory', async () => {
    await expect(loadAudio(dir)).rejects.toThrow(/is a directory/);
  });

  test('empty file', async () => {
    const file = write('empty.wav', new Uint8Array(0));
    await expect(loadAudio(file)).rejects.toThrow(`${file}: empty file (0 bytes)`);
  });

  test('not audio at all', async () => {
    const file = write('text.wav', 'hello, this is not audio\n');
    await expect(loadAudio(file)).rejects.toThrow(/text\.wav: unsupported encoding: not a WAV, FLAC, Ogg/);
  });

  test('truncated WAV (data chunk cut short, header cut short, mid-frame)', async () => {
    const file = makeFile('full.wav', 16000, '-b', '16');
    const size = readFileSync(file).length;
    await expect(loadAudio(cut(file, size - 100, 'trunc.wav'))).rejects.toThrow(/trunc\.wav: truncated WAV file: 'data' chunk declares 32000 bytes but only 31900/);
    await expect(loadAudio(cut(file, 30, 'trunc-header.wav'))).rejects.toThrow(/trunc-header\.wav: truncated WAV file/);
    const bytes = Buffer.from(readFileSync(file).subarray(0, size - 1));
    bytes.writeUInt32LE(31999, 40);
    await expect(loadAudio(write('midframe.wav', bytes))).rejects.toThrow(/midframe\.wav: truncated WAV file: 'data' chunk has 31999 bytes, not a whole number of 4-byte frames/);
  });

  test('unsupported WAV encoding (IMA ADPCM)', async () => {
    const file = join(dir, 'adpcm.wav');
    sox('-n', '-r', '8000', '-e', 'ima-adpcm', '-c', '1', file, 'synth', '0.2', 'sine', '440');
    await expect(loadAudio(file)).rejects.toThrow(/adpcm\.wav: unsupported encoding: WAV format tag 0x0011 \(IMA ADPCM\)/);
  });

  test('zero-length audio (WAV with an empty data chunk, empty segment)', async () => {
    const file = write('zero.wav', encodeWav(new Float32Array(0), 16000));
    await expect(loadAudio(file)).rejects.toThrow(/zero\.wav: zero-length audio/);
    const ok = makeFile('seg.wav', 16000, '-b', '16');
    await expect(loadAudio(ok, { start: 0.1, end: 0.10001 })).rejects.toThrow(/seg\.wav: zero-length audio: segment/);
    await expect(loadAudio(ok, { start: 0.2, end: 0.9 })).rejects.toThrow(/seg\.wav: segment 0\.2-0\.9 s ends past the end of the audio \(0\.5000 s\)/);
    await expect(loadAudio(ok, { start: -1 })).rejects.toThrow(/segment start must be a finite number >= 0/);
  });

  test('NaN and Inf samples in a float WAV', async () => {
    const x = new Float32Array(100).fill(0.25);
    const bytes = encodeWav(x, 16000, { bitDepth: 32 });
    bytes.writeFloatLE(NaN, 44 + 4 * 37);
    await expect(loadAudio(write('nan.wav', bytes))).rejects.toThrow(/nan\.wav: invalid samples: channel 0 sample 37 \(0\.0023 s\) is NaN/);
    bytes.writeFloatLE(0, 44 + 4 * 37);
    bytes.writeFloatLE(-Infinity, 44 + 4 * 99);
    await expect(loadAudio(write('inf.wav', bytes))).rejects.toThrow(/inf\.wav: invalid samples: channel 0 sample 99 .* is -Infinity/);
  });

  test('truncated and corrupt FLAC', async () => {
    const file = makeFile('bad.flac', 44100, '-b', '16');
    const size = readFileSync(file).length;
    await expect(loadAudio(cut(file, size - 200, 'cut.flac'))).rejects.toThrow(/cut\.flac: truncated or corrupt FLAC file: frame 5 at byte \d+ does not end in a valid CRC-16 footer/);
    await expect(loadAudio(cut(file, 60, 'cut-meta.flac'))).rejects.toThrow(/cut-meta\.flac: truncated FLAC file/);
    const damaged = Buffer.from(readFileSync(file));
    for (let i = 3000; i < 3010; i++) damaged[i] = at(damaged, i) ^ 0x55;
    await expect(loadAudio(write('damaged.flac', damaged))).rejects.toThrow(/damaged\.flac: truncated or corrupt FLAC file/);
  });

  test('truncated and corrupt Ogg Vorbis and Opus', async () => {
    const ogg = makeFile('bad.ogg', 44100);
    const size = readFileSync(ogg).length;
    await expect(loadAudio(cut(ogg, size - 100, 'cut.ogg'))).rejects.toThrow(/cut\.ogg: truncated Ogg file: page \d+ needs 100 more bytes/);
    const damaged = Buffer.from(readFileSync(ogg));
    damaged[size - 50] = at(damaged, size - 50) ^ 0xff;
    await expect(loadAudio(write('damaged.ogg', damaged))).rejects.toThrow(/damaged\.ogg: corrupt Ogg file: checksum mismatch on page \d+/);
    const opus = join(FIXTURES, 'tone.opus');
    const opusSize = readFileSync(opus).length;
    await expect(loadAudio(cut(opus, opusSize - 10, 'cut.opus'))).rejects.toThrow(/cut\.opus: truncated Ogg file/);
  });

  test('truncated and corrupt MP3', async () => {
    const file = join(dir, 'bad.mp3');
    sox('-n', '-r', '44100', '-c', '1', file, 'synth', '0.5', 'sine', '440');
    const bytes = readFileSync(file);
    await expect(loadAudio(cut(file, bytes.length - 50, 'cut.mp3'))).rejects.toThrow(/cut\.mp3: truncated MP3 file: frame \d+ at byte \d+ needs \d+ bytes/);
    const damaged = Buffer.from(bytes);
    // Overwrite the header of a frame in the middle with non-frame bytes.
    const mid = damaged.indexOf(Buffer.from([0xff, 0xfb]), Math.floor(bytes.length / 2));
    damaged[mid] = 0x00;
    await expect(loadAudio(write('damaged.mp3', damaged))).rejects.toThrow(/damaged\.mp3: corrupt MP3 file: expected an MPEG frame header at byte/);
  });
});
