import { at } from '../util/at';
/**
 * Class labels as kernels accept them (numbers or strings, one per row) and their dense integer coding.
 * Classes are ordered like `np.unique`: numbers ascending, then strings in code-unit order, so per-class
 * results line up with the Python references.
 */

/** One label per sample: numbers (class ids) or strings (words, phones). */
export type LabelsLike = readonly (number | string)[] | Int32Array | Uint32Array | Float64Array | Float32Array;

/** Labels coded as `0..classes.length-1`; `codes[i]` is the class index of sample `i`. */
export interface EncodedLabels {
  readonly codes: Int32Array;
  /** The distinct labels, in `np.unique` order; `classes[c]` is the label with code `c`. */
  readonly classes: readonly (number | string)[];
  /** How many samples each class has. */
  readonly counts: Int32Array;
}

function compareLabels(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Check `labels` (one per sample; `n` samples expected when given) and code them densely. Errors name the
 * argument: a wrong length, a non-finite number or a value that is neither number nor string.
 */
export function encodeLabels(labels: LabelsLike, name = 'labels', n?: number): EncodedLabels {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new Error(`${name}: expected an array of numbers or strings`);
  }
  if (n !== undefined && labels.length !== n) {
    throw new Error(`${name}: has ${labels.length} labels but there are ${n} samples (rows)`);
  }
  const index = new Map<number | string, number>();
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`${name}: label ${i} is ${v}; labels must be finite numbers or strings`);
    } else if (typeof v !== 'string') {
      throw new Error(`${name}: label ${i} is a ${typeof v}; labels must be numbers or strings`);
    }
    if (!index.has(v)) index.set(v, 0);
  }
  const classes = [...index.keys()].sort(compareLabels);
  classes.forEach((c, k) => index.set(c, k));
  const codes = new Int32Array(labels.length);
  const counts = new Int32Array(classes.length);
  for (let i = 0; i < labels.length; i++) {
    const k = index.get(at(labels, i));
    if (k === undefined) throw new Error(`labels[${i}] has no class code`);
    codes[i] = k;
    counts[k] += 1;
  }
  return { codes, classes, counts };
}
