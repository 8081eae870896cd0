/**
 * A parser for the Python literals that `.npy` headers are written in (NumPy writes the header with
 * `repr(dict)` and reads it with `ast.literal_eval`): strings, integers, True/False/None, tuples, lists and
 * dicts with string keys. Anything else is an error, as it is for `literal_eval`, so a header cannot smuggle
 * in a second `'descr'` inside another value or text a regular expression would skip.
 */

/** A parsed literal: tuples are `{tuple: [...]}` to keep them apart from lists, dicts are Maps in key order. */
export type PythonLiteral = string | number | boolean | null | readonly PythonLiteral[] | { readonly tuple: readonly PythonLiteral[] } | ReadonlyMap<string, PythonLiteral>;

/** Parse `text` as one Python literal; errors say where it went wrong. */
export function parsePythonLiteral(text: string): PythonLiteral {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at character ${i} of ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)}`);
  };
  const space = (): void => {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
  };
  const sequence = (close: string): PythonLiteral[] => {
    const out: PythonLiteral[] = [];
    space();
    while (text.charAt(i) !== close) {
      out.push(value());
      space();
      if (text.charAt(i) === ',') {
        i++;
        space();
      } else if (text.charAt(i) !== close) fail(`expected ',' or '${close}'`);
    }
    i++;
    return out;
  };
  const value = (): PythonLiteral => {
    space();
    const c = text.charAt(i);
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      if (s.includes('\\')) fail('escapes in strings are not supported');
      i = end + 1;
      return s;
    }
    if (c === '(') {
      i++;
      const items = sequence(')');
      return { tuple: items };
    }
    if (c === '[') {
      i++;
      return sequence(']');
    }
    if (c === '{') {
      i++;
      const map = new Map<string, PythonLiteral>();
      space();
      while (text.charAt(i) !== '}') {
        const key = value();
        if (typeof key !== 'string') fail('dict keys must be strings');
        space();
        if (text.charAt(i) !== ':') fail("expected ':'");
        i++;
        if (typeof key === 'string') {
          if (map.has(key)) fail(`key '${key}' appears twice`);
          map.set(key, value());
        }
        space();
        if (text.charAt(i) === ',') {
          i++;
          space();
        } else if (text.charAt(i) !== '}') fail("expected ',' or '}'");
      }
      i++;
      return map;
    }
    const word = /^(True|False|None|-?\d+L?)/.exec(text.slice(i))?.[1];
    if (word === undefined) return fail('expected a literal');
    i += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    return Number(word.replace(/L$/, ''));
  };
  const v = value();
  space();
  if (i !== text.length) fail('unexpected text after the literal');
  return v;
}

/** The items of a tuple literal, or undefined for any other literal. */
export function tupleItems(v: PythonLiteral | undefined): readonly PythonLiteral[] | undefined {
  if (typeof v !== 'object' || v === null || v instanceof Map || Array.isArray(v)) return undefined;
  return 'tuple' in v ? v.tuple : undefined;
}
