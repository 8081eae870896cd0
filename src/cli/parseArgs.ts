import { at } from '../util/at';
/** A small, strict argv parser shared by the subcommands: unknown flags are errors, not silently ignored. */
export interface ParseArgsSpec {
  /** Flags that take a value (`--out DIR` or `--out=DIR`). */
  strings?: readonly string[];
  /** Flags that take a value and may repeat (`--param a=1 --param b=2`). */
  lists?: readonly string[];
  /** Flags without a value. */
  booleans?: readonly string[];
}

export interface ParsedArgs {
  positional: string[];
  strings: Record<string, string | undefined>;
  lists: Record<string, string[]>;
  booleans: Record<string, boolean>;
}

export function parseArgs(argv: readonly string[], spec: ParseArgsSpec): ParsedArgs {
  const strings = new Set(spec.strings ?? []);
  const lists = new Set(spec.lists ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const out: ParsedArgs = { positional: [], strings: {}, lists: {}, booleans: {} };
  for (const l of lists) out.lists[l] = [];
  for (const b of booleans) out.booleans[b] = false;
  for (let i = 0; i < argv.length; i++) {
    const a = at(argv, i);
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (booleans.has(key)) {
      if (eq >= 0) throw new Error(`--${key} takes no value`);
      out.booleans[key] = true;
      continue;
    }
    if (!strings.has(key) && !lists.has(key)) throw new Error(`unknown option --${key}`);
    let value: string;
    if (eq >= 0) value = a.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`--${key} needs a value`);
      value = next;
      i++;
    }
    const list = out.lists[key];
    if (list !== undefined) list.push(value);
    else out.strings[key] = value;
  }
  return out;
}

/** An integer option (`--name N`) of at least `min` (default 1); undefined when not given. */
export function intOption(value: string | undefined, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

/** `--seed S`: a number when it reads as an integer, else the string (src/random.ts takes both). */
export function seedOption(value: string | undefined): number | string | undefined {
  return value === undefined ? undefined : /^-?\d+$/.test(value) ? Number(value) : value;
}
