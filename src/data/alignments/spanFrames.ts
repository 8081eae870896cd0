/**
 * Which model frames a labelled span covers, by the rule of the peer a study follows:
 * - `layerwise-analysis` (seed 004, `get_segment_idx`): s = floor(start / stride), e = ceil(end / stride); for
 *   phones the middle third, o = floor((e - s + 1) / 3), s += o, e -= o; at least one frame (e = s + 1 when
 *   e == s); clipped to the utterance's T frames. Frames s..e-1.
 * - `truncate-inclusive` (seed 002, layer-analysis): s = trunc(start / stride), e = trunc(end / stride), frames
 *   s..e inclusive, clipped to the utterance.
 * Divisions are IEEE doubles as in Python, so boundary cases (0.14 / 0.02 = 7.000000000000001, whose ceiling
 * is 8) come out as the peers' do. A span with no frame left (past the utterance's end) is an error naming it,
 * where the peers would average an empty slice into NaN.
 */

/** The peers' frame rules (see the file comment). */
export type FrameRule = 'layerwise-analysis' | 'truncate-inclusive';

/** Options of `spanFrames`. */
export interface SpanFramesOptions {
  /** Seconds between frames (0.02 for wav2vec2-family models). */
  readonly stride: number;
  /** Frames of the utterance (T). */
  readonly frames: number;
  /** Default `layerwise-analysis`. */
  readonly rule?: FrameRule;
  /** `layerwise-analysis` only: keep the middle third (the peer does for phones; default false). */
  readonly middleThird?: boolean;
}

/** The frame range `[first, end)` of the span `[start, end]` seconds; `what` names it in errors. */
export function spanFrames(start: number, end: number, opts: SpanFramesOptions, what = 'span'): { readonly first: number; readonly end: number } {
  const { stride, frames } = opts;
  if (!(stride > 0) || !Number.isInteger(frames) || frames < 1) throw new Error(`spanFrames: stride must be positive and frames a positive integer, got ${stride} and ${frames}`);
  if (!(Number.isFinite(start) && Number.isFinite(end) && end > start && start >= 0)) throw new Error(`${what}: [${start}, ${end}] is not a span of positive length`);
  let s: number;
  let e: number;
  if ((opts.rule ?? 'layerwise-analysis') === 'layerwise-analysis') {
    s = Math.floor(start / stride);
    e = Math.ceil(end / stride);
    if (opts.middleThird === true) {
      const o = Math.floor((e - s + 1) / 3);
      s += o;
      e -= o;
    }
    if (e === s) e += 1;
  } else {
    s = Math.trunc(start / stride);
    e = Math.trunc(end / stride) + 1;
  }
  e = Math.min(e, frames);
  if (s >= e) throw new Error(`${what}: [${start}, ${end}] s covers no frame of the utterance's ${frames} (${(frames * stride).toFixed(3)} s)`);
  return { first: s, end: e };
}
