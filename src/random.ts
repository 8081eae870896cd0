import { at, atI32 } from './util/at';
/**
 * The project's only source of randomness: a seeded generator, so every fitted method, shuffle and synthetic
 * dataset is the same for the same seed on every machine. The core is SplitMix64 (Steele, Lea & Flood 2014)
 * on BigInt-free 32-bit halves, which is fast, passes BigCrush, and is trivial to re-implement elsewhere.
 */
export class Random {
  private hi: number;
  private lo: number;
  private spareNormal: number | null = null;

  /** `seed` is any integer (or string, hashed to one); the same seed gives the same stream. */
  constructor(seed: number | string = 0) {
    const s = typeof seed === 'string' ? hashString(seed) : seed;
    if (!Number.isFinite(s)) throw new Error(`Random: seed must be a finite number, got ${seed}`);
    // Split the (up to 53-bit) integer seed into two 32-bit words.
    const n = Math.trunc(s);
    this.lo = n >>> 0;
    this.hi = Math.floor(n / 4294967296) >>> 0;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    // state += 0x9E3779B97F4A7C15 (64-bit add on two 32-bit halves)
    const lo = (this.lo + 0x7f4a7c15) >>> 0;
    const carry = lo < this.lo ? 1 : 0;
    this.hi = (this.hi + 0x9e3779b9 + carry) >>> 0;
    this.lo = lo;
    // z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >>> 27)) * 0x94D049BB133111EB; z ^ (z >>> 31)
    let [h, l] = xorShr(this.hi, this.lo, 30);
    [h, l] = mul64(h, l, 0xbf58476d, 0x1ce4e5b9);
    [h, l] = xorShr(h, l, 27);
    [h, l] = mul64(h, l, 0x94d049bb, 0x133111eb);
    [h, l] = xorShr(h, l, 31);
    return h >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`Random.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = atI32(p, i);
      p[i] = atI32(p, j);
      p[j] = t;
    }
    return p;
  }

  /** A shuffled copy of `items`. */
  shuffle<T>(items: readonly T[]): T[] {
    const p = this.permutation(items.length);
    return Array.from(p, (i) => at(items, i));
  }

  /** `k` distinct indices from [0, n), in random order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new Error(`Random.sample: cannot draw ${k} distinct values from ${n}`);
    return this.permutation(n).subarray(0, k);
  }
}

function xorShr(h: number, l: number, s: number): [number, number] {
  // (h:l) ^ ((h:l) >>> s) for 0 < s < 32
  const nl = (l ^ ((l >>> s) | (h << (32 - s)))) >>> 0;
  const nh = (h ^ (h >>> s)) >>> 0;
  return [nh, nl];
}

function mul64(ah: number, al: number, bh: number, bl: number): [number, number] {
  // Low 64 bits of (ah:al) * (bh:bl), via 16-bit limbs to stay exact in doubles.
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  const carry = Math.floor(mid / 65536) + Math.floor(p01 / 65536) + Math.floor(p10 / 65536) + a1 * b1;
  const hi = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  return [hi, lo];
}

/** FNV-1a 32-bit hash of a string, for string seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
