/**
 * hubShuffle against Debian's NumPy: np.random.default_rng(seed).permutation(n) for several n and seeds (small,
 * 32-bit boundary, multi-word seeds), stored by test/fixtures/hub/numpy_permutation_reference.py.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hubShuffle, Pcg64, seedSequenceState } from '../../src/data/datasets/numpyRandom';

interface Reference {
  numpy: string;
  permutations: { seed: string; n: number; head: number[]; sha256: string; permutation?: number[] }[];
  pcg64: { seed: string; uint64: string[]; state32: number[] }[];
}

const REF = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'hub', 'numpy_permutation.json'), 'utf8')) as Reference;

describe("NumPy's default_rng", () => {
  it.each(REF.pcg64.map((r) => [r.seed, r] as const))('SeedSequence(%s) words and the first PCG64 outputs', (_, r) => {
    const seed = BigInt(r.seed);
    expect(Array.from(seedSequenceState(seed, 8))).toEqual(r.state32);
    const rng = new Pcg64(seed);
    expect([0, 1, 2, 3].map(() => rng.nextUint64().toString())).toEqual(r.uint64);
  });

  it.each(REF.permutations.map((c) => [c.n, c.seed, c] as const))('hubShuffle(%i, %s) is default_rng(seed).permutation(n)', (n, seed, c) => {
    const p = hubShuffle(n, BigInt(seed));
    expect(Array.from(p.subarray(0, 32))).toEqual(c.head);
    if (c.permutation !== undefined) expect(Array.from(p)).toEqual(c.permutation);
    const le = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    expect(createHash('sha256').update(le).digest('hex')).toBe(c.sha256);
  });

  it('takes number seeds like bigint ones and rejects what NumPy rejects', () => {
    expect(Array.from(hubShuffle(50, 42))).toEqual(Array.from(hubShuffle(50, 42n)));
    expect(() => hubShuffle(5, -1)).toThrow(/non-negative/);
    expect(() => hubShuffle(5, 0.5)).toThrow(/safe integer/);
    expect(() => hubShuffle(-1, 0)).toThrow(/n must be/);
  });
});
