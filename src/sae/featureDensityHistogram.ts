import { at } from '../util/at';
/**
 * Histogram of latent firing frequencies on a log10 scale, as in Anthropic's feature-density plots: most
 * healthy latents fire on 1e-4..1e-1 of frames; a spike at the far left means dead or nearly dead latents.
 */

export interface FeatureDensityHistogramOptions {
  /** Number of equal-width bins in log10(frequency) (default 50). */
  readonly bins?: number;
  /** Lower edge in log10 units (default: -ceil(log10(frames)) when `frames` is given, else -8). */
  readonly minLog10?: number;
  /** Upper edge in log10 units (default 0, i.e. fires on every frame). */
  readonly maxLog10?: number;
  /** Frames the frequencies were measured on (sets the default lower edge). */
  readonly frames?: number;
}

/** A histogram of log10 feature frequencies (the SAE feature-density plot), with the dead count. */
export interface FeatureDensityHistogram {
  /** `bins + 1` edges in log10(frequency). */
  readonly edges: Float64Array;
  /** Latents per bin (a frequency below the lowest edge, but above 0, is counted in the first bin). */
  readonly counts: Int32Array;
  /** Latents that never fired (frequency 0): not on the log axis, so counted apart. */
  readonly dead: number;
  /** log10 of each live latent's frequency, in latent order (NaN for dead ones): for custom plots. */
  readonly log10Frequencies: Float64Array;
}

/** Bin `frequencies` (`[latents]`, each the share of frames a latent fired on, in [0, 1]). */
export function featureDensityHistogram(frequencies: ArrayLike<number>, opts: FeatureDensityHistogramOptions = {}): FeatureDensityHistogram {
  const bins = opts.bins ?? 50;
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`featureDensityHistogram: bins must be a positive integer, got ${bins}`);
  const lo = opts.minLog10 ?? (opts.frames !== undefined ? -Math.ceil(Math.log10(Math.max(10, opts.frames))) : -8);
  const hi = opts.maxLog10 ?? 0;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`featureDensityHistogram: need minLog10 < maxLog10, got ${lo} and ${hi}`);
  const edges = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) edges[b] = lo + ((hi - lo) * b) / bins;
  const counts = new Int32Array(bins);
  const logs = new Float64Array(frequencies.length);
  let dead = 0;
  for (let i = 0; i < frequencies.length; i++) {
    const f = at(frequencies, i);
    if (!(f >= 0 && f <= 1)) throw new Error(`featureDensityHistogram: frequency of latent ${i} is ${f}, outside [0, 1]`);
    if (f === 0) {
      dead++;
      logs[i] = NaN;
      continue;
    }
    const v = Math.log10(f);
    logs[i] = v;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    counts[b] += 1;
  }
  return { edges, counts, dead, log10Frequencies: logs };
}
