/**
 * The one naming scheme for activations, shared by models, caches, stores and the CLI. Layers are numbered
 * from 1, as papers count them and layerwise-analysis ids them (C1-C7, T1-TL); every activation of a layer
 * carries that layer's number (as TransformerLens's `blocks.5.hook_resid_post` and `blocks.5.mlp.hook_post`
 * share their 5):
 *
 * | name        | what                                                    | Hugging Face                                     |
 * | ----------- | ------------------------------------------------------- | ------------------------------------------------ |
 * | `hidden.0`  | the transformer's input (after the positional conv)      | `hidden_states[0]`                               |
 * | `hidden.i`  | output of transformer layer i (1..L)                     | `hidden_states[i]`, output of `encoder.layers[i-1]` |
 * | `ffn.i`     | FFN activation (after the nonlinearity) inside layer i   | input of `encoder.layers[i-1].feed_forward.output_dense` |
 * | `local.i`   | output of conv feature-encoder layer i (1..C)            | output of `feature_extractor.conv_layers[i-1]`   |
 *
 * Stores keep each activation in a file named by `layerFileStem` (`hidden.6` -> `layer_06`, `ffn.6` ->
 * `ffn_06`, `local.1` -> `local_01`); a file stem is not a name and is refused where a name is expected.
 * A bare number is shorthand for a hidden state: `6` is `hidden.6`.
 */

/** The kinds of activation a speech model exposes. */
export type ActivationKind = 'hidden' | 'local' | 'ffn';

const FIRST_INDEX: Record<ActivationKind, number> = { hidden: 0, local: 1, ffn: 1 };

/** Parse an activation name like `hidden.6` into its kind and index; anything else is an error that says the scheme. */
export function parseActivationName(name: string): { kind: ActivationKind; index: number } {
  const m = /^(hidden|local|ffn)\.(\d+)$/.exec(name);
  const kind = m?.[1];
  const index = Number(m?.[2]);
  if (kind !== 'hidden' && kind !== 'local' && kind !== 'ffn') {
    throw new Error(`'${name}' is not an activation name (expected hidden.<i> for i >= 0, local.<i> or ffn.<i> for i >= 1)`);
  }
  if (index < FIRST_INDEX[kind]) throw new Error(`'${name}': ${kind} layers are numbered from ${FIRST_INDEX[kind]}`);
  return { kind, index };
}

/** The name of activation `kind` of layer `index` (`activationName('ffn', 6)` is `ffn.6`). */
export function activationName(kind: ActivationKind, index: number): string {
  return `${kind}.${index}`;
}

/** The file stem an activation is stored under: `hidden.6` -> `layer_06`, `local.1` -> `local_01`, `ffn.6` -> `ffn_06`. */
export function layerFileStem(name: string): string {
  const { kind, index } = parseActivationName(name);
  const prefix = kind === 'hidden' ? 'layer' : kind;
  return `${prefix}_${String(index).padStart(2, '0')}`;
}

/**
 * The activation `layer` names among `available`: an activation name, or a number for `hidden.<number>`.
 * Anything else (a file stem such as `layer_06`, a typo, an absent layer) is an error naming `where` and
 * listing the valid names.
 */
export function resolveActivationName(layer: string | number, available: readonly string[], where: string): string {
  const name = typeof layer === 'number' ? activationName('hidden', layer) : layer;
  if (available.includes(name)) return name;
  const hint = typeof layer === 'string' && /^(layer|local|ffn)_\d+$/.test(layer) ? ` ('${layer}' is a file name; layers are named like hidden.6, or given as a hidden-state number)` : '';
  throw new Error(`${where}: no layer '${name}'${hint}; valid names: ${describeNames(available)}`);
}

/** A short listing of activation names for error messages. */
export function describeNames(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  if (names.length <= 8) return names.join(', ');
  return `${names.slice(0, 4).join(', ')}, ..., ${names.slice(-2).join(', ')} (${names.length} in all)`;
}
