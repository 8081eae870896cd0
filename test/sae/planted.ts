/** A planted sparse dictionary: known unit atoms, sparse non-negative codes (seeded), and how many atoms an SAE found. */
import { Random } from '../../src/random';
import type { Matrix } from '../../src/matrix';
import { at } from '../../src/util/at';

export interface Planted {
  /** `[atoms, d]`, unit rows. */
  readonly atoms: Float64Array;
  readonly X: Matrix<Float32Array>;
}

export function plantedDictionary(seed: number, d: number, atoms: number, frames: number, active: number): Planted {
  const r = new Random(seed);
  const A = new Float64Array(atoms * d);
  for (let a = 0; a < atoms; a++) {
    let n = 0;
    for (let j = 0; j < d; j++) {
      const v = r.normal();
      A[a * d + j] = v;
      n += v * v;
    }
    for (let j = 0; j < d; j++) A[a * d + j] = at(A, a * d + j) / Math.sqrt(n);
  }
  const X = new Float32Array(frames * d);
  for (let i = 0; i < frames; i++) {
    for (const a of r.sample(atoms, active)) {
      const c = 0.5 + r.uniform();
      for (let j = 0; j < d; j++) X[i * d + j] = at(X, i * d + j) + c * at(A, a * d + j);
    }
  }
  return { atoms: A, X: { rows: frames, cols: d, data: X } };
}

/** For each true atom, the best cosine with any decoder column (`decoder` is `[d, latents]`). */
export function bestCosines(atoms: Float64Array, d: number, decoder: Matrix): Float64Array {
  const L = decoder.cols;
  const n = atoms.length / d;
  const norms = new Float64Array(L);
  for (let r = 0; r < d; r++) for (let i = 0; i < L; i++) norms[i] = at(norms, i) + at(decoder.data, r * L + i) ** 2;
  const best = new Float64Array(n).fill(-1);
  for (let a = 0; a < n; a++) {
    for (let i = 0; i < L; i++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += at(decoder.data, r * L + i) * at(atoms, a * d + r);
      const c = dot / Math.sqrt(at(norms, i) || 1);
      if (c > at(best, a)) best[a] = c;
    }
  }
  return best;
}
