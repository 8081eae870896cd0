/** Loads the analysis-kernel fixtures written by test/fixtures/kernels/fixtures_b.py. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function loadFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'kernels', name), 'utf8')) as T;
}

