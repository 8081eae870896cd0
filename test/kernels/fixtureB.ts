/** Loads the analysis-kernel fixtures written by test/fixtures/kernels/fixtures_b.py. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function loadFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'kernels', name), 'utf8')) as T;
}

/** Largest absolute difference between two equally long numeric sequences. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
