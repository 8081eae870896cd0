/**
 * Alignments joined to a dataset by utterance id. An utterance without an alignment, or an alignment without
 * audio, is an error listing them (or, with `missing: 'skip'`, reported in the result for the store to record);
 * an interval past the end of its audio (beyond a rounding tolerance) is an error naming file and interval.
 */
import type { Alignment } from './Alignment';

/** Options of `joinAlignments`. */
export interface JoinAlignmentsOptions {
  /** What to do with items and alignments that have no partner (default 'error'). */
  readonly missing?: 'error' | 'skip';
  /** Seconds an interval may run past the audio's end (aligners round times; default 0.01). */
  readonly tolerance?: number;
}

/** The joined pairs, in dataset order, and what had no partner. */
export interface JoinedAlignments<T> {
  readonly pairs: readonly { readonly item: T; readonly alignment: Alignment }[];
  readonly itemsWithoutAlignment: readonly string[];
  readonly alignmentsWithoutItem: readonly string[];
}

/**
 * Join `items` (each with an `id` and its audio's duration in seconds, from `durationOf`) to `alignments` by
 * utterance id.
 */
export function joinAlignments<T extends { readonly id: string }>(
  items: readonly T[],
  alignments: ReadonlyMap<string, Alignment>,
  durationOf: (item: T) => number,
  opts: JoinAlignmentsOptions = {},
): JoinedAlignments<T> {
  const tolerance = opts.tolerance ?? 0.01;
  const pairs: { item: T; alignment: Alignment }[] = [];
  const itemsWithoutAlignment: string[] = [];
  const used = new Set<string>();
  for (const item of items) {
    const a = alignments.get(item.id);
    if (a === undefined) {
      itemsWithoutAlignment.push(item.id);
      continue;
    }
    used.add(item.id);
    const duration = durationOf(item);
    for (const [tier, spans] of [['words', a.words], ['phones', a.phones]] as const) {
      const last = spans[spans.length - 1];
      if (last !== undefined && last.end > duration + tolerance) {
        throw new Error(`${a.source}: ${tier} interval '${last.label}' [${last.start}, ${last.end}] ends past the end of '${item.id}' (${duration.toFixed(3)} s of audio)`);
      }
    }
    pairs.push({ item, alignment: a });
  }
  const alignmentsWithoutItem = [...alignments.keys()].filter((k) => !used.has(k));
  if ((opts.missing ?? 'error') === 'error' && (itemsWithoutAlignment.length > 0 || alignmentsWithoutItem.length > 0)) {
    const list = (ids: readonly string[]): string => `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? `, ... (${ids.length} in all)` : ''}`;
    const parts = [
      ...(itemsWithoutAlignment.length > 0 ? [`no alignment for ${list(itemsWithoutAlignment)}`] : []),
      ...(alignmentsWithoutItem.length > 0 ? [`no audio for the alignments of ${list(alignmentsWithoutItem)}`] : []),
    ];
    throw new Error(`joinAlignments: ${parts.join('; ')}; pass missing: 'skip' to leave them out`);
  }
  return { pairs, itemsWithoutAlignment, alignmentsWithoutItem };
}
