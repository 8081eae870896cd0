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
  /** CPU seconds per second used by processes outside this process tree during the sample (0 = idle). */
  readonly othersCpu: number;
  /** The busiest such processes (command, CPU seconds per second), at most 3. */
  readonly busiest: readonly { readonly command: string; readonly cpu: number }[];
  /** Quiet: others used under a tenth of one core during the sample. */
  readonly quiet: boolean;
}

interface ProcTimes {
  readonly ppid: number;
  readonly ticks: number;
  readonly command: string;
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
    if (Number.isFinite(ppid) && Number.isFinite(ticks)) out.set(Number(entry), { ppid, ticks, command });
  }
  return out;
}

/** Pids of this process, its ancestors (they wait on it) and its descendants (the benchmark's peers). */
function ownTree(procs: ReadonlyMap<number, ProcTimes>): Set<number> {
  const own = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, t] of procs) {
      if (!own.has(pid) && own.has(t.ppid)) {
        own.add(pid);
        grew = true;
      }
    }
  }
  for (let p = procs.get(process.pid)?.ppid ?? 1; p > 1 && !own.has(p); p = procs.get(p)?.ppid ?? 1) own.add(p);
  return own;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Sample the machine for `sampleMs` (default 1 s; blocks this thread, which a benchmark between phases may). */
export function machineState(sampleMs = 1000): MachineState {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const before = readProcs();
  sleep(sampleMs);
  const after = readProcs();
  const own = ownTree(after);
  const busy: { command: string; cpu: number }[] = [];
  for (const [pid, t] of after) {
    const b = before.get(pid);
    if (own.has(pid) || b === undefined) continue;
    const cpu = (t.ticks - b.ticks) / ticksPerSecond / (sampleMs / 1000);
    if (cpu > 0) busy.push({ command: t.command, cpu });
  }
  busy.sort((a, b) => b.cpu - a.cpu);
  const othersCpu = busy.reduce((s, p) => s + p.cpu, 0);
  const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
  return {
    date: new Date().toISOString(),
    load: [l1, l5, l15],
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    othersCpu,
    busiest: busy.slice(0, 3).map((p) => ({ command: p.command, cpu: Math.round(p.cpu * 100) / 100 })),
    quiet: othersCpu < 0.1,
  };
}

/** One line for a benchmark's output: date, load, and what else ran. */
export function describeMachineState(s: MachineState): string {
  const others = s.busiest.length === 0 ? 'nothing else running' : `others ${s.othersCpu.toFixed(2)} cores (${s.busiest.map((p) => `${p.command} ${p.cpu}`).join(', ')})`;
  return `${s.date.slice(0, 16).replace('T', ' ')} UTC, load ${s.load.map((v) => v.toFixed(2)).join(' ')} on ${s.cores} cores, ${others}${s.quiet ? ', quiet' : ', NOT quiet'}`;
}
