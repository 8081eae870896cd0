/**
 * What the TypeScript benchmark scripts share for their records: the machine's state at the start, and at
 * the end the summary `bench/run-all` gathers (bench/out/<name>/summary.json, with the end state).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeBenchSummary, type BenchRow } from '../src/util/benchSummary';
import { describeMachineState, machineState, type MachineState } from '../src/util/machineState';

/** The repository root: the nearest folder above the running script that holds package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** Sample the machine before a benchmark starts (and say so on stderr). */
export function benchStart(name: string): MachineState {
  const s = machineState();
  console.error(`bench ${name}: ${describeMachineState(s)}`);
  return s;
}

/**
 * Sample the machine again and write the benchmark's summary rows with both states. `command` is how the
 * benchmark is usually run; when this run had arguments of its own, the command recorded is this run's.
 */
export function benchFinish(name: string, command: string, start: MachineState, rows: readonly BenchRow[]): MachineState {
  const end = machineState();
  const args = process.argv.slice(2);
  const ran = args.length === 0 ? command : `node ${path.relative(repoRoot(), process.argv[1] ?? '')} ${args.join(' ')}`;
  writeBenchSummary(path.join(repoRoot(), 'bench', 'out', name), { bench: name, command: ran, start, end, rows });
  console.error(`bench ${name}: start ${describeMachineState(start)}\nbench ${name}: end   ${describeMachineState(end)}`);
  return end;
}
