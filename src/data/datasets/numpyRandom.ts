/**
 * NumPy's default generator, bit for bit: `np.random.default_rng(seed)` is a PCG64 seeded through a
 * SeedSequence, and `Generator.permutation(n)` shuffles `arange(n)` with its Fisher-Yates loop. Hugging Face
 * `datasets` draws `Dataset.shuffle(seed)` from exactly this, so reproducing it reproduces the seeds' samples.
 *
 * Followed from NumPy's sources (numpy/random/bit_generator.pyx: SeedSequence; numpy/random/src/pcg64:
 * the 128-bit LCG with the XSL-RR output; distributions.c: random_interval; _generator.pyx: _shuffle_raw) and
 * checked against Debian's NumPy in test/data/numpyRandom.test.ts.
 */

// SeedSequence's hashing constants (Melissa O'Neill's seed_seq_fe design) and pool size.
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
const PCG_MULTIPLIER = (2549297995355413924n << 64n) | 4865540595714422341n;

/** A seed as NumPy accepts it for `default_rng`: a non-negative integer (any size). */
export type NumpySeed = number | bigint;

/** The seed's 32-bit words, least significant first (`_int_to_uint32_array`). */
function seedWords(seed: NumpySeed): number[] {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) throw new Error(`numpy seed must be a safe integer or a bigint, got ${seed}`);
  let n = BigInt(seed);
  if (n < 0n) throw new Error(`numpy seed must be non-negative, got ${seed}`);
  if (n === 0n) return [0];
  const words: number[] = [];
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return words;
}

/** SeedSequence(seed).generate_state(words, uint32): the entropy pool mixed, then stretched to `words` words. */
export function seedSequenceState(seed: NumpySeed, words: number): Uint32Array {
  const entropy = seedWords(seed);
  const pool = new Uint32Array(POOL_SIZE);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    let v = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    return (v ^ (v >>> 16)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(entropy[i] ?? 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) if (src !== dst) pool[dst] = mix(pool[dst] ?? 0, hashmix(pool[src] ?? 0));
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst] ?? 0, hashmix(entropy[src] ?? 0));
  }
  const out = new Uint32Array(words);
  let h = INIT_B;
  for (let i = 0; i < words; i++) {
    let v = ((pool[i % POOL_SIZE] ?? 0) ^ h) >>> 0;
    h = Math.imul(h, MULT_B) >>> 0;
    v = Math.imul(v, h) >>> 0;
    out[i] = (v ^ (v >>> 16)) >>> 0;
  }
  return out;
}

/** NumPy's PCG64 bit generator (`np.random.PCG64(seed)`, the one behind `default_rng`). */
export class Pcg64 {
  private state = 0n;
  private readonly inc: bigint;
  // next_uint32 hands out both halves of one 64-bit output, low half first.
  private spare: number | undefined;

  constructor(seed: NumpySeed) {
    const w = seedSequenceState(seed, 8);
    // generate_state(4, uint64) viewed little-endian: words (0,1) are the first uint64, and so on.
    const u64 = (k: number): bigint => (BigInt(w[2 * k + 1] ?? 0) << 32n) | BigInt(w[2 * k] ?? 0);
    const initState = (u64(0) << 64n) | u64(1);
    const initSeq = (u64(2) << 64n) | u64(3);
    this.inc = ((initSeq << 1n) | 1n) & MASK128;
    this.step();
    this.state = (this.state + initState) & MASK128;
    this.step();
  }

  private step(): void {
    this.state = (this.state * PCG_MULTIPLIER + this.inc) & MASK128;
  }

  /** The next 64-bit output (XSL-RR of the advanced state). */
  nextUint64(): bigint {
    this.step();
    const s = this.state;
    const x = ((s >> 64n) ^ s) & MASK64;
    const rot = s >> 122n;
    return ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
  }

  nextUint32(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const next = this.nextUint64();
    this.spare = Number(next >> 32n);
    return Number(next & 0xffffffffn);
  }

  /** A uniform integer in [0, max] by masked rejection (`random_interval`). */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      let mask = max;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      mask >>>= 0;
      for (;;) {
        const v = (this.nextUint32() & mask) >>> 0;
        if (v <= max) return v;
      }
    }
    const big = BigInt(max);
    let mask = big;
    for (const s of [1n, 2n, 4n, 8n, 16n, 32n]) mask |= mask >> s;
    for (;;) {
      const v = this.nextUint64() & mask;
      if (v <= big) return Number(v);
    }
  }
}

/**
 * `np.random.default_rng(seed).permutation(n)`: the order in which Hugging Face `datasets` puts n rows for
 * `Dataset.shuffle(seed=seed)`.
 */
export function hubShuffle(n: number, seed: NumpySeed): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new Error(`hubShuffle: n must be an integer in [0, 2^31), got ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rng = new Pcg64(seed);
  for (let i = n - 1; i >= 1; i--) {
    const j = rng.interval(i);
    const t = out[i] ?? 0;
    out[i] = out[j] ?? 0;
    out[j] = t;
  }
  return out;
}
