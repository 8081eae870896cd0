/**
 * Turns a user's layer selection (`all`, `0,6,12`, `local`, `hidden.3`, `ffn.6`, ...) into activation names
 * a model offers, in the model's own order, so that stores list layers the same way whatever order was typed.
 */
import { describeNames as describe, parseActivationName } from './activationNames';

/**
 * A layer selection: `'all'` (every hidden state), or a list whose entries are hidden-state indices (`6`),
 * the words `all` (every `hidden.<i>`), `local` (every conv layer), `ffn` (every FFN activation the model
 * exposes), or activation names (`hidden.6`, `local.1`, `ffn.6`; see `activationNames.ts`).
 */
export type LayerSelection = 'all' | readonly (number | string)[];

/** Parse a CLI value such as `all`, `0,6,12` or `all,local` into a `LayerSelection`. */
export function parseLayerSelection(text: string): LayerSelection {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length === 0) throw new Error(`--layers: empty selection '${text}' (use all, 0,6,12, local, hidden.3, ...)`);
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Whether `selection` names any conv feature-encoder layer (`local`, `local.3`): a model loaded for it needs
 * them exposed (`loadModel`'s `local`); `'all'` and layer numbers mean hidden states only.
 */
export function wantsLocalLayers(selection: LayerSelection): boolean {
  return selection !== 'all' && selection.some((l) => typeof l === 'string' && (l === 'local' || l.startsWith('local.')));
}

/** The activation names `selection` picks from `available` (a model's `layerNames`), in the model's order. */
export function resolveLayers(selection: LayerSelection, available: readonly string[]): string[] {
  const offered = new Set(available);
  const picked = new Set<string>();
  const entries = selection === 'all' ? ['all'] : selection;
  if (entries.length === 0) throw new Error('layers: the selection is empty');
  const ofKind = (kind: string): string[] => available.filter((n) => n.startsWith(`${kind}.`));
  for (const e of entries) {
    if (typeof e === 'number') {
      if (!Number.isInteger(e) || e < 0) throw new Error(`layers: ${e} is not a hidden-state index`);
      const name = `hidden.${e}`;
      if (!offered.has(name)) throw new Error(`layers: the model has no hidden state ${e}; it offers ${describe(ofKind('hidden'))}`);
      picked.add(name);
    } else if (e === 'all' || e === 'hidden') {
      for (const n of ofKind('hidden')) picked.add(n);
    } else if (e === 'local' || e === 'ffn') {
      const names = ofKind(e);
      if (names.length === 0) throw new Error(`layers: the model exposes no '${e}' activations; it offers ${describe(available)}`);
      for (const n of names) picked.add(n);
    } else {
      parseActivationName(e);
      if (!offered.has(e)) throw new Error(`layers: the model has no activation '${e}'; it offers ${describe(available)}`);
      picked.add(e);
    }
  }
  return available.filter((n) => picked.has(n));
}
