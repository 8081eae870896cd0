/**
 * One model's word embeddings: a row per word occurrence (utterance, position in the utterance's word tier,
 * word), every layer a `[occurrences, dim]` matrix over the same rows. Speech models (`speechWordEmbeddings`),
 * text models (`textWordEmbeddings`) and static vectors (`staticWordEmbeddings`) all give this shape, so that
 * `commonWordRows` can line up any of them. Occurrences a model could not embed are listed in `skipped` with
 * the reason; no row ever holds a NaN.
 */
import type { Matrix } from '../matrix';
import { resolveActivationName } from '../model/activationNames';
import { atF32 } from '../util/at';

/** A word occurrence: its utterance, its index among the utterance's word intervals, and the word. */
export interface WordOccurrence {
  readonly utterance: string;
  readonly position: number;
  readonly word: string;
}

/** An occurrence a model has no vector for, and why (position -1 and word '' when a whole utterance was skipped). */
export interface SkippedWord extends WordOccurrence {
  readonly reason: string;
}

/** What kind of model made the embeddings. */
export type WordEmbeddingKind = 'speech' | 'text' | 'static';

/** What `WordEmbeddings` is made from. */
export interface WordEmbeddingsInit {
  /** The model's name in figures and errors (its id by default). */
  readonly name: string;
  readonly kind: WordEmbeddingKind;
  readonly occurrences: readonly WordOccurrence[];
  /** Layer name -> `[occurrences, dim]`, in layer order. */
  readonly layers: ReadonlyMap<string, Matrix<Float32Array>>;
  /** What figures must say about the model ('random weights', 'trained on synthetic speech'), if anything. */
  readonly caveat?: string | undefined;
  readonly skipped?: readonly SkippedWord[];
}

/** The key of an occurrence (utterance and position). */
export function occurrenceKey(o: { readonly utterance: string; readonly position: number }): string {
  return `${o.utterance}\u0000${o.position}`;
}

/** See the file comment. */
export class WordEmbeddings {
  readonly name: string;
  readonly kind: WordEmbeddingKind;
  readonly caveat: string | undefined;
  readonly occurrences: readonly WordOccurrence[];
  readonly skipped: readonly SkippedWord[];
  private readonly byName: ReadonlyMap<string, Matrix<Float32Array>>;
  private readonly rowByKey: ReadonlyMap<string, number>;

  constructor(init: WordEmbeddingsInit) {
    this.name = init.name;
    this.kind = init.kind;
    this.caveat = init.caveat;
    this.occurrences = init.occurrences;
    this.skipped = init.skipped ?? [];
    if (init.layers.size === 0) throw new Error(`${init.name}: word embeddings need at least one layer`);
    const keys = new Map<string, number>();
    init.occurrences.forEach((o, i) => {
      const k = occurrenceKey(o);
      if (keys.has(k)) throw new Error(`${init.name}: occurrence ${o.position} of utterance '${o.utterance}' appears twice`);
      keys.set(k, i);
    });
    for (const [name, m] of init.layers) {
      if (m.rows !== init.occurrences.length || m.data.length !== m.rows * m.cols) {
        throw new Error(`${init.name}: layer '${name}' is [${m.rows}, ${m.cols}] with ${m.data.length} values for ${init.occurrences.length} occurrences`);
      }
      for (let i = 0; i < m.data.length; i++) {
        const v = atF32(m.data, i);
        if (!Number.isFinite(v)) {
          const o = init.occurrences[Math.floor(i / m.cols)];
          throw new Error(`${init.name}: layer '${name}' holds ${v} for '${o?.word ?? '?'}' (utterance '${o?.utterance ?? '?'}', position ${o?.position ?? '?'})`);
        }
      }
    }
    this.byName = init.layers;
    this.rowByKey = keys;
  }

  /** Layer names in order. */
  get layerNames(): string[] {
    return [...this.byName.keys()];
  }

  /** Layer `name` (`hidden.6`, or 6 for `hidden.6`; static vectors have the one layer 'static'). */
  layer(name: string | number): Matrix<Float32Array> {
    const key = resolveActivationName(name, this.layerNames, this.name);
    const m = this.byName.get(key);
    if (m === undefined) throw new Error(`${this.name}: no layer '${key}' (layers: ${this.layerNames.join(', ')})`);
    return m;
  }

  /** Row of an occurrence, or undefined when the model has no vector for it. */
  rowOf(o: { readonly utterance: string; readonly position: number }): number | undefined {
    return this.rowByKey.get(occurrenceKey(o));
  }
}
