/** Byte-for-byte comparison of two output directories (resumed vs uninterrupted extraction runs). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file below `dir` (relative path -> bytes), in sorted order. */
export function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const f of fs.readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Two directories hold the same files with the same bytes (a failure names the first differing file). */
export function expectSameFiles(a: string, b: string): void {
  const fa = filesOf(a);
  const fb = filesOf(b);
  expect([...fb.keys()]).toEqual([...fa.keys()]);
  for (const [k, v] of fa) expect({ file: k, same: Buffer.compare(v, fb.get(k) as Buffer) === 0 }).toEqual({ file: k, same: true });
}
