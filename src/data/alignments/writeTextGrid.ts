/**
 * Praat TextGrid in the long text format, as the Montreal Forced Aligner writes it (interval tiers only), so
 * Praat, MFA tools, layerwise-analysis's reader and our own `readTextGrid` read it.
 */
import type { AlignedSpan } from './Alignment';

/** One interval tier: its name and intervals covering [0, xmax] in time order. */
export interface TextGridTierInput {
  readonly name: string;
  readonly intervals: readonly AlignedSpan[];
}

function praatString(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** The TextGrid text for `tiers` over [0, xmax]; times as JavaScript prints them (the shortest decimal that reads back exactly). */
export function textGridText(tiers: readonly TextGridTierInput[], xmax: number): string {
  if (!(xmax > 0 && Number.isFinite(xmax))) throw new Error(`textGridText: xmax must be a positive finite number, got ${xmax}`);
  const lines = ['File type = "ooTextFile"', 'Object class = "TextGrid"', '', 'xmin = 0', `xmax = ${xmax}`, 'tiers? <exists>', `size = ${tiers.length}`, 'item []:'];
  tiers.forEach((tier, t) => {
    lines.push(`    item [${t + 1}]:`, '        class = "IntervalTier"', `        name = ${praatString(tier.name)}`, '        xmin = 0', `        xmax = ${xmax}`);
    lines.push(`        intervals: size = ${tier.intervals.length}`);
    tier.intervals.forEach((iv, i) => {
      if (!(iv.end > iv.start)) throw new Error(`textGridText: tier '${tier.name}' interval ${i + 1} '${iv.label}' [${iv.start}, ${iv.end}] does not end after it starts`);
      lines.push(`        intervals [${i + 1}]:`, `            xmin = ${iv.start}`, `            xmax = ${iv.end}`, `            text = ${praatString(iv.label)}`);
    });
  });
  return `${lines.join('\n')}\n`;
}
