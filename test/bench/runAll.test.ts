import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeBenchSummary } from '../../src/util/benchSummary';
import type { MachineState } from '../../src/util/machineState';

const runAll = path.join(__dirname, '..', '..', 'bench', 'run-all');
const BEGIN = '<!-- bench/run-all: summary table (generated; edit bench/run-all, not this table) -->';
const END = '<!-- bench/run-all: end of summary table -->';

const folder = (out: string, name: string): string => {
  const d = path.join(out, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
};

const state = (date: string, load: number, othersCpu: number): MachineState => ({
  date,
  load: [load, load, load],
  cores: 2,
  othersCpu,
  others: othersCpu > 0 ? [{ pid: 4242, command: 'cc1plus', cpu: othersCpu }] : [],
  busiest: othersCpu > 0 ? [{ command: 'cc1plus', cpu: othersCpu }] : [],
  quiet: othersCpu < 0.1,
});

test('bench/run-all --table rewrites only the summary block, from every summary.json, in benchmark order', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-all-'));
  try {
    const out = path.join(dir, 'out');
    writeBenchSummary(folder(out, 'sae'), {
      bench: 'sae',
      command: 'npm run bench:sae',
      start: state('2026-12-04T05:01:02.000Z', 0.4, 0),
      end: state('2026-12-04T05:09:00.000Z', 2.1, 1.3),
      rows: [
        { task: 'SAE step', against: 'PyTorch', ratio: 1.984, better: 'higher', target: 1.5 },
        { task: 'SAE step', against: 'MatMul peak', ratio: 0.7712, better: 'higher', target: 0.9 },
      ],
    });
    writeBenchSummary(folder(out, 'similarity'), {
      bench: 'similarity',
      command: 'npm run bench:kernels:similarity',
      start: state('2026-12-04T04:00:00.000Z', 1.0, 0),
      end: state('2026-12-04T04:03:00.000Z', 1.6, 0.02),
      rows: [
        { task: 'CKA', against: 'GEMM bound', ratio: 1.108, better: 'lower', target: 1.15 },
        { task: 'peak', against: 'RSS', ratio: 0.0523, unit: 'GiB', better: 'lower' },
      ],
    });
    // a later failed run of sae keeps its summary, marked as kept
    fs.mkdirSync(path.join(out, 'run-all'));
    fs.writeFileSync(
      path.join(out, 'run-all', 'status.json'),
      JSON.stringify({ sae: { ok: false, date: '2026-12-05T10:00:00.000Z', end: '2026-12-05T10:09:00.000Z', matmul: 171.2 }, similarity: { ok: true, date: '2026-12-04T03:59:58.000Z', end: '2026-12-04T04:03:01.000Z', matmul: 384.6 } }),
    );
    const readme = path.join(dir, 'README.md');
    // the old table's rows: words has no summary here, so its rows stay (widened by the machine column); the
    // rest of the old table goes
    const oldRows = ['| words | cross-model CKA | NumPy | 0.44 | <= 1.00 | yes | 2026-12-04 04:17 | 1.8 / 2.0 | yes |', '| similarity | CKA | GEMM bound | 9.99 | <= 1.15 | **no** | 2026-11-01 00:00 | 1.0 / 1.0 | yes |'];
    fs.writeFileSync(readme, `# Benchmarks\n\nintro\n\n${BEGIN}\nold table\n${oldRows.join('\n')}\n${END}\n\n## after\n`);
    const r = spawnSync(process.execPath, [runAll, '--table', '--out', out, '--readme', readme], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/summary table rewritten/);
    expect(r.status).toBe(0);
    const text = fs.readFileSync(readme, 'utf8');
    expect(text.startsWith(`# Benchmarks\n\nintro\n\n${BEGIN}\n| benchmark |`)).toBe(true);
    expect(text.endsWith(`${END}\n\n## after\n`)).toBe(true);
    expect(text).not.toMatch(/old table/);
    const rows = text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| benchmark') && !l.startsWith('| ---'));
    // similarity comes before sae in the benchmark order, whatever order the files were written in
    // similarity's summary was written during its step, so the step's probe is its machine
    expect(rows[0]).toBe('| similarity | CKA | GEMM bound | 1.11 | <= 1.15 | yes | 2026-12-04 04:00 | 1.0 / 1.6 | yes | 385 |');
    expect(rows[1]).toBe('| similarity | peak | RSS | 0.052 GiB | - | - | 2026-12-04 04:00 | 1.0 / 1.6 | yes | 385 |');
    expect(rows[2]).toBe('| words | cross-model CKA | NumPy | 0.44 | <= 1.00 | yes | 2026-12-04 04:17 | 1.8 / 2.0 | yes | not probed |');
    expect(rows.filter((r) => r.includes('9.99'))).toEqual([]);
    // the failed run's probe is not this summary's machine
    expect(rows).toContain('| sae | SAE step | PyTorch | 1.98 | >= 1.50 | yes | 2026-12-04 05:01 (kept: the run of 2026-12-05 10:00 failed) | 0.4 / 2.1 | no (others 1.3 cores) | not probed |');
    expect(rows).toContain('| sae | SAE step | MatMul peak | 0.77 | >= 0.90 | **no** | 2026-12-04 05:01 (kept: the run of 2026-12-05 10:00 failed) | 0.4 / 2.1 | no (others 1.3 cores) | not probed |');
    expect(rows).toContain('| convexity | not yet run by bench/run-all | | | | | | | | |');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('bench/run-all refuses a README without the summary block and an unknown benchmark name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-all-'));
  try {
    const readme = path.join(dir, 'README.md');
    fs.writeFileSync(readme, '# no block\n');
    const r = spawnSync(process.execPath, [runAll, '--table', '--out', dir, '--readme', readme], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/README.md has no summary block/);
    const u = spawnSync(process.execPath, [runAll, '--only', 'nosuch', '--readme', readme], { encoding: 'utf8' });
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/no benchmark 'nosuch'; there are similarity, words, kernels/);
    const o = spawnSync(process.execPath, [runAll, '--only', 'sae', '--out', dir, '--readme', readme], { encoding: 'utf8' });
    expect(o.status).toBe(1);
    expect(o.stderr).toMatch(/--out works with --table only/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
