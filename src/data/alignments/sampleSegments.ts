/**
 * The data samples of layerwise-analysis (`codes/prepare/create_data_samples.py`), seeded:
 * - phones: the 39 most frequent phone labels other than SIL; `dev` draws min(count, 200) instances of each,
 *   `train` a random count in [min(3000, n), min(7000, n)];
 * - words: the 500 most frequent words other than `<unk>`; `dev` min(count, 15) each, `train` a random count
 *   in [600, 1200] capped at the count;
 * instances without replacement, and subsets that close once their segments add up to `subsetSeconds`
 * (10,000 s, so a train sample extracts in parallel pieces). The original draws with Python's unseeded
 * `random`; here every draw comes from `seed` (one stream per label), so the same alignments and seed give
 * the same sample, byte for byte, in any order of the input map.
 *
 * Labels are ranked by count in the alignments given (the peer ranks by the train split's `phone.lst` /
 * `word.lst`: pass `labels` to use such a list), ties by code-unit order.
 */
import { Random } from '../../random';
import { at } from '../../util/at';
import type { AlignedSpan, Alignment } from './Alignment';

/** Options of `sampleSegments`. */
export interface SampleSegmentsOptions {
  /** Phones or words. */
  readonly span: 'phone' | 'word';
  /** `dev` (default) or `train` counts per label (see the file comment). */
  readonly split?: 'dev' | 'train';
  /** Seed of every draw (default 0). */
  readonly seed?: number;
  /** Labels to sample, in order (default: the most frequent, see `maxLabels`). */
  readonly labels?: readonly string[];
  /** How many of the most frequent labels (default 39 phones, 500 words). */
  readonly maxLabels?: number;
  /** Labels never sampled (default SIL for phones, `<unk>` for words). */
  readonly exclude?: readonly string[];
  /** Instances per label: a fixed cap, or a `[min, max]` range drawn per label (default by split and span). */
  readonly perLabel?: number | readonly [number, number];
  /** A subset closes once its segments add up to this many seconds (default 10000). */
  readonly subsetSeconds?: number;
}

/** One drawn segment. */
export interface SampledSegment extends AlignedSpan {
  readonly utterance: string;
  /** Which subset it belongs to (0, 1, ...). */
  readonly subset: number;
}

/** A data sample: its segments (by utterance, then time) and the same as alignments for `extractFeatures`. */
export interface SegmentSample {
  readonly span: 'phone' | 'word';
  /** The sampled labels, most frequent first. */
  readonly labels: readonly string[];
  readonly segments: readonly SampledSegment[];
  /** Per subset: utterance -> an `Alignment` holding only the drawn spans of this tier. */
  readonly subsets: readonly ReadonlyMap<string, Alignment>[];
  /** All subsets together. */
  readonly alignments: ReadonlyMap<string, Alignment>;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function countRange(opts: SampleSegmentsOptions): readonly [number, number] | number {
  if (opts.perLabel !== undefined) return opts.perLabel;
  const train = (opts.split ?? 'dev') === 'train';
  if (opts.span === 'phone') return train ? [3000, 7000] : 200;
  return train ? [600, 1200] : 15;
}

/** Draw the peer's data sample of `span` from `alignments`. */
export function sampleSegments(alignments: ReadonlyMap<string, Alignment>, opts: SampleSegmentsOptions): SegmentSample {
  const { span } = opts;
  if (span !== 'phone' && span !== 'word') throw new Error(`sampleSegments: span must be 'phone' or 'word', got '${String(span)}'`);
  const seed = opts.seed ?? 0;
  const subsetSeconds = opts.subsetSeconds ?? 10000;
  if (!(subsetSeconds > 0)) throw new Error(`sampleSegments: subsetSeconds must be positive, got ${subsetSeconds}`);
  const range = countRange(opts);
  const checkCount = (n: number): void => {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`sampleSegments: perLabel must hold positive integers, got ${JSON.stringify(range)}`);
  };
  if (typeof range === 'number') checkCount(range);
  else {
    range.forEach(checkCount);
    if (at(range, 0) > at(range, 1)) throw new Error(`sampleSegments: perLabel range [${range.join(', ')}] is reversed`);
  }

  // Every instance of every label, in a canonical order (utterance id, then time).
  const utterances = [...alignments.keys()].sort(cmp);
  const byLabel = new Map<string, { utterance: string; span: AlignedSpan }[]>();
  for (const u of utterances) {
    const a = alignments.get(u);
    if (a === undefined) continue;
    for (const s of span === 'phone' ? a.phones : a.words) {
      const list = byLabel.get(s.label) ?? [];
      list.push({ utterance: u, span: s });
      byLabel.set(s.label, list);
    }
  }
  const exclude = new Set(opts.exclude ?? (span === 'phone' ? ['SIL'] : ['<unk>']));
  let labels: string[];
  if (opts.labels !== undefined) {
    labels = [...opts.labels];
    const absent = labels.filter((l) => !byLabel.has(l));
    if (absent.length > 0) throw new Error(`sampleSegments: no ${span} instances of ${absent.slice(0, 5).map((l) => `'${l}'`).join(', ')}${absent.length > 5 ? ` (${absent.length} labels in all)` : ''}`);
  } else {
    const maxLabels = opts.maxLabels ?? (span === 'phone' ? 39 : 500);
    labels = [...byLabel.entries()]
      .filter(([l]) => !exclude.has(l))
      .sort((a, b) => b[1].length - a[1].length || cmp(a[0], b[0]))
      .slice(0, maxLabels)
      .map(([l]) => l);
  }
  if (labels.length === 0) throw new Error(`sampleSegments: the alignments hold no ${span} labels to sample`);

  const drawn: { utterance: string; span: AlignedSpan }[] = [];
  for (const label of labels) {
    const all = byLabel.get(label) ?? [];
    const rng = new Random(`${seed}:${span}:${label}`);
    let k: number;
    if (typeof range === 'number') k = Math.min(range, all.length);
    else {
      const lo = Math.min(at(range, 0), all.length);
      const hi = Math.min(at(range, 1), all.length);
      k = lo + rng.int(hi - lo + 1);
    }
    for (const i of rng.sample(all.length, k)) drawn.push(at(all, i));
  }
  const order = new Map(utterances.map((u, i) => [u, i] as const));
  drawn.sort((a, b) => (order.get(a.utterance) ?? 0) - (order.get(b.utterance) ?? 0) || a.span.start - b.span.start);

  const segments: SampledSegment[] = [];
  const subsets: Map<string, Alignment>[] = [];
  let subset = 0;
  let seconds = 0;
  let previous = '';
  for (const d of drawn) {
    // Subsets close between utterances, as the peer's per-utterance files do.
    if (d.utterance !== previous && seconds >= subsetSeconds) {
      subset++;
      seconds = 0;
    }
    previous = d.utterance;
    seconds += d.span.end - d.span.start;
    segments.push({ utterance: d.utterance, label: d.span.label, start: d.span.start, end: d.span.end, subset });
  }
  const all = new Map<string, Alignment>();
  for (const s of segments) {
    const source = alignments.get(s.utterance)?.source ?? s.utterance;
    const add = (m: Map<string, Alignment>): void => {
      const a = m.get(s.utterance) ?? { utterance: s.utterance, words: [], phones: [], source };
      const spans = [...(span === 'phone' ? a.phones : a.words), { label: s.label, start: s.start, end: s.end }];
      m.set(s.utterance, span === 'phone' ? { ...a, phones: spans } : { ...a, words: spans });
    };
    while (subsets.length <= s.subset) subsets.push(new Map());
    add(at(subsets, s.subset));
    add(all);
  }
  return { span, labels, segments, subsets, alignments: all };
}

/**
 * The peer's `{split}_segments_sample{n}_{k}.json` for subset `k`: `{utt: [wav, [start, end, label], ...]}`,
 * with `pathOf(utt)` the audio path it records.
 */
export function segmentSampleJson(sample: SegmentSample, subset: number, pathOf: (utterance: string) => string): Record<string, [string, ...[number, number, string][]]> {
  const out: Record<string, [string, ...[number, number, string][]]> = {};
  for (const s of sample.segments) {
    if (s.subset !== subset) continue;
    const entry = out[s.utterance] ?? [pathOf(s.utterance)];
    entry.push([s.start, s.end, s.label]);
    out[s.utterance] = entry;
  }
  return out;
}

/** The frame-level sample: `n` utterance ids drawn with `seed` (all when fewer), sorted, as the peer's `500_ids_sample` file lists them. */
export function sampleUtterances(ids: readonly string[], n = 500, seed = 0): string[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`sampleUtterances: n must be a positive integer, got ${n}`);
  const sorted = [...new Set(ids)].sort(cmp);
  const rng = new Random(`${seed}:utterances`);
  return Array.from(rng.sample(sorted.length, Math.min(n, sorted.length)), (i) => at(sorted, i)).sort(cmp);
}
