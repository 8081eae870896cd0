/**
 * The examples a `featureCard` shows for one feature, from a `topActivations` ranking: each top clip's audio
 * and the feature's trace over it, fetched by the caller's functions (clips may be windows of longer files,
 * so only the caller knows where their audio is). This is the data half of the seed's
 * `display_activation_examples`.
 */
import type { TopActivationsResult } from '../sae/topActivations';
import type { FeatureCardExample } from './featureCard';
import type { NumericVector } from './finiteValues';

/** A clip's audio as a card plays it. */
export interface ExampleAudio {
  readonly samples: NumericVector;
  readonly sampleRate: number;
  /** Where the clip comes from, shown beside its id (e.g. "seconds 2-4 of 84-121123-0000"). */
  readonly source?: string;
}

/** Where `featureCardExamples` gets each clip's audio and trace. */
export interface FeatureCardExamplesOptions {
  /** At most this many clips (default 10). */
  readonly count?: number;
  /** The audio of a clip of the store, by id. */
  readonly audio: (clipId: string) => Promise<ExampleAudio>;
  /** The feature's activation over a clip (e.g. `clipFeatureTrace`); no trace when absent. */
  readonly trace?: (clipId: string) => Promise<NumericVector>;
}

/** The top `count` examples of `feature` in `top`, each with its audio and trace, best first. */
export async function featureCardExamples(top: TopActivationsResult, feature: number, opts: FeatureCardExamplesOptions): Promise<FeatureCardExample[]> {
  const k = top.features.indexOf(feature);
  const ranked = top.examples[k];
  if (k < 0 || ranked === undefined) {
    throw new Error(`feature ${feature} has no ranking in this ${top.layer} result; it ranks ${top.features.length} features (${top.features.slice(0, 5).join(', ')}${top.features.length > 5 ? ', ...' : ''})`);
  }
  const count = opts.count ?? 10;
  if (!(Number.isInteger(count) && count >= 0)) throw new Error(`featureCardExamples: count must be a non-negative integer, got ${count}`);
  const out: FeatureCardExample[] = [];
  for (const example of ranked.slice(0, count)) {
    const audio = await opts.audio(example.clipId);
    const trace = opts.trace === undefined ? undefined : await opts.trace(example.clipId);
    out.push({
      clipId: example.clipId,
      transcript: example.transcript,
      seconds: example.seconds,
      activation: example.activation,
      samples: audio.samples,
      sampleRate: audio.sampleRate,
      ...(trace !== undefined ? { trace } : {}),
      ...(audio.source !== undefined ? { source: audio.source } : {}),
    });
  }
  return out;
}
