/**
 * A speech model's word embeddings from a word-span feature store (`extractFeatures` with `span: 'word'`):
 * each row of the store is one word interval, the mean of its frames, every stored layer. Seed 002's frame rule
 * is `frameRule: 'truncate-inclusive'` (frames int(start / stride) to int(end / stride) inclusive); a span that
 * covers no frame stops the extraction with an error naming the interval, so no row is an empty mean.
 */
import type { Matrix } from '../matrix';
import type { FeatureStore } from '../store/FeatureStore';
import { WordEmbeddings, type WordOccurrence } from './WordEmbeddings';

/** Options of `speechWordEmbeddings`. */
export interface SpeechWordEmbeddingsOptions {
  /** Layers to keep (default the transformer layers `hidden.1`..`hidden.L`, as seed 002: the CNN output `hidden.0` is left out). */
  readonly layers?: readonly string[];
  /** Name in figures (default the store's model id). */
  readonly name?: string;
  /** What figures must say about the model ('trained on synthetic speech', 'random weights'), if anything. */
  readonly caveat?: string;
}

/** Word embeddings of the word-span store `store` (see the file comment). */
export function speechWordEmbeddings(store: FeatureStore, opts: SpeechWordEmbeddingsOptions = {}): WordEmbeddings {
  const span = store.meta.options.span;
  if (store.meta.pooling !== 'segments' || span === undefined || span.tier !== 'word') {
    throw new Error(`${store.dir}: not a word-span store (pooling ${store.meta.pooling}${span === undefined ? '' : `, ${span.tier} spans`}); extract with span: 'word'`);
  }
  const layers = opts.layers ?? store.layerNames.filter((n) => n.startsWith('hidden.') && n !== 'hidden.0');
  if (layers.length === 0) throw new Error(`${store.dir}: no transformer layer (hidden.1 ...) is stored; stored: ${store.layerNames.join(', ')}`);
  const occurrences: WordOccurrence[] = [];
  const seen = new Map<string, number>();
  for (const s of store.segments) {
    const position = seen.get(s.utterance) ?? 0;
    seen.set(s.utterance, position + 1);
    occurrences.push({ utterance: s.utterance, position, word: s.label });
  }
  const matrices = new Map<string, Matrix<Float32Array>>();
  for (const l of layers) matrices.set(l, store.layer(l));
  return new WordEmbeddings({
    name: opts.name ?? store.meta.model.id,
    kind: 'speech',
    occurrences,
    layers: matrices,
    caveat: opts.caveat,
    skipped: store.meta.skipped.map((it) => ({ utterance: it.id, position: -1, word: '', reason: `the utterance was skipped: ${it.reason}` })),
  });
}
