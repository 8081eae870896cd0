import type { ParamValue } from './injectParameters';

/**
 * Parse a command-line parameter `key=value`. The value is read as JSON when it parses (`n=50`,
 * `flag=true`, `sizes=[3,10,50]`, `name="123"`), else taken as a plain string (`model=hubert-base`).
 */
export function parseParam(arg: string): [string, ParamValue] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--param '${arg}' must look like key=value`);
  const key = arg.slice(0, eq).trim();
  const text = arg.slice(eq + 1);
  let value: ParamValue;
  try {
    value = JSON.parse(text) as ParamValue;
  } catch {
    value = text;
  }
  return [key, value];
}
