import * as fs from 'node:fs';
import * as path from 'node:path';
import { kaldiMelBasis, slaneyMelBasis } from '../../src/data/audio/filterbanks';
import { melFeatures } from '../../src/kernels/melFeatures';
import { maxAbsDiff } from '../maxAbsDiff';

interface Ref {
  clips: { samples: number[]; layerwise_analysis: number[][]; kaldi: number[][] }[];
  whisper: { frames: number; head: number[][]; tail: number[][] };
}
// NumPy (layerwise-analysis, from librosa's definitions) and torchaudio.compliance.kaldi.fbank values
// written by test/fixtures/kernels/mel_reference.py.
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'kernels', 'mel.json'), 'utf8')) as Ref;

describe('melFeatures', () => {
  it.each([0, 1])('layerwise-analysis recipe equals the NumPy reference within 1e-4 (clip %i)', async (k) => {
    const c = ref.clips[k];
    if (c === undefined) throw new Error('missing clip');
    const m = await melFeatures(Float32Array.from(c.samples));
    expect([m.rows, m.cols]).toEqual([c.layerwise_analysis.length, 80]);
    expect(maxAbsDiff(m.data, c.layerwise_analysis.flat())).toBeLessThan(1e-4);
  });

  it.each([0, 1])('kaldi recipe equals torchaudio.compliance.kaldi.fbank within 1e-4 (clip %i)', async (k) => {
    const c = ref.clips[k];
    if (c === undefined) throw new Error('missing clip');
    const m = await melFeatures(Float32Array.from(c.samples), { recipe: 'kaldi' });
    expect([m.rows, m.cols]).toEqual([c.kaldi.length, 80]);
    expect(maxAbsDiff(m.data, c.kaldi.flat())).toBeLessThan(1e-4);
  });

  it('whisper recipe: 3,000 frames of the clip padded to 30 s, equal to the NumPy reference within 1e-4', async () => {
    const c = ref.clips[0];
    if (c === undefined) throw new Error('missing clip');
    const m = await melFeatures(Float32Array.from(c.samples), { recipe: 'whisper' });
    expect([m.rows, m.cols, ref.whisper.frames]).toEqual([3000, 80, 3000]);
    expect(maxAbsDiff(m.data.subarray(0, 60 * 80), ref.whisper.head.flat())).toBeLessThan(1e-4);
    expect(maxAbsDiff(m.data.subarray(2990 * 80), ref.whisper.tail.flat())).toBeLessThan(1e-4);
    // A clip longer than 30 s is cut: the same features as its first 30 s.
    const long = new Float32Array(16000 * 31).map((_, i) => Math.sin(i * 0.01) * 0.1);
    const cut = await melFeatures(long, { recipe: 'whisper' });
    expect(maxAbsDiff(cut.data, (await melFeatures(long.subarray(0, 480000), { recipe: 'whisper' })).data)).toBe(0);
  });

  it('float32 products stay within 1e-3 of the reference', async () => {
    const c = ref.clips[0];
    if (c === undefined) throw new Error('missing clip');
    const m = await melFeatures(Float32Array.from(c.samples), { precision: 'float32' });
    expect(maxAbsDiff(m.data, c.layerwise_analysis.flat())).toBeLessThan(1e-3);
  });

  it('filter banks: Slaney bands have unit area per Hz x 2 / width; Kaldi bands peak at 1', () => {
    const s = slaneyMelBasis(16000, 2048, 80, 50, 8000);
    expect([s.rows, s.cols]).toEqual([1025, 80]);
    const k = kaldiMelBasis(16000, 512, 23, 20, 8000);
    let peak = 0;
    for (const v of k.data) peak = Math.max(peak, v);
    expect(peak).toBeGreaterThan(0.9);
    expect(peak).toBeLessThanOrEqual(1);
    // The Nyquist row is zero (Kaldi pads it).
    expect(Array.from(k.data.subarray(256 * 23))).toEqual(new Array<number>(23).fill(0));
  });

  it('refuses silent, empty, non-finite and wrong-rate input, naming it', async () => {
    await expect(melFeatures(new Float32Array(2000), {}, 'utt 9')).rejects.toThrow(/utt 9: the waveform is silent/);
    await expect(melFeatures(new Float32Array(0))).rejects.toThrow(/empty/);
    await expect(melFeatures(Float32Array.from([0.1, NaN, 0.2]), {}, 'utt 3')).rejects.toThrow(/utt 3: sample 1 is NaN/);
    await expect(melFeatures(new Float32Array(1000).fill(0.1), { sampleRate: 8000 })).rejects.toThrow(/defined at 16 kHz/);
    await expect(melFeatures(new Float32Array(300).fill(0.1), { recipe: 'kaldi' })).rejects.toThrow(/shorter than one 25 ms Kaldi frame/);
  });
});
