/**
 * Synthetic datasets record how they were made in `<outDir>/synthesis.json`; a second run with the same
 * settings completes the folder, one with other settings is refused.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './writeFileAtomic';

/**
 * Write synthesis.json, or check that the one already there describes the same dataset: clips made with
 * other settings must not be kept as if they were made with these.
 */
export function claimOutDir(outDir: string, description: object): void {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'synthesis.json');
  const text = `${JSON.stringify(description, null, 2)}\n`;
  if (existsSync(path)) {
    const existing = readFileSync(path, 'utf8');
    if (existing !== text) {
      throw new Error(`${outDir}: holds a dataset synthesized with other settings (see ${path}); choose another folder or delete it`);
    }
    return;
  }
  writeFileAtomic(path, text);
}
