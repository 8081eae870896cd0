/**
 * Shared helpers for the data tests: temporary folders, and the external reference programs (sox, flac,
 * espeak-ng, Debian's python3 with NumPy). A missing program fails the test loudly instead of skipping it:
 * CI installs all of them (environment/).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { at } from '../../src/util/at';

const checked = new Map<string, boolean>();

/** Throw a clear error if `program` is not runnable. */
export function requireTool(program: string, versionArgs: readonly string[] = ['--version']): void {
  if (!checked.has(program)) {
    let ok = true;
    try {
      execFileSync(program, [...versionArgs], { stdio: 'ignore' });
    } catch (e) {
      ok = !(e instanceof Error && 'code' in e && (e as NodeJS.ErrnoException).code === 'ENOENT');
    }
    checked.set(program, ok);
  }
  if (checked.get(program) !== true) {
    throw new Error(`${program} is required by this test but is not installed (CI installs it; see environment/)`);
  }
}

/** Run `program` and return its stdout; throws with its stderr on failure. */
export function run(program: string, args: readonly string[], input?: string): Buffer {
  requireTool(program);
  return execFileSync(program, [...args], { input, maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** `sox <args>` (the reference encoder/decoder). */
export function sox(...args: string[]): Buffer {
  return run('sox', args);
}

/** sox's decoding of `file` as interleaved float32 at the file's own rate (plus any extra effects). */
export function soxDecode(file: string, ...effects: string[]): Float32Array {
  const raw = sox('-V1', file, '-t', 'f32', '-', ...effects);
  const out = new Float32Array(raw.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = raw.readFloatLE(4 * i);
  return out;
}

/**
 * sox's decoding as float64. Exact for integer PCM (sox's float32 output rounds 32-bit samples its own way,
 * (d + 64) & ~127, so the float64 output is the exact reference and float32 values are compared after one
 * correct rounding).
 */
export function soxDecode64(file: string, ...effects: string[]): Float64Array {
  const raw = sox('-V1', file, '-t', 'f64', '-', ...effects);
  const out = new Float64Array(raw.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = raw.readDoubleLE(8 * i);
  return out;
}

export const PYTHON = '/usr/bin/python3';

/** Run Debian's python3 (which has NumPy) on `script`; returns stdout as text. */
export function python(script: string, ...args: string[]): string {
  return run(PYTHON, ['-c', script, ...args]).toString('utf8');
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `layerwise-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pearson correlation of two equal-length arrays. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`correlation: lengths ${a.length} and ${b.length} differ`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += at(a, i);
    mb += at(b, i);
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = at(a, i) - ma;
    const y = at(b, i) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Channel `c` of interleaved `[frames, channels]` data. */
export function channel(interleaved: Float32Array, channels: number, c: number): Float32Array {
  const out = new Float32Array(interleaved.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = at(interleaved, i * channels + c);
  return out;
}

/** Every file under `root` (relative path -> bytes). */
export function snapshot(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return out;
}
