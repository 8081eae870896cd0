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
    const names = s.busiest.map((p) => p.command);
    expect(names).toContain('lwother');
    expect(names).not.toContain('lwown');
    expect(s.othersCpu).toBeGreaterThan(0.5);
    expect(s.quiet).toBe(false);
    expect(s.load).toHaveLength(3);
    expect(describeMachineState(s)).toMatch(/load [\d.]+ [\d.]+ [\d.]+ on \d+ cores, others [\d.]+ cores \(.*lwother.*\), NOT quiet$/);
  } finally {
    process.kill(orphanPid, 'SIGKILL');
    child.kill('SIGKILL');
  }
});
