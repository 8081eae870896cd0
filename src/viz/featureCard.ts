import { activationSparkline } from './activationSparkline';
import { audioPlayer } from './audioPlayer';
import { escapeHtml } from './escapeHtml';
import type { NumericVector } from './finiteValues';

/**
 * One top-activating example of a feature. The first four fields have the names of `TopActivationExample`
 * (sae's `topActivations`), so an example there spreads into one here with the clip's audio added.
 */
export interface FeatureCardExample {
  readonly clipId: string;
  /** The clip's transcript (null when the dataset has none). */
  readonly transcript: string | null;
  /** Start time of the peak frame within the clip, in seconds. */
  readonly seconds: number;
  /** The feature's activation at the peak. */
  readonly activation: number;
  /** The clip's mono samples `[samples]` and their rate. */
  readonly samples: NumericVector;
  readonly sampleRate: number;
  /** The feature's activation on every frame of the clip, `[frames]`: drawn as a small trace. */
  readonly trace?: NumericVector;
  /** Where the clip comes from (e.g. "seconds 2-4 of utterance 84-121123-0000"), shown beside the id. */
  readonly source?: string;
}

/** Options of `featureCard`. */
export interface FeatureCardOptions {
  /** Heading of the card, e.g. "SAE feature 23 (random weights)". */
  title: string;
  /** Hop between frames in seconds (0.02 for wav2vec2); the peak frame spans [seconds, seconds + frameSeconds). */
  frameSeconds: number;
  /** Audio kept on each side of the peak frame in the peak player (default 0.25 s). */
  contextSeconds?: number;
  /** Show at most this many examples (default all given). */
  maxExamples?: number;
}

/** The segment around a peak frame that the card plays and shades: `[seconds - context, seconds + frame + context]`, clipped to the clip. */
export function peakSegment(seconds: number, duration: number, frameSeconds: number, contextSeconds: number): { start: number; end: number } {
  return { start: Math.max(0, seconds - contextSeconds), end: Math.min(duration, seconds + frameSeconds + contextSeconds) };
}

/**
 * A feature's top-activating examples as an HTML fragment (seed 003's `display_activation_examples`): per
 * example the activation, the clip id, the time of the peak, a player for the whole clip and one for the
 * segment around the peak, the feature's activation over the clip with that segment shaded, and the
 * transcript. The audio travels inside the page (WAV data URIs), so the card plays in saved notebooks and
 * offline reports. Show it with `show(featureCard(...))`.
 */
export function featureCard(examples: readonly FeatureCardExample[], opts: FeatureCardOptions): string {
  const fs = opts.frameSeconds;
  if (!(Number.isFinite(fs) && fs > 0)) throw new Error(`featureCard: frameSeconds must be positive, got ${fs}`);
  const context = opts.contextSeconds ?? 0.25;
  if (!(Number.isFinite(context) && context >= 0)) throw new Error(`featureCard: contextSeconds must be a non-negative number, got ${context}`);
  const max = opts.maxExamples ?? examples.length;
  if (!(Number.isInteger(max) && max >= 0)) throw new Error(`featureCard: maxExamples must be a non-negative integer, got ${max}`);
  const shown = examples.slice(0, max);
  const blocks = shown.map((ex, i) => {
    const where = `featureCard: examples[${i}] ('${ex.clipId}')`;
    if (!(Number.isInteger(ex.sampleRate) && ex.sampleRate > 0)) throw new Error(`${where}: sampleRate must be a positive integer, got ${ex.sampleRate}`);
    if (!Number.isFinite(ex.activation)) throw new Error(`${where}: activation is ${ex.activation}; expected a finite number`);
    const duration = ex.samples.length / ex.sampleRate;
    if (!(Number.isFinite(ex.seconds) && ex.seconds >= 0 && ex.seconds < duration)) {
      throw new Error(`${where}: peak at ${ex.seconds} s lies outside the clip's ${duration} s`);
    }
    const seg = peakSegment(ex.seconds, duration, fs, context);
    const source = ex.source !== undefined ? ` <span style="color:#666">(${escapeHtml(ex.source)})</span>` : '';
    const head =
      `<div><strong>Activation: ${ex.activation.toFixed(3)}</strong> · clip <code>${escapeHtml(ex.clipId)}</code>${source}` +
      ` · peak at ${ex.seconds.toFixed(2)} s</div>`;
    const players =
      `<div style="display:flex;align-items:flex-end;gap:16px;flex-wrap:wrap">` +
      audioPlayer(ex.samples, ex.sampleRate, { title: 'whole clip' }) +
      audioPlayer(ex.samples, ex.sampleRate, { start: seg.start, end: seg.end, title: 'around the peak' }) +
      `</div>`;
    const trace =
      ex.trace === undefined
        ? ''
        : activationSparkline(ex.trace, { frameSeconds: fs, highlight: seg, title: `activation over ${escapeHtml(ex.clipId)}; shaded: the segment played around the peak` });
    const transcript = `<div style="margin-top:5px"><strong>Transcript:</strong> ${ex.transcript === null ? '<em>none</em>' : escapeHtml(ex.transcript)}</div>`;
    return `<div class="layerwise-feature-example" style="border:1px solid #ddd;padding:8px;border-radius:5px">${head}${players}${trace}${transcript}</div>`;
  });
  const body = blocks.length > 0 ? blocks.join('\n') : '<div><em>No frame activates this feature.</em></div>';
  return (
    `<div class="layerwise-feature-card"><h3>${escapeHtml(opts.title)}</h3>\n` +
    `<div style="display:flex;flex-direction:column;gap:10px">\n${body}\n</div></div>`
  );
}
