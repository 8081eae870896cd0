/**
 * Band-limited sample-rate conversion with libsamplerate (Secret Rabbit Code) compiled to WebAssembly.
 *
 * Default quality is SRC_SINC_BEST_QUALITY (libsamplerate's documented 97 dB SNR over 97% of the band):
 * the clips here are short, so conversion cost is small next to running a speech model on them, and the
 * models should not see aliasing that the original recordings do not have. 'medium'
 * (SRC_SINC_MEDIUM_QUALITY) and 'fastest' (SRC_SINC_FASTEST) trade quality for speed in bulk jobs.
 *
 * The WebAssembly build has a fixed 1,008,000-float buffer, and its own chunking for longer input drops the
 * filter's tail. Here long signals are cut into blocks that start on multiples of the rates' common period,
 * each padded with enough real neighbouring input on both sides that the sinc filter never sees a block
 * edge; the cores of the blocks then join sample for sample as one conversion would.
 */
import { ConverterType, create } from '@alexanderolsen/libsamplerate-js';
import type { ConverterTypeValue } from '@alexanderolsen/libsamplerate-js/dist/converter-type';
import type { SRC } from '@alexanderolsen/libsamplerate-js/dist/src';
import { errorMessage } from '../../util/describeError';

/** libsamplerate's converter: `best` (SINC_BEST, the default), `medium` or `fastest`. */
export type ResampleQuality = 'best' | 'medium' | 'fastest';

/** Options of `resample`. */
export interface ResampleOptions {
  /** libsamplerate converter (default 'best' = SRC_SINC_BEST_QUALITY). */
  quality?: ResampleQuality;
}

/** Floats the WebAssembly buffers hold, less a margin for the library's own rounding up. */
const BLOCK_LIMIT = 1_000_000;

const CONVERTERS: Record<ResampleQuality, ConverterTypeValue> = {
  best: ConverterType.SRC_SINC_BEST_QUALITY,
  medium: ConverterType.SRC_SINC_MEDIUM_QUALITY,
  fastest: ConverterType.SRC_SINC_FASTEST,
};

/**
 * Resample mono `samples` from `fromRate` to `toRate` (Hz, positive integers, ratio within libsamplerate's
 * 1/256..256). Returns exactly ceil(n * toRate / fromRate) samples, time-aligned with the input (output
 * sample j sits at input time j * fromRate / toRate). Equal rates return a copy. The input is not modified.
 */
export async function resample(samples: Float32Array, fromRate: number, toRate: number, opts: ResampleOptions = {}): Promise<Float32Array> {
  const { quality = 'best' } = opts;
  for (const [label, r] of [['fromRate', fromRate], ['toRate', toRate]] as const) {
    if (!Number.isInteger(r) || r <= 0) throw new Error(`resample: ${label} must be a positive integer, got ${r}`);
  }
  const converter = CONVERTERS[quality];
  if (converter === undefined) throw new Error(`resample: quality must be 'best', 'medium' or 'fastest', got ${String(quality)}`);
  const ratio = toRate / fromRate;
  if (ratio > 256 || ratio < 1 / 256) throw new Error(`resample: ratio ${toRate}/${fromRate} is outside libsamplerate's 1/256..256`);
  if (fromRate === toRate) return samples.slice();
  const n = samples.length;
  const outLength = Math.ceil((n * toRate) / fromRate);
  if (n === 0) return new Float32Array(0);

  const g = gcd(fromRate, toRate);
  const inPeriod = fromRate / g;
  const outPeriod = toRate / g;
  // The SINC_BEST filter reaches about 150 zero crossings each way, stretched by 1/ratio when downsampling.
  const reach = Math.ceil(256 / Math.min(1, ratio)) + 64;
  const pad = Math.ceil(reach / inPeriod) * inPeriod;
  const maxWindow = Math.floor(BLOCK_LIMIT / Math.max(1, ratio));
  const core = Math.floor((maxWindow - 2 * pad) / inPeriod) * inPeriod;
  if (core < inPeriod) {
    throw new Error(`resample: rates ${fromRate} -> ${toRate} share too long a period (${inPeriod} input samples) for block-wise conversion`);
  }
  const src = await converterFor(fromRate, toRate, converter);
  const out = new Float32Array(outLength);
  const padOut = (pad / inPeriod) * outPeriod;
  for (let start = 0; start < n; start += core) {
    const coreLength = Math.min(core, n - start);
    const window = new Float32Array(coreLength + 2 * pad);
    // Input outside [0, n) stays zero: the conversion of a finite clip assumes silence around it.
    const from = Math.max(0, start - pad);
    const to = Math.min(n, start + coreLength + pad);
    window.set(samples.subarray(from, to), from - (start - pad));
    const converted = runSimple(src, window);
    const outStart = (start / inPeriod) * outPeriod;
    const take = Math.min((core / inPeriod) * outPeriod, outLength - outStart);
    if (converted.length < padOut + take) {
      throw new Error(`resample: libsamplerate returned ${converted.length} samples, expected at least ${padOut + take}`);
    }
    out.set(converted.subarray(padOut, padOut + take), outStart);
  }
  return out;
}

/**
 * Converters are kept for the last few rate pairs: making one instantiates a WebAssembly module, a fixed
 * cost per call that is not small next to converting a one-second clip. `simple()` keeps no state between
 * calls and runs synchronously, so concurrent callers can share one. Dropped converters are left to the
 * garbage collector rather than destroyed, because a caller may still be about to use one.
 */
const converters = new Map<string, Promise<SRC>>();
const MAX_CONVERTERS = 4;

function converterFor(fromRate: number, toRate: number, converter: ConverterTypeValue): Promise<SRC> {
  const key = `${fromRate}:${toRate}:${converter}`;
  let src = converters.get(key);
  if (src === undefined) {
    src = create(1, fromRate, toRate, { converterType: converter });
    // A failed creation must not stay cached.
    src.catch(() => converters.delete(key));
  } else {
    converters.delete(key);
  }
  converters.set(key, src);
  while (converters.size > MAX_CONVERTERS) {
    const oldest = converters.keys().next();
    if (oldest.done) break;
    converters.delete(oldest.value);
  }
  return src;
}

function runSimple(src: SRC, input: Float32Array): Float32Array {
  try {
    return src.simple(input);
  } catch (e) {
    // The library throws strings.
    throw new Error(`resample: libsamplerate failed: ${errorMessage(e)}`);
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
