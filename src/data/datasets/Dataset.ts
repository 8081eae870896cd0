/**
 * An immutable, ordered list of audio items with the handful of operations the analysis notebooks use from
 * Hugging Face `datasets` (`shuffle(seed)`, `filter`, `select(range(n))`, label columns). Every operation
 * returns a new Dataset; the same calls give the same order on every machine.
 */
import { hubShuffle } from './numpyRandom';
import { Random } from '../../random';

/** One item of a dataset: an id, the audio file's path, and optional label, transcript, speaker and time window. */
export interface DatasetItem {
  /** Unique within the dataset (e.g. 'yes/0a7c2a8d_nohash_0.wav' or '84-121123-0000'). */
  readonly id: string;
  /** Absolute (or as-given) path of the audio file. */
  readonly path: string;
  readonly label?: string;
  readonly transcript?: string;
  readonly speaker?: string;
  /** Segment start within the file, seconds. */
  readonly start?: number;
  /** Segment end within the file, seconds. */
  readonly end?: number;
}

/** Options of `Dataset.shuffle`. */
export interface ShuffleOptions {
  /** Whose shuffle: 'layerwise' (default, src/random.ts) or 'datasets' (Hugging Face's, NumPy's PCG64). */
  like?: 'layerwise' | 'datasets';
}

/** Indices for `select`: the first n items (like `range(n)`), a half-open range, or explicit indices. */
export type Selection = number | RangeSelection | Iterable<number>;

/** Indices start, start + step, ... up to but excluding stop (step defaults to 1; may be negative). */
export interface RangeSelection {
  readonly start: number;
  readonly stop: number;
  readonly step?: number;
}

/** An ordered, immutable list of dataset items with seeded shuffles, selections and filters (`datasets`-style `shuffle(seed).select(n)`); every operation returns a new dataset. */
export class Dataset<T extends DatasetItem = DatasetItem> implements Iterable<T> {
  readonly items: readonly T[];

  /** Wrap `items` (copied and frozen). Ids must be unique. */
  constructor(items: readonly T[]) {
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.id)) throw new Error(`Dataset: duplicate item id '${item.id}'`);
      seen.add(item.id);
    }
    this.items = Object.freeze(items.map((item) => Object.freeze({ ...item })));
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }

  /** Item `i` (negative counts from the end); throws when out of range. */
  at(i: number): T {
    const j = i < 0 ? this.items.length + i : i;
    const item = Number.isInteger(j) ? this.items[j] : undefined;
    if (item === undefined) throw new Error(`Dataset.at: index ${i} is out of range for ${this.items.length} items`);
    return item;
  }

  /**
   * A copy in a seeded random order, the same on every machine. By default a Fisher-Yates shuffle on
   * src/random.ts (any number or string seed). With `{like: 'datasets'}`, Hugging Face's `Dataset.shuffle(seed)`
   * exactly (`np.random.default_rng(seed).permutation(n)`; the seed a non-negative integer): on the same rows in
   * the same order, `filter`, `shuffle` and `select` then pick the very items the Python notebooks pick.
   */
  shuffle(seed: number | string, opts: ShuffleOptions = {}): Dataset<T> {
    if (opts.like === 'datasets') {
      if (typeof seed !== 'number') throw new Error(`Dataset.shuffle: {like: 'datasets'} takes an integer seed, as numpy does, not '${seed}'`);
      const order = hubShuffle(this.items.length, seed);
      return new Dataset(Array.from(order, (i) => this.at(i)));
    }
    if (opts.like !== undefined && opts.like !== 'layerwise') throw new Error(`Dataset.shuffle: like must be 'layerwise' or 'datasets', got '${String(opts.like)}'`);
    return new Dataset(new Random(seed).shuffle(this.items));
  }

  /** The items for which `keep(item, index)` is true, in order. */
  filter(keep: (item: T, index: number) => boolean): Dataset<T> {
    return new Dataset(this.items.filter((item, i) => keep(item, i)));
  }

  /**
   * Items by position: `select(500)` is the first 500 (like `select(range(500))`), `select({start, stop, step})`
   * a range, `select([3, 1, 2])` explicit indices in the order given. Out-of-range indices throw.
   */
  select(selection: Selection): Dataset<T> {
    const n = this.items.length;
    let indices: number[];
    if (typeof selection === 'number') {
      if (!Number.isInteger(selection) || selection < 0 || selection > n) {
        throw new Error(`Dataset.select: cannot take the first ${selection} of ${n} items`);
      }
      indices = Array.from({ length: selection }, (_, i) => i);
    } else if (isRange(selection)) {
      const { start, stop, step = 1 } = selection;
      if (![start, stop, step].every(Number.isInteger) || step === 0) {
        throw new Error(`Dataset.select: range needs integer start, stop and a non-zero step, got ${JSON.stringify(selection)}`);
      }
      indices = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) indices.push(i);
    } else {
      indices = Array.from(selection);
    }
    return new Dataset(
      indices.map((i) => {
        const item = Number.isInteger(i) && i >= 0 ? this.items[i] : undefined;
        if (item === undefined) throw new Error(`Dataset.select: index ${i} is out of range for ${n} items`);
        return item;
      }),
    );
  }

  /** Sorted (by UTF-16 code unit, so locale-independent) unique labels; items without a label are ignored. */
  labels(): string[] {
    const set = new Set<string>();
    for (const item of this.items) if (item.label !== undefined) set.add(item.label);
    return [...set].sort(compareCodeUnits);
  }

  /** The same as `labels()`: the class name of each label id. */
  get classNames(): string[] {
    return this.labels();
  }

  /**
   * Each item's label as an index into `classNames` (default `labels()`), e.g. to colour points by word.
   * Throws if an item has no label or a label missing from `classNames`.
   */
  labelIds(classNames: readonly string[] = this.labels()): Int32Array {
    const index = new Map(classNames.map((c, i) => [c, i] as const));
    const out = new Int32Array(this.items.length);
    this.items.forEach((item, i) => {
      const id = item.label === undefined ? undefined : index.get(item.label);
      if (id === undefined) {
        throw new Error(`Dataset.labelIds: item '${item.id}' has ${item.label === undefined ? 'no label' : `label '${item.label}', not in classNames`}`);
      }
      out[i] = id;
    });
    return out;
  }

  /** One field of every item, in order (like `dataset["label"]`). */
  column<K extends keyof T>(key: K): T[K][] {
    return this.items.map((item) => item[key]);
  }

  /** A plain array copy of the items. */
  toArray(): T[] {
    return [...this.items];
  }
}

function isRange(s: Selection): s is RangeSelection {
  return typeof s === 'object' && s !== null && 'start' in s && 'stop' in s && !(Symbol.iterator in s);
}

/** Order strings by UTF-16 code units, independent of the machine's locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
