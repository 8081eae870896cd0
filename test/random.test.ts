import { Random, hashString } from '../src/random';

// SplitMix64 reference stream for seed 1234567 (high 32 bits of each 64-bit output), computed with Python ints:
// z += 0x9E3779B97F4A7C15; z = (z ^ z>>30) * 0xBF58476D1CE4E5B9; z = (z ^ z>>27) * 0x94D049BB133111EB; z ^ z>>31
const expected1234567 = [
  0x599ed017, 0x2c73f084, 0x883ebce5, 0x3fbef740,
];
// seed 0: first output 0xE220A8397B1DCDAF (the published SplitMix64 test value)
test('SplitMix64 stream matches the reference implementation', () => {
  expect(new Random(0).nextUint32()).toBe(0xe220a839);
  const r = new Random(1234567);
  expect(expected1234567.map(() => r.nextUint32())).toEqual(expected1234567);
  const big = new Random(2 ** 40 + 5);
  expect(big.nextUint32()).toBe(0x486e851c);
});

test('same seed gives the same permutation; different seeds differ', () => {
  expect(Array.from(new Random(42).permutation(20))).toEqual(Array.from(new Random(42).permutation(20)));
  expect(Array.from(new Random(42).permutation(20))).not.toEqual(Array.from(new Random(43).permutation(20)));
  const p = Array.from(new Random(7).permutation(1000)).sort((a, b) => a - b);
  expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
});

test('uniform and normal have the right first two moments', () => {
  const r = new Random(3);
  const n = 200000;
  let su = 0, su2 = 0, sn = 0, sn2 = 0, outside = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    if (!(u >= 0 && u < 1)) outside++;
    su += u; su2 += u * u;
    const z = r.normal();
    sn += z; sn2 += z * z;
  }
  expect(outside).toBe(0);
  expect(su / n).toBeCloseTo(0.5, 2);
  expect(su2 / n - (su / n) ** 2).toBeCloseTo(1 / 12, 2);
  expect(sn / n).toBeCloseTo(0, 2);
  expect(sn2 / n).toBeCloseTo(1, 1);
});

test('string seeds hash with FNV-1a', () => {
  expect(hashString('')).toBe(0x811c9dc5);
  expect(hashString('a')).toBe(0xe40c292c);
});
