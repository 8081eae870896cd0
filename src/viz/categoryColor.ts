import { at } from '../util/at';
/**
 * Colours for categorical labels. A label keeps its colour in every panel and every figure because the
 * colour depends only on the label's position in the sorted label set, never on which labels a panel holds.
 */

/** Plotly's default qualitative sequence, so our figures look like the rest of the Plotly ecosystem. */
const BASE = ['#636efa', '#ef553b', '#00cc96', '#ab63fa', '#ffa15a', '#19d3f3', '#ff6692', '#b6e880', '#ff97ff', '#fecb52'];

/** Colour of the `k`-th category (k >= 0). Beyond the base ten, hues step by the golden angle to stay distinct. */
export function categoryColor(k: number): string {
  if (!Number.isInteger(k) || k < 0) throw new Error(`categoryColor: k must be a non-negative integer, got ${k}`);
  if (k < BASE.length) return at(BASE, k);
  const hue = ((k - BASE.length) * 137.508 + 15) % 360;
  const light = 45 + ((k - BASE.length) % 3) * 10;
  return `hsl(${hue.toFixed(1)}, 70%, ${light}%)`;
}
