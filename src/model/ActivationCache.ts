/**
 * One forward pass's activations: named per-layer matrices `[frames, hidden]` (`[tokens, hidden]` for text models), like TransformerLens's
 * `run_with_cache`. It holds plain data only (no reference to the model or its session), so it can be kept,
 * filtered, passed to kernels and written to disk after the model is gone.
 *
 * Names follow `activationNames.ts`: `hidden.<i>` (Hugging Face `hidden_states[i]`), `ffn.<i>` (inside
 * layer i), `local.<i>` (conv layer i), layers numbered from 1.
 */
import type { Matrix } from '../matrix';
import { activationName, resolveActivationName, type ActivationKind } from './activationNames';

/** One activation of a cache. */
export interface ActivationEntry {
  readonly name: string;
  readonly kind: ActivationKind;
  readonly index: number;
  /** `[frames, features]`, float32. */
  readonly value: Matrix<Float32Array>;
}

/** What a cache records about the run that made it. */
export interface ActivationCacheMeta {
  /** Model identifier (repo id or file path). */
  readonly modelId: string;
  /** Sample rate of the audio the model saw. */
  readonly sampleRate: number;
  /** Number of audio samples in the input. */
  readonly numSamples: number;
  /** Seconds between consecutive transformer frames (0.02 for wav2vec2). */
  readonly frameSeconds: number;
}

/**
 * The activations of one clip (or, with `TextRunMeta`, one text model's token sequence), by name (see the file
 * comment).
 */
export class ActivationCache<M = ActivationCacheMeta> {
  private readonly byName: ReadonlyMap<string, ActivationEntry>;

  constructor(entries: readonly ActivationEntry[], readonly meta: M) {
    const map = new Map<string, ActivationEntry>();
    for (const e of entries) {
      if (map.has(e.name)) throw new Error(`ActivationCache: duplicate activation '${e.name}'`);
      if (e.value.data.length !== e.value.rows * e.value.cols) {
        throw new Error(`ActivationCache: '${e.name}' has ${e.value.data.length} values for shape [${e.value.rows}, ${e.value.cols}]`);
      }
      map.set(e.name, e);
    }
    this.byName = map;
  }

  /** All activation names, hidden states first (by index), then local, then ffn. */
  get names(): string[] {
    const order: Record<ActivationKind, number> = { hidden: 0, local: 1, ffn: 2 };
    return [...this.byName.values()]
      .sort((a, b) => order[a.kind] - order[b.kind] || a.index - b.index)
      .map((e) => e.name);
  }

  /** Whether the cache holds activation `name`. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The activation `[frames, features]` called `name` (a number means `hidden.<number>`); the error lists what the cache holds. */
  get(name: string | number): Matrix<Float32Array> {
    return this.entry(name).value;
  }

  /** The entry (name, kind, index, value) of activation `name`. */
  entry(name: string | number): ActivationEntry {
    const key = resolveActivationName(name, this.names, 'ActivationCache');
    const e = this.byName.get(key);
    if (e === undefined) throw new Error(`ActivationCache has no '${key}'`);
    return e;
  }

  /** `hidden_states[i]`. */
  hidden(i: number): Matrix<Float32Array> {
    return this.get(activationName('hidden', i));
  }

  /** The hidden states in index order. */
  hiddenStates(): Matrix<Float32Array>[] {
    return this.names.filter((n) => n.startsWith('hidden.')).map((n) => this.get(n));
  }

  /** A new cache with only the entries `keep` accepts (sharing the arrays: nothing is copied). */
  filter(keep: (entry: ActivationEntry) => boolean): ActivationCache<M> {
    return new ActivationCache<M>([...this.byName.values()].filter(keep), this.meta);
  }

  /** All entries in `names` order. */
  entries(): ActivationEntry[] {
    return this.names.map((n) => this.entry(n));
  }
}
