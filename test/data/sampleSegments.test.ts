import type { Alignment } from '../../src/data/alignments/Alignment';
import { sampleSegments, sampleUtterances, segmentSampleJson } from '../../src/data/alignments/sampleSegments';

/** u0..u{n-1}; utterance i has phones: SIL, then 'a' x (i+1), 'b' x 2, 'c' once, SIL; words 'x' and (even i) 'y'. */
function corpus(n: number): Map<string, Alignment> {
  const out = new Map<string, Alignment>();
  for (let i = 0; i < n; i++) {
    const labels = ['SIL', ...Array<string>(i + 1).fill('a'), 'b', 'b', 'c', 'SIL'];
    const phones = labels.map((label, k) => ({ label, start: k * 0.1, end: (k + 1) * 0.1 }));
    const words = [{ label: 'x', start: 0.1, end: 0.3 }, ...(i % 2 === 0 ? [{ label: 'y', start: 0.3, end: 0.5 }] : [])];
    out.set(`u${i}`, { utterance: `u${i}`, phones, words, source: `u${i}.TextGrid` });
  }
  return out;
}

describe('sampleSegments', () => {
  const al = corpus(10); // counts: a 55, b 20, c 10, SIL 20

  it('ranks labels by count without SIL, draws min(count, cap) without replacement, sorted by utterance and time', () => {
    const s = sampleSegments(al, { span: 'phone', perLabel: 12 });
    expect(s.labels).toEqual(['a', 'b', 'c']);
    const count = (l: string): number => s.segments.filter((x) => x.label === l).length;
    expect([count('a'), count('b'), count('c'), count('SIL')]).toEqual([12, 12, 10, 0]);
    const keys = s.segments.map((x) => `${x.utterance}@${x.start}`);
    expect(new Set(keys).size).toBe(keys.length);
    const pos = s.segments.map((x) => [Number(x.utterance.slice(1)), x.start] as const);
    for (let i = 1; i < pos.length; i++) {
      const [u0, t0] = pos[i - 1] ?? [0, 0];
      const [u1, t1] = pos[i] ?? [0, 0];
      expect(u1 > u0 || (u1 === u0 && t1 > t0)).toBe(true);
    }
    // Alignments for extraction carry only the drawn spans.
    expect([...s.alignments.values()].reduce((t, a) => t + a.phones.length, 0)).toBe(34);
  });

  it('is seeded, and independent of the order of the input map', () => {
    const a = sampleSegments(al, { span: 'phone', perLabel: 5, seed: 3 });
    const reversed = new Map([...al].reverse());
    expect(sampleSegments(reversed, { span: 'phone', perLabel: 5, seed: 3 }).segments).toEqual(a.segments);
    expect(sampleSegments(al, { span: 'phone', perLabel: 5, seed: 4 }).segments).not.toEqual(a.segments);
  });

  it('defaults: dev takes up to 200 phones / 15 words; train draws a count in the range, capped by the count', () => {
    expect(sampleSegments(al, { span: 'phone' }).segments).toHaveLength(55 + 20 + 10);
    const w = sampleSegments(al, { span: 'word' });
    expect([w.labels, w.segments.filter((x) => x.label === 'x').length, w.segments.filter((x) => x.label === 'y').length]).toEqual([['x', 'y'], 10, 5]);
    const t = sampleSegments(al, { span: 'phone', split: 'train', perLabel: [15, 30] });
    const na = t.segments.filter((x) => x.label === 'a').length;
    expect(na >= 15 && na <= 30).toBe(true);
    // b has 20: in [15, 20]; c has 10: min(15, 10) = min(30, 10) = 10 exactly.
    const nb = t.segments.filter((x) => x.label === 'b').length;
    expect([nb >= 15 && nb <= 20, t.segments.filter((x) => x.label === 'c').length]).toEqual([true, 10]);
  });

  it('closes a subset between utterances once its segments pass subsetSeconds; writes the peer JSON per subset', () => {
    const s = sampleSegments(al, { span: 'word', subsetSeconds: 1 });
    // Word durations 0.2 s: u0 has 2 words (0.4 s), u1 1 (0.6), u2 2 (1.0) -> subset 0 closes after u2.
    expect(s.segments.filter((x) => x.subset === 0).map((x) => x.utterance)).toEqual(['u0', 'u0', 'u1', 'u2', 'u2']);
    expect(s.subsets.length).toBeGreaterThan(1);
    const json = segmentSampleJson(s, 0, (u) => `dev-clean/${u}.flac`);
    expect(json.u0).toEqual(['dev-clean/u0.flac', [0.1, 0.3, 'x'], [0.3, 0.5, 'y']]);
    expect(Object.keys(json)).toEqual(['u0', 'u1', 'u2']);
  });

  it('refuses labels without instances and bad counts, naming them', () => {
    expect(() => sampleSegments(al, { span: 'phone', labels: ['a', 'zz'] })).toThrow(/no phone instances of 'zz'/);
    expect(() => sampleSegments(al, { span: 'phone', perLabel: 0 })).toThrow(/perLabel must hold positive integers/);
    expect(() => sampleSegments(al, { span: 'phone', perLabel: [5, 2] })).toThrow(/reversed/);
  });
});

describe('sampleUtterances', () => {
  it('draws n distinct ids, sorted, seeded; all when fewer', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    const s = sampleUtterances(ids, 10, 1);
    expect(s).toHaveLength(10);
    expect([...s].sort()).toEqual(s);
    expect(sampleUtterances([...ids].reverse(), 10, 1)).toEqual(s);
    expect(sampleUtterances(ids, 10, 2)).not.toEqual(s);
    expect(sampleUtterances(ids.slice(0, 3), 500)).toEqual(ids.slice(0, 3));
  });
});
