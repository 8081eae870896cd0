/**
 * The headline figures of one benchmark run, written as `bench/out/<bench>/summary.json` so that
 * `bench/run-all` can gather every benchmark into the one summary table of bench/README.md. Each row is a
 * ratio ours / peer (or ours / bound) with the target it is held to. Internal to the benchmarks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './writeFileAtomic';
import type { MachineState } from './machineState';

export interface BenchRow {
  /** What was measured, with its size ("linear CKA layer matrix, 13 x 10,000 x 768"). */
  readonly task: string;
  /** What the ratio is taken against ("NumPy, per-layer work once", "GEMM bound of the same run"). */
  readonly against: string;
  /** Ours / theirs; below 1 is faster for times, above 1 for rates (see `better`); or a value in `unit`. */
  readonly ratio: number;
  /** The unit of `ratio` when it is not a ratio (e.g. 'GiB' for a peak memory); default 'x'. */
  readonly unit?: string;
  /** Whether a lower ratio ('lower', times) or a higher one ('higher', rates) is better. */
  readonly better: 'lower' | 'higher';
  /** The goal for the ratio, if the benchmark has one. */
  readonly target?: number;
}

export interface BenchSummary {
  readonly bench: string;
  readonly command: string;
  readonly start: MachineState;
  readonly end: MachineState;
  readonly rows: readonly BenchRow[];
}

/** Whether a row meets its target (undefined when it has none). */
export function meetsTarget(row: BenchRow): boolean | undefined {
  if (row.target === undefined) return undefined;
  return row.better === 'lower' ? row.ratio <= row.target : row.ratio >= row.target;
}

/** Write `<outDir>/summary.json` (atomically: `run-all` never reads half a file). */
export function writeBenchSummary(outDir: string, summary: BenchSummary): string {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'summary.json');
  writeFileAtomic(file, `${JSON.stringify(summary, null, 1)}\n`);
  return file;
}
