/** Shared parts of the experiments: options every experiment takes, the result builder, store checks. */
import type { FeatureStore } from '../store/FeatureStore';
import type { ExperimentName, ExperimentResult } from './ExperimentResult';

/** Options every experiment takes. */
export interface ExperimentOptions {
  /** Only these stored layers (activation names or hidden-state numbers; default every layer the experiment scores). */
  readonly layers?: readonly (string | number)[];
  /** Called after each layer with its id and score. */
  readonly onLayer?: (id: string, score: number | null) => void;
}

/** Collects one experiment's per-layer scores. */
export class ResultBuilder {
  readonly layers: string[] = [];
  readonly scores: Record<string, number | null> = {};
  readonly reasons: Record<string, string> = {};
  readonly rows: Record<string, number> = {};
  readonly details: Record<string, unknown> = {};
  constructor(
    private readonly experiment: ExperimentName,
    private readonly model: string,
    private readonly onLayer?: (id: string, score: number | null) => void,
  ) {}
  add(id: string, value: number | null, reason: string | undefined, rows: number, details: unknown): void {
    this.layers.push(id);
    this.scores[id] = value;
    if (value === null) this.reasons[id] = reason ?? 'undefined';
    this.rows[id] = rows;
    this.details[id] = details;
    this.onLayer?.(id, value);
  }
  result(): ExperimentResult {
    return { experiment: this.experiment, model: this.model, layers: this.layers, scores: this.scores, reasons: this.reasons, rows: this.rows, details: this.details };
  }
}

export function requirePooling(store: FeatureStore, want: 'frames' | 'segments', what: string): void {
  if (store.meta.pooling !== want) {
    const how = want === 'frames' ? 'a frame store (extract with pooling: frames)' : "a segment store (extract with span: 'phone' | 'word' and alignments)";
    throw new Error(`${what}: ${store.dir} is a ${store.meta.pooling} store; this experiment needs ${how}`);
  }
}

/** The stored layers to score: `pick` filters the store's names; `opts.layers` narrows further. */
export function layersToScore(store: FeatureStore, pick: (name: string) => boolean, opts: ExperimentOptions, what: string): string[] {
  const names = store.layerNames.filter(pick);
  if (opts.layers === undefined) {
    if (names.length === 0) throw new Error(`${what}: ${store.dir} holds none of the layers this experiment scores (it has ${store.layerNames.join(', ')})`);
    return names;
  }
  return opts.layers.map((l) => {
    const info = store.layerInfo(l);
    if (!pick(info.name)) throw new Error(`${what}: layer ${info.name} is not scored by this experiment`);
    return info.name;
  });
}
