/**
 * The fixed matrices of filterbank features, shared by `melFeatures` (the analysis recipes) and the Whisper
 * front end built into model graphs: the periodic Hann window, the windowed DFT as a matrix, and the Slaney
 * and Kaldi mel filterbanks.
 */
import type { Matrix } from '../../matrix';
import { atF64 } from '../../util/at';

/** The periodic Hann window of `n` taps (scipy's get_window('hann', n), torch.hann_window(n)). */
export const periodicHann = (n: number): Float64Array => Float64Array.from({ length: n }, (_, j) => 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / n));

/**
 * The windowed DFT as a matrix, [window taps, 2 * bins]: columns cos then -sin of 2 pi k n / nFft for the
 * window's taps n and bins k < `bins`. A frame of taps times this gives its real and imaginary parts.
 */
export function dftBasis(nFft: number, bins: number, window: Float64Array): Matrix<Float64Array> {
  const WIN = window.length;
  const data = new Float64Array(WIN * 2 * bins);
  for (let n = 0; n < WIN; n++) {
    const w = atF64(window, n);
    for (let k = 0; k < bins; k++) {
      // Reduce k n mod nFft first: the angle stays small, so cos/sin keep full precision.
      const phase = (2 * Math.PI * ((k * n) % nFft)) / nFft;
      data[n * 2 * bins + k] = w * Math.cos(phase);
      data[n * 2 * bins + bins + k] = -w * Math.sin(phase);
    }
  }
  return { rows: WIN, cols: 2 * bins, data };
}

/** librosa's Slaney mel scale. */
function hzToMelSlaney(f: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  return f >= minLogHz ? minLogMel + Math.log(f / minLogHz) / logstep : f / fSp;
}

function melToHzSlaney(m: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  return m >= minLogMel ? minLogHz * Math.exp(logstep * (m - minLogMel)) : fSp * m;
}

/** librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney'), transposed: [fft bins, mels]. */
export function slaneyMelBasis(sampleRate: number, nFft: number, nMels: number, fmin: number, fmax: number): Matrix<Float64Array> {
  const bins = Math.floor(nFft / 2) + 1;
  const lo = hzToMelSlaney(fmin);
  const hi = hzToMelSlaney(fmax);
  const melF = Float64Array.from({ length: nMels + 2 }, (_, i) => melToHzSlaney(lo + ((hi - lo) * i) / (nMels + 1)));
  const out = new Float64Array(bins * nMels);
  for (let m = 0; m < nMels; m++) {
    const f0 = atF64(melF, m);
    const f1 = atF64(melF, m + 1);
    const f2 = atF64(melF, m + 2);
    const enorm = 2 / (f2 - f0);
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const lower = (f - f0) / (f1 - f0);
      const upper = (f2 - f) / (f2 - f1);
      out[k * nMels + m] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return { rows: bins, cols: nMels, data: out };
}

/** Kaldi's mel banks (`get_mel_banks` without VTLN) with the Nyquist bin's zero row: [nFft/2 + 1, bins]. */
export function kaldiMelBasis(sampleRate: number, nFft: number, nMels: number, lowFreq: number, highFreq: number): Matrix<Float64Array> {
  const mel = (f: number): number => 1127 * Math.log(1 + f / 700);
  const half = nFft / 2;
  const width = sampleRate / nFft;
  const lo = mel(lowFreq);
  const delta = (mel(highFreq) - lo) / (nMels + 1);
  const out = new Float64Array((half + 1) * nMels);
  for (let m = 0; m < nMels; m++) {
    const left = lo + m * delta;
    const center = lo + (m + 1) * delta;
    const right = lo + (m + 2) * delta;
    for (let k = 0; k < half; k++) {
      const z = mel(width * k);
      const up = (z - left) / (center - left);
      const down = (right - z) / (right - center);
      out[k * nMels + m] = Math.max(0, Math.min(up, down));
    }
  }
  return { rows: half + 1, cols: nMels, data: out };
}

