/**
 * Filterbank features of a waveform, `[frames, bins]`, by one of two published recipes:
 *
 * - `layerwise-analysis` (Pasad et al., `codes/prepare/extract_fbank.py`): peak normalisation to 0.999,
 *   pre-emphasis 0.97, librosa's `melspectrogram` with n_fft 2048, a 400-sample periodic Hann window centred in
 *   the FFT frame, hop 160, `center=True` with reflect padding, magnitude (power 1), 80 Slaney-scale and
 *   Slaney-normalised mel bands over [50, 8000] Hz; then `amplitude_to_db(ref=1, amin=1e-5, top_db=80)` and
 *   x / 80 + 1. The peer stores `(80, T)` per utterance; we return `[T, 80]`, frame-major like every layer.
 * - `kaldi` (Kaldi's `compute-fbank-feats`, as `torchaudio.compliance.kaldi.fbank` and s3prl compute it): 25 ms
 *   frames every 10 ms without padding (`snip_edges`), per-frame DC removal, pre-emphasis 0.97 (first sample
 *   against itself), Povey window, FFT size 512, power spectrum, triangular bands on Kaldi's mel scale
 *   (1127 ln(1 + f/700)) over [20, Nyquist] Hz, natural log floored at float32 epsilon; no dither. Samples are
 *   scaled by `scale` (default 32768: Kaldi reads 16-bit integers) first.
 * - `whisper` (the Hugging Face `WhisperFeatureExtractor`, as OpenAI's `log_mel_spectrogram`): the clip zero-padded
 *   or cut to 30 s (480,000 samples), 400-point STFT every 160 samples with a periodic Hann window, `center=True`
 *   reflect padding, power spectrum, 80 (or 128, large-v3) Slaney mel bands over [0, 8000] Hz, log10 floored at
 *   1e-10, the last frame dropped (3,000 frames), clamped to max - 8, then (x + 4) / 4. The encoder always sees
 *   3,000 frames; frames beyond the audio describe the padding.
 *
 * The DFT runs as one matrix product over all frames (frames [T, 400] x basis [400, 2 bins]) through the engine,
 * in float64 by default: only 400 of a frame's samples are non-zero, and a constant phase factor from the
 * window's position does not change magnitudes, so the basis needs only those 400 rows.
 */
import type { Matrix } from '../matrix';
import { dftBasis, kaldiMelBasis, periodicHann, slaneyMelBasis } from '../data/audio/filterbanks';
import { matmul, type Precision } from './engine';
import { atF64, atFloat } from '../util/at';

/** Options of `melFeatures`. */
export interface MelFeaturesOptions {
  /** `layerwise-analysis` (default), `kaldi` or `whisper` (see the file comment). */
  readonly recipe?: 'layerwise-analysis' | 'kaldi' | 'whisper';
  /** Sample rate of `samples` (default 16000; both recipes are defined at 16 kHz). */
  readonly sampleRate?: number;
  /** Mel bands (default 80). */
  readonly bins?: number;
  /** `kaldi` only: factor applied to the samples first (default 32768). */
  readonly scale?: number;
  /** Precision of the DFT and mel products (default float64). */
  readonly precision?: Precision;
}

const WIN = 400;
const HOP = 160;

function checkSamples(samples: Float32Array | Float64Array, what: string): void {
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(atFloat(samples, i))) throw new Error(`${what}: sample ${i} is ${samples[i]}`);
  }
}

/** numpy 'reflect' padding index (edge not repeated), for any offset. */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - k;
  return k;
}

/**
 * The `T` centred 400-sample frames of `y` (librosa / torch `center=True` with reflect padding): frame t holds
 * y[t hop - 200 + j], j < 400, reflected at the edges; [T, WIN].
 */
function centredFrames(y: Float64Array, T: number): Matrix<Float64Array> {
  const n = y.length;
  const data = new Float64Array(T * WIN);
  for (let t = 0; t < T; t++) for (let j = 0; j < WIN; j++) data[t * WIN + j] = atF64(y, reflectIndex(t * HOP - WIN / 2 + j, n));
  return { rows: T, cols: WIN, data };
}

/** |X| (power 1) or |X|^2 (power 2) from [T, 2 bins] real/imaginary columns. */
function spectrum(re: Matrix, bins: number, power: 1 | 2): Matrix<Float64Array> {
  const T = re.rows;
  const out = new Float64Array(T * bins);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < bins; k++) {
      const a = atFloat(re.data, t * 2 * bins + k);
      const b = atFloat(re.data, t * 2 * bins + bins + k);
      const p = a * a + b * b;
      out[t * bins + k] = power === 2 ? p : Math.sqrt(p);
    }
  }
  return { rows: T, cols: bins, data: out };
}

async function layerwiseAnalysis(x: Float32Array | Float64Array, nMels: number, sr: number, precision: Precision, what: string): Promise<Matrix<Float32Array>> {
  const n = x.length;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(atFloat(x, i)));
  if (!(peak > 0)) throw new Error(`${what}: the waveform is silent (all zeros); peak normalisation is undefined`);
  const y = new Float64Array(n);
  // Peak normalisation, then pre-emphasis y[t] = x[t] - 0.97 x[t-1] (y[0] = x[0]).
  const g = 0.999 / peak;
  for (let i = 0; i < n; i++) y[i] = atFloat(x, i) * g - (i > 0 ? 0.97 * atFloat(x, i - 1) * g : 0);
  const nFft = 2048;
  const bins = nFft / 2 + 1;
  const T = 1 + Math.floor(n / HOP);
  // Frame t covers padded samples [t hop, t hop + nFft); its window's 400 taps start (nFft - 400) / 2 into it,
  // i.e. at signal index t hop - nFft/2 + 824 = t hop - 200: the same centred 400-sample frames as Whisper's.
  const re = await matmul(centredFrames(y, T), dftBasis(nFft, bins, periodicHann(WIN)), { precision });
  const mag = spectrum(re, bins, 1);
  const mel = await matmul(mag, slaneyMelBasis(sr, nFft, nMels, 50, 8000), { precision });
  const db = new Float64Array(T * nMels);
  let top = -Infinity;
  for (let i = 0; i < db.length; i++) {
    const v = 20 * Math.log10(Math.max(1e-5, atFloat(mel.data, i)));
    db[i] = v;
    top = Math.max(top, v);
  }
  const out = new Float32Array(T * nMels);
  for (let i = 0; i < db.length; i++) out[i] = Math.max(atF64(db, i), top - 80) / 80 + 1;
  return { rows: T, cols: nMels, data: out };
}

async function kaldi(x: Float32Array | Float64Array, nMels: number, sr: number, scale: number, precision: Precision, what: string): Promise<Matrix<Float32Array>> {
  const n = x.length;
  if (n < WIN) throw new Error(`${what}: ${n} samples is shorter than one 25 ms Kaldi frame (${WIN} samples)`);
  const T = 1 + Math.floor((n - WIN) / HOP);
  const frames = new Float64Array(T * WIN);
  const frame = new Float64Array(WIN);
  for (let t = 0; t < T; t++) {
    let mean = 0;
    for (let j = 0; j < WIN; j++) {
      const v = atFloat(x, t * HOP + j) * scale;
      frame[j] = v;
      mean += v;
    }
    mean /= WIN;
    for (let j = 0; j < WIN; j++) frame[j] = atF64(frame, j) - mean;
    for (let j = WIN - 1; j >= 0; j--) frames[t * WIN + j] = atF64(frame, j) - 0.97 * atF64(frame, j > 0 ? j - 1 : 0);
  }
  const nFft = 512;
  const bins = nFft / 2 + 1;
  const povey = Float64Array.from({ length: WIN }, (_, j) => (0.5 - 0.5 * Math.cos((2 * Math.PI * j) / (WIN - 1))) ** 0.85);
  const re = await matmul({ rows: T, cols: WIN, data: frames }, dftBasis(nFft, bins, povey), { precision });
  const power = spectrum(re, bins, 2);
  const mel = await matmul(power, kaldiMelBasis(sr, nFft, nMels, 20, sr / 2), { precision });
  const eps = 1.1920928955078125e-7;
  const out = new Float32Array(T * nMels);
  for (let i = 0; i < out.length; i++) out[i] = Math.log(Math.max(eps, atFloat(mel.data, i)));
  return { rows: T, cols: nMels, data: out };
}

async function whisper(x: Float32Array | Float64Array, nMels: number, sr: number, precision: Precision): Promise<Matrix<Float32Array>> {
  const n = 30 * sr;
  const y = new Float64Array(n);
  for (let i = 0; i < Math.min(n, x.length); i++) y[i] = atFloat(x, i);
  const nFft = WIN;
  const bins = nFft / 2 + 1;
  // center=True: frame t covers [t hop - nFft/2, t hop + nFft/2), reflected at the edges; the last frame is dropped.
  const T = Math.floor(n / HOP);
  const re = await matmul(centredFrames(y, T), dftBasis(nFft, bins, periodicHann(WIN)), { precision });
  const power = spectrum(re, bins, 2);
  const mel = await matmul(power, slaneyMelBasis(sr, nFft, nMels, 0, 8000), { precision });
  const logs = new Float64Array(T * nMels);
  let top = -Infinity;
  for (let i = 0; i < logs.length; i++) {
    const v = Math.log10(Math.max(1e-10, atFloat(mel.data, i)));
    logs[i] = v;
    top = Math.max(top, v);
  }
  const out = new Float32Array(T * nMels);
  for (let i = 0; i < logs.length; i++) out[i] = (Math.max(atF64(logs, i), top - 8) + 4) / 4;
  return { rows: T, cols: nMels, data: out };
}

/** Filterbank features `[frames, bins]` of mono `samples` (see the file comment for the recipes). */
export async function melFeatures(samples: Float32Array | Float64Array, opts: MelFeaturesOptions = {}, what = 'melFeatures'): Promise<Matrix<Float32Array>> {
  const recipe = opts.recipe ?? 'layerwise-analysis';
  const sr = opts.sampleRate ?? 16000;
  const nMels = opts.bins ?? 80;
  const precision = opts.precision ?? 'float64';
  if (sr !== 16000) throw new Error(`${what}: the ${recipe} recipe is defined at 16 kHz; resample first (got ${sr} Hz)`);
  if (!(Number.isInteger(nMels) && nMels >= 1 && nMels <= 256)) throw new Error(`${what}: bins must be an integer in [1, 256], got ${nMels}`);
  if (samples.length === 0) throw new Error(`${what}: the waveform is empty`);
  checkSamples(samples, what);
  if (recipe === 'layerwise-analysis') return layerwiseAnalysis(samples, nMels, sr, precision, what);
  if (recipe === 'kaldi') {
    const scale = opts.scale ?? 32768;
    if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`${what}: scale must be a positive number, got ${scale}`);
    return kaldi(samples, nMels, sr, scale, precision, what);
  }
  if (recipe === 'whisper') return whisper(samples, nMels, sr, precision);
  throw new Error(`${what}: recipe must be 'layerwise-analysis', 'kaldi' or 'whisper', got '${String(recipe)}'`);
}
