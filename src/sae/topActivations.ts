/**
 * The seed's top-activating examples (`get_top_activating_datapoints`): for each feature, the frames of a
 * frame-level feature store where it activates most, at most one per clip (the seed skips further frames of
 * a clip already listed), with the clip's id, the frame's position (seconds from the frame rate, and
 * normalised to [0, 1) as frame / frames like the seed's `positions`), the activation and the clip's
 * transcript from the store's metadata.
 *
 * The store is read one shard at a time; every clip lies in one shard, so a clip's best frame is final when
 * its shard has been scanned and only `perFeature` candidates per feature are ever kept. Transcripts come
 * from the dataset (store metadata); a clip without one can be transcribed by the caller's `transcribe`
 * hook, e.g. a CTC model's greedy decoding (`SpeechModel.transcribe` on the clip's audio), once per listed
 * clip.
 */
import type { Matrix } from '../matrix';
import type { FeatureStore } from '../store/FeatureStore';
import type { SAE } from './SAE';
import { at, atF32, atNum } from '../util/at';

/** Options of `topActivations` / `topNeuronActivations`: the layer, features, examples per feature. */
export interface TopActivationsOptions {
  /** Store layer the SAE reads (an activation name such as `hidden.6`, a file stem, or a hidden index). */
  readonly layer: string | number;
  /** Features (latents, or neurons for `topNeuronActivations`) to rank (default: all). */
  readonly features?: readonly number[];
  /** Examples per feature (default 10, the seed's). */
  readonly perFeature?: number;
  /** At most one frame per clip (default true, as the seed). */
  readonly dedupeByClip?: boolean;
  /** SAE only: rank activations scaled by decoder norms, as the seed does (default true). */
  readonly normalized?: boolean;
  /**
   * Transcript of a listed clip the store has none for (e.g. the model's greedy CTC decoding of the clip's
   * audio); called once per such clip, with its id and index in the store's item order. Resolving to
   * `undefined` leaves the transcript null.
   */
  readonly transcribe?: (clipId: string, itemIndex: number) => Promise<string | undefined>;
}

/** One top-activating clip of a feature: where in the clip, how strongly, and its transcript. */
export interface TopActivationExample {
  readonly feature: number;
  /** The clip's item id in the store. */
  readonly clipId: string;
  /** The clip's index in the store's item order. */
  readonly itemIndex: number;
  /** Frame within the clip, and the clip's frame count in this layer. */
  readonly frame: number;
  readonly frames: number;
  /** Start time of the frame in the clip, in seconds. */
  readonly seconds: number;
  /** frame / frames, in [0, 1) (the seed's normalised position). */
  readonly position: number;
  readonly activation: number;
  /** The dataset's transcript of the clip, else the `transcribe` hook's, else null. */
  readonly transcript: string | null;
}

/** The top-activating clips of each ranked feature, best first. */
export interface TopActivationsResult {
  readonly layer: string;
  readonly features: readonly number[];
  /** Per feature (in `features` order), the examples, highest activation first. */
  readonly examples: readonly (readonly TopActivationExample[])[];
}

interface Candidate {
  readonly value: number;
  readonly item: number;
  readonly frame: number;
}

/** Higher value first; ties by earlier item, then earlier frame (a stable, seed-independent order). */
function before(a: Candidate, b: Candidate): boolean {
  return a.value > b.value || (a.value === b.value && (a.item < b.item || (a.item === b.item && a.frame < b.frame)));
}

/** Insert into a best-first list capped at `cap` entries. */
function offer(list: Candidate[], c: Candidate, cap: number): void {
  if (list.length === cap && !before(c, at(list, cap - 1))) return;
  let i = list.length;
  while (i > 0 && before(c, at(list, i - 1))) i--;
  list.splice(i, 0, c);
  if (list.length > cap) list.pop();
}

/**
 * Scan every shard of `layer`, score its frames with `score` (`[frames, features.length]`) and keep the
 * best frames per feature. Only scores above `floor` are examples.
 */
async function rankFrames(
  store: FeatureStore,
  opts: TopActivationsOptions,
  features: readonly number[],
  floor: number,
  score: (frames: Matrix<Float32Array>) => Promise<Matrix<Float32Array>>,
): Promise<TopActivationsResult> {
  const perFeature = opts.perFeature ?? 10;
  if (!(Number.isInteger(perFeature) && perFeature >= 1)) throw new Error(`topActivations: perFeature must be a positive integer, got ${perFeature}`);
  const dedupe = opts.dedupeByClip ?? true;
  const info = store.layerInfo(opts.layer);
  const nf = features.length;
  const best: Candidate[][] = features.map(() => []);
  for (const shard of store.iterateShards(opts.layer)) {
    if (shard.frames.rows === 0) continue;
    const V = await score(shard.frames);
    if (V.rows !== shard.frames.rows || V.cols !== nf) throw new Error(`topActivations: scores are [${V.rows}, ${V.cols}], expected [${shard.frames.rows}, ${nf}]`);
    for (let it = 0; it < shard.ids.length; it++) {
      const item = shard.firstItem + it;
      const off = at(shard.offsets, it);
      const count = at(shard.counts, it);
      for (let f = 0; f < nf; f++) {
        const list = best[f] as Candidate[];
        if (dedupe) {
          let top = -Infinity;
          let peak = -1;
          for (let r = 0; r < count; r++) {
            const v = atF32(V.data, (off + r) * nf + f);
            if (v > top) {
              top = v;
              peak = r;
            }
          }
          if (peak >= 0 && top > floor) offer(list, { value: top, item, frame: peak }, perFeature);
        } else {
          for (let r = 0; r < count; r++) {
            const v = atF32(V.data, (off + r) * nf + f);
            if (v > floor) offer(list, { value: v, item, frame: r }, perFeature);
          }
        }
      }
    }
  }
  const meta = store.meta;
  const index = store.frameIndex(opts.layer);
  const transcripts = new Map<number, string | null>();
  const transcriptOf = async (item: number, id: string, stored: string | undefined): Promise<string | null> => {
    if (stored !== undefined) return stored;
    if (opts.transcribe === undefined) return null;
    let t = transcripts.get(item);
    if (t === undefined) {
      const got = await opts.transcribe(id, item);
      if (got !== undefined && typeof got !== 'string') throw new Error(`topActivations: transcribe('${id}') returned ${typeof got}, expected a string or undefined`);
      t = got ?? null;
      transcripts.set(item, t);
    }
    return t;
  };
  const examples: TopActivationExample[][] = [];
  for (let f = 0; f < best.length; f++) {
    const list: TopActivationExample[] = [];
    for (const c of best[f] as Candidate[]) {
      const it = meta.items[c.item];
      if (it === undefined) throw new Error(`topActivations: item ${c.item} missing from ${store.dir}/meta.json`);
      const frames = atNum(index.counts, c.item);
      // Layers at their own frame rate (frameCounts) spread their rows over the clip's duration.
      const seconds = info.frameCounts === undefined ? c.frame * meta.frameSeconds : (c.frame / frames) * (it.numSamples / meta.sampleRate);
      list.push({
        feature: atNum(features, f),
        clipId: it.id,
        itemIndex: c.item,
        frame: c.frame,
        frames,
        seconds,
        position: c.frame / frames,
        activation: c.value,
        transcript: await transcriptOf(c.item, it.id, it.transcript),
      });
    }
    examples.push(list);
  }
  return { layer: info.name, features, examples };
}

function featureList(features: readonly number[] | undefined, n: number, what: string): number[] {
  const list = features === undefined ? Array.from({ length: n }, (_, i) => i) : [...features];
  if (list.length === 0) throw new Error(`topActivations: features is empty`);
  for (const f of list) if (!(Number.isInteger(f) && f >= 0 && f < n)) throw new Error(`topActivations: feature ${f} is outside [0, ${n}) ${what}`);
  return list;
}

/** Highest-activating frames of SAE latents over a frame store's layer (only frames where the latent is active). */
export async function topActivations(sae: SAE, store: FeatureStore, opts: TopActivationsOptions): Promise<TopActivationsResult> {
  const info = store.layerInfo(opts.layer);
  if (info.dim !== sae.inputDim) throw new Error(`topActivations: layer '${info.name}' has ${info.dim} features, the SAE takes ${sae.inputDim}`);
  const features = featureList(opts.features, sae.latents, 'latents');
  const normalized = opts.normalized ?? true;
  return rankFrames(store, opts, features, 0, (X) => (normalized ? sae.encodeNormalized(X, { features }) : sae.encode(X, { features })));
}

/**
 * The seed's baselines: highest-activating frames of raw neurons (columns) of a stored layer, e.g. the
 * residual stream (`hidden.6`) or the FFN intermediate (`ffn.6`). All values rank, negative ones included.
 */
export async function topNeuronActivations(store: FeatureStore, opts: TopActivationsOptions): Promise<TopActivationsResult> {
  const info = store.layerInfo(opts.layer);
  const features = featureList(opts.features, info.dim, `(layer '${info.name}' has ${info.dim} neurons)`);
  return rankFrames(store, opts, features, -Infinity, (X) => {
    const out = new Float32Array(X.rows * features.length);
    for (let r = 0; r < X.rows; r++) for (let f = 0; f < features.length; f++) out[r * features.length + f] = atF32(X.data, r * X.cols + atNum(features, f));
    return Promise.resolve({ rows: X.rows, cols: features.length, data: out });
  });
}
