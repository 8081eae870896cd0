import { spawn, spawnSync } from 'node:child_process';
import { describeMachineState, machineState } from '../../src/util/machineState';

// A busy loop under a recognisable process name (node sets /proc/PID/comm from process.title).
const busy = (title: string): string => `process.title = '${title}'; for (;;) {}`;

test('machineState counts a busy process outside this process tree and not one of its own children', () => {
  // The outer shell exits at once, so the first loop is re-parented away from this process (as another
  // user's job would be); the second stays our child (as a benchmark's peer does).
  const orphan = spawnSync('sh', ['-c', `"${process.execPath}" -e "${busy('lwother')}" >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' });
  const orphanPid = Number(orphan.stdout.trim());
  const child = spawn(process.execPath, ['-e', busy('lwown')], { stdio: 'ignore' });
  try {
    expect(Number.isInteger(orphanPid) && orphanPid > 1).toBe(true);
    // Let both start and rename themselves before sampling.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    const s = machineState(1000);
    // by pid, not among the busiest few: other jest workers may be busier on a loaded machine
    const pids = s.others.map((p) => p.pid);
    expect(pids).toContain(orphanPid);
    expect(pids).not.toContain(child.pid);
    expect(s.others.find((p) => p.pid === orphanPid)?.command).toBe('lwother');
    expect(s.othersCpu).toBeGreaterThan(0.5);
    expect(s.quiet).toBe(false);
    expect(s.load).toHaveLength(3);
    expect(describeMachineState(s)).toMatch(/load [\d.]+ [\d.]+ [\d.]+ on \d+ cores, others [\d.]+ cores.*, NOT quiet$/);
  } finally {
    process.kill(orphanPid, 'SIGKILL');
    child.kill('SIGKILL');
  }
});

test('machineState counts a process outside this tree that starts and ends inside the sample', () => {
  // detached from this tree at once; busy for 0.6 s starting 0.2 s into a 1.2 s sample
  const script = `setTimeout(() => { const end = Date.now() + 600; while (Date.now() < end) {} }, 200)`;
  spawnSync('sh', ['-c', `"${process.execPath}" -e "${script}" >/dev/null 2>&1 &`]);
  const s = machineState(1200);
  expect(s.othersCpu).toBeGreaterThan(0.3);
  expect(s.quiet).toBe(false);
});
