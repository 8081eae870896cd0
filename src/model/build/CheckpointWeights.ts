/**
 * The weights of one checkpoint as a graph builder consumes them: looked up by Hugging Face state-dict name
 * below the model's prefix (`wav2vec2.`, `hubert.`, `model.` ... or none, found from an anchor key), shape
 * checked, handed over once (taken out of the map, so that the checkpoint holds nothing the graph does not
 * use), and counted, so that weights the architecture does not use are reported rather than silently ignored.
 */
import type { NamedTensor } from '../../checkpoint/safetensors';

export class CheckpointWeights {
  private readonly tensors: Map<string, NamedTensor>;
  readonly prefix: string;

  /**
   * `anchor` is a key every checkpoint of the family has, e.g. `feature_projection.projection.weight`. The map is
   * the caller's (`readCheckpoint`'s): entries leave it as they are taken.
   */
  constructor(tensors: Map<string, NamedTensor>, anchor: string, readonly where: string) {
    this.tensors = tensors;
    const hits = [...this.tensors.keys()].filter((k) => k === anchor || k.endsWith(`.${anchor}`));
    const first = hits[0];
    if (first === undefined) {
      const some = [...this.tensors.keys()].slice(0, 5).join(', ');
      throw new Error(`${where}: no '${anchor}' among the checkpoint's ${this.tensors.size} tensors (${some}${this.tensors.size > 5 ? ', ...' : ''}); not a checkpoint of this architecture`);
    }
    if (hits.length > 1) throw new Error(`${where}: '${anchor}' appears under several prefixes (${hits.join(', ')}); cannot tell which model to build`);
    this.prefix = first.slice(0, first.length - anchor.length);
  }

  has(name: string): boolean {
    return this.tensors.has(this.prefix + name);
  }

  /** Take weight `name` (below the prefix) as float32, checking its shape. */
  take(name: string, shape: readonly number[]): Float32Array {
    const key = this.prefix + name;
    const t = this.tensors.get(key);
    if (t === undefined) throw new Error(`${this.where}: the checkpoint has no '${key}', which the architecture in config.json needs`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${this.where}: '${key}' is [${t.shape.join(', ')}], config.json implies [${shape.join(', ')}]`);
    }
    this.tensors.delete(key);
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    for (let i = 0; i < data.length; i++) {
      const v = data[i] ?? 0;
      if (!Number.isFinite(v)) throw new Error(`${this.where}: '${key}' holds ${v} at flat index ${i}`);
    }
    return data;
  }

  /** Take `name` if the checkpoint has it. */
  takeOptional(name: string, shape: readonly number[]): Float32Array | undefined {
    return this.has(name) ? this.take(name, shape) : undefined;
  }

  /** Drop weights the built graph has no use for (a task head, the masking embedding), by name below the prefix or as full keys matching `pattern`. */
  drop(pattern: RegExp): void {
    for (const k of [...this.tensors.keys()]) if (pattern.test(k)) this.tensors.delete(k);
  }

  /** Every weight not taken or dropped: a checkpoint the builder misread (or a variant it does not know) shows up here. */
  remaining(): string[] {
    return [...this.tensors.keys()];
  }
}
