/**
 * The one shape of every fitted method (PCA, k-means, logistic regression, sparse autoencoders), mljs style:
 *
 * - fitted by a function that takes the data and one options object with documented defaults; randomness
 *   only from its `seed` (methods without randomness, such as PCA and L-BFGS logistic regression, take none);
 * - applied with `transform` (PCA), `predict` (k-means, logistic regression) or `encode` (SAE);
 * - `toJSON()` gives a plain value tagged `{type: 'layerwise.<Name>', version}`, and the class's static
 *   `fromJSON(json, source?)` rebuilds the model from it, checking every field;
 * - `save(path)` writes atomically (readers never see half a file), and the static `load(path)` reads it
 *   back (JSON files; an SAE uses one safetensors file so PyTorch can read it too).
 */

/** What every fitted model offers on its instances; `fromJSON` and `load` are static on its class. */
export interface FittedModel<J> {
  /** A plain JSON value `{type, version, ...}` that `fromJSON` accepts. */
  toJSON(): J;
  /** Write the model to `path` atomically. */
  save(path: string): void;
}

/** The header that every fitted model's JSON starts with. */
export interface FittedModelJSON<T extends string> {
  readonly type: T;
  readonly version: number;
}

/** Reads the fields of one model's JSON, each checked, every error naming the source and the model. */
export class FittedJSONReader {
  private readonly fields: Record<string, unknown>;

  /** Checks that `json` is `{type: 'layerwise.<name>', version}`; errors say `<source>: not a layerwise <name> model (why)`. */
  constructor(json: unknown, readonly name: string, version: number, readonly source: string) {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw this.error('not an object');
    this.fields = { ...json };
    const type = `layerwise.${name}`;
    if (this.fields['type'] !== type || this.fields['version'] !== version) {
      throw this.error(`type/version is ${String(this.fields['type'])}/${String(this.fields['version'])}, expected ${type}/${version}`);
    }
  }

  /** An error in this model's JSON. */
  error(why: string): Error {
    return new Error(`${this.source}: not a layerwise ${this.name} model (${why})`);
  }

  /** Field `key` as a list of finite numbers. */
  numbers(key: string, value: unknown = this.fields[key]): number[] {
    if (!Array.isArray(value)) throw this.error(`${key} is not a list of finite numbers`);
    const out: number[] = [];
    for (const x of value) {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw this.error(`${key} is not a list of finite numbers`);
      out.push(x);
    }
    return out;
  }

  /** Field `key` as a non-empty list of rows of `cols` finite numbers each (any width when `cols` is undefined). */
  rows(key: string, cols?: number): number[][] {
    const value = this.fields[key];
    if (!Array.isArray(value) || value.length === 0) throw this.error(`${key} is missing`);
    const rows = value.map((r: unknown, i) => this.numbers(`${key}[${i}]`, r));
    const width = cols ?? rows[0]?.length;
    if (rows.some((r) => r.length !== width)) throw this.error(`${key} rows do not all have ${String(width)} values`);
    return rows;
  }

  /** Field `key` as a finite number. */
  number(key: string): number {
    const v = this.fields[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.error(`${key} is not a finite number`);
    return v;
  }

  /** Field `key` as a boolean. */
  boolean(key: string): boolean {
    const v = this.fields[key];
    if (typeof v !== 'boolean') throw this.error(`${key} is not true or false`);
    return v;
  }

  /** Field `key` as it is (for fields with their own checks). */
  raw(key: string): unknown {
    return this.fields[key];
  }
}

/** Row-major `[rows.length, cols]` float64 data from JSON rows. */
export function rowsToFloat64(rows: readonly (readonly number[])[], cols: number): Float64Array {
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => data.set(r, i * cols));
  return data;
}

/** The rows of a row-major matrix as number arrays (for JSON). */
export function float64ToRows(data: Float64Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));
}
