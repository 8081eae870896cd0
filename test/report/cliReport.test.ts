import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, usage } from '../../src/cli/report';

function capture(): { out: string[]; err: string[]; restore: () => void } {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  return { out, err, restore: () => { o.mockRestore(); e.mockRestore(); } };
}

describe('layerwise report (argument handling)', () => {
  it('prints usage for --help and rejects a missing notebook or unknown options', async () => {
    const c = capture();
    try {
      expect(await run(['--help'])).toBe(0);
      expect(c.out.join('')).toContain('layerwise report <notebook.ipynb> [--param key=value]');
      expect(await run([])).toBe(2);
      expect(await run(['a.ipynb', '--bogus'])).toBe(2);
      expect(c.err.join('')).toContain('unknown option --bogus');
    } finally {
      c.restore();
    }
    expect(usage).toContain('--out DIR');
  });

  it('fails before starting Jupyter on bad parameters, naming them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-cli-report-'));
    const nb = path.join(dir, 'n.ipynb');
    fs.writeFileSync(nb, JSON.stringify({ cells: [{ cell_type: 'code', source: 'let n = 1;', metadata: { tags: ['parameters'] }, outputs: [], execution_count: null }], metadata: {}, nbformat: 4, nbformat_minor: 4 }));
    const c = capture();
    try {
      const out = path.join(dir, 'out');
      expect(await run([nb, '--param', 'n=1', '--param', 'n=2', '--out', out])).toBe(1);
      expect(await run([nb, '--param', 'm=1', '--out', out])).toBe(1);
      expect(await run([nb, '--timeout', 'soon', '--out', out])).toBe(1);
      expect(await run([nb, '--out', dir])).toBe(1);
      expect(await run([path.join(dir, 'missing.ipynb')])).toBe(1);
      const err = c.err.join('');
      expect(err).toContain('--param n is given twice');
      expect(err).toContain("parameter 'm' is not declared in the parameters cell (it declares: n)");
      expect(err).toContain("--timeout must be a positive number of seconds, got 'soon'");
      expect(err).toContain('missing.ipynb: no such notebook');
      expect(err).toContain('the output directory holds the notebook itself');
    } finally {
      c.restore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
