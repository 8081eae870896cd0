/**
 * How busy the machine is, for benchmark records: the date, the load average, and the CPU that processes
 * outside the benchmark's own process tree used during a short sample. A wall-time ratio means little
 * without it (the 2-core build machines are shared), so every figure in bench/README.md carries one.
 * Internal to the benchmarks; not part of the public API.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface MachineState {
  /** ISO date of the sample. */
  readonly date: string;
  /** 1, 5 and 15 minute load averages. */
  readonly load: readonly [number, number, number];
  readonly cores: number;
  /**
   * CPU seconds per second used outside this process tree during the sample (0 = idle): the machine's busy time
   * (/proc/stat user + nice + system) less this tree's own (its processes and the children they reaped), so
   * processes that start and end inside the sample count too.
   */
  readonly othersCpu: number;
  /** Every process outside this tree that ran during the sample and was alive at both ends, busiest first. */
  readonly others: readonly { readonly pid: number; readonly command: string; readonly cpu: number }[];
  /** The busiest of `others`, at most 3 (for one line of output). */
  readonly busiest: readonly { readonly command: string; readonly cpu: number }[];
  /** Quiet: others used under a tenth of one core during the sample. */
  readonly quiet: boolean;
}

interface ProcTimes {
  readonly ppid: number;
  /** utime + stime */
  readonly ticks: number;
  /** cutime + cstime: reaped children's time */
  readonly childTicks: number;
  readonly command: string;
}

/** user + nice + system ticks of all CPUs (the first line of /proc/stat). */
function busyTicks(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0);
}

function readProcs(): Map<number, ProcTimes> {
  const out = new Map<number, ProcTimes>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended between the listing and the read
    }
    // The command sits in parentheses and may itself contain spaces or parentheses: split after the last ')'.
    const close = stat.lastIndexOf(')');
    const command = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    const childTicks = Number(fields[13]) + Number(fields[14]);
    if (Number.isFinite(ppid) && Number.isFinite(ticks) && Number.isFinite(childTicks)) out.set(Number(entry), { ppid, ticks, childTicks, command });
  }
  return out;
}

/** Pids of this process and its descendants (the benchmark's peers), and of its ancestors (they wait on it). */
function ownTree(procs: ReadonlyMap<number, ProcTimes>): { tree: Set<number>; ancestors: Set<number> } {
  const tree = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, t] of procs) {
      if (!tree.has(pid) && tree.has(t.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  const ancestors = new Set<number>();
  for (let p = procs.get(process.pid)?.ppid ?? 1; p > 1 && !ancestors.has(p); p = procs.get(p)?.ppid ?? 1) ancestors.add(p);
  return { tree, ancestors };
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Sample the machine for `sampleMs` (default 1 s; blocks this thread, which a benchmark between phases may). */
export function machineState(sampleMs = 1000): MachineState {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const seconds = sampleMs / 1000;
  const before = readProcs();
  const busyBefore = busyTicks();
  sleep(sampleMs);
  const busyAfter = busyTicks();
  const after = readProcs();
  const { tree, ancestors } = ownTree(after);
  const others: { pid: number; command: string; cpu: number }[] = [];
  let ownTicks = 0;
  for (const [pid, t] of after) {
    const b = before.get(pid);
    if (tree.has(pid)) {
      // with the children it reaped (our peers that ended); one that started during the sample counts from zero
      ownTicks += t.ticks + t.childTicks - (b === undefined ? 0 : b.ticks + b.childTicks);
      continue;
    }
    if (ancestors.has(pid)) {
      // an ancestor's own time only: the children it reaps may be other jobs
      ownTicks += t.ticks - (b === undefined ? 0 : b.ticks);
      continue;
    }
    if (b === undefined) continue;
    const cpu = (t.ticks - b.ticks) / ticksPerSecond / seconds;
    if (cpu > 0) others.push({ pid, command: t.command, cpu: Math.round(cpu * 100) / 100 });
  }
  others.sort((a, b) => b.cpu - a.cpu);
  // ticks are sampled per process and per machine at slightly different moments: never below zero
  const othersCpu = Math.max(0, (busyAfter - busyBefore - ownTicks) / ticksPerSecond / seconds);
  const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
  return {
    date: new Date().toISOString(),
    load: [l1, l5, l15],
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    othersCpu: Math.round(othersCpu * 100) / 100,
    others,
    busiest: others.slice(0, 3).map((p) => ({ command: p.command, cpu: p.cpu })),
    quiet: othersCpu < 0.1,
  };
}

/** One line for a benchmark's output: date, load, and what else ran. */
export function describeMachineState(s: MachineState): string {
  const named = s.busiest.length > 0 ? ` (${s.busiest.map((p) => `${p.command} ${p.cpu}`).join(', ')})` : '';
  const others = s.othersCpu < 0.005 && named === '' ? 'nothing else running' : `others ${s.othersCpu.toFixed(2)} cores${named}`;
  return `${s.date.slice(0, 16).replace('T', ' ')} UTC, load ${s.load.map((v) => v.toFixed(2)).join(' ')} on ${s.cores} cores, ${others}${s.quiet ? ', quiet' : ', NOT quiet'}`;
}
