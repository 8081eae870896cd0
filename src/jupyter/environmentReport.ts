/**
 * What the environment-check notebook and `layerwise doctor` print: which runtime pieces work here.
 * Each check runs the real thing (a graph through onnxruntime, the external programs' --version), so a
 * green report means the analysis notebooks can run, not just that files exist.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GraphBuilder, ints } from '../onnx/GraphBuilder';
import { Session, tensor, defaultThreads } from '../backend/ort';
import { packageRoot } from '../util/packagePaths';
import { errorMessage } from '../util/describeError';

/** One environment check: what was checked, whether it passed, and the detail. */
export interface EnvironmentCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** The environment check of notebook 00: every check with its outcome. */
export interface EnvironmentReport {
  layerwiseVersion: string;
  node: string;
  platform: string;
  threads: number;
  checks: EnvironmentCheck[];
  ok: boolean;
}

function programVersion(program: string, args: readonly string[]): EnvironmentCheck {
  const r = spawnSync(program, [...args], { encoding: 'utf8', timeout: 20000 });
  if (r.error !== undefined || r.status !== 0) {
    const why = r.error !== undefined ? r.error.message : `exit ${r.status}`;
    return { name: program, ok: false, detail: `not usable (${why})` };
  }
  const first = `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
  return { name: program, ok: true, detail: first };
}

async function onnxruntimeCheck(): Promise<EnvironmentCheck> {
  try {
    const g = new GraphBuilder('env-check');
    const x = g.input('X', 'float32', [2, 2]);
    g.output(g.op('MatMul', [x, g.op('Transpose', [x], { perm: ints([1, 0]) })]), 'G', 'float32', [2, 2]);
    const s = await Session.create(g.toBytes(), { threads: 1 });
    const out = await s.run({ X: tensor('float32', Float32Array.of(1, 2, 3, 4), [2, 2]) });
    await s.release();
    const g2 = out['G'];
    const got = g2 === undefined ? [] : Array.from(g2.data as Float32Array);
    const ok = got.join(',') === '5,11,11,25';
    return { name: 'onnxruntime-node', ok, detail: ok ? 'ran a MatMul graph: [[5,11],[11,25]] as expected' : `wrong result ${got.join(',')}` };
  } catch (e) {
    return { name: 'onnxruntime-node', ok: false, detail: errorMessage(e) };
  }
}

/** Run every check. `python` is the interpreter with Jupyter (default Debian's /usr/bin/python3 when present). */
export async function environmentReport(opts: { python?: string } = {}): Promise<EnvironmentReport> {
  const root = packageRoot();
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const python = opts.python ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const checks: EnvironmentCheck[] = [
    await onnxruntimeCheck(),
    programVersion('espeak-ng', ['--version']),
    programVersion('sox', ['--version']),
    programVersion(python, ['-c', 'import nbconvert, nbclient; print("nbconvert", nbconvert.__version__, "nbclient", nbclient.__version__)']),
  ];
  return {
    layerwiseVersion: pkg.version,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    threads: defaultThreads(),
    checks,
    ok: checks.every((c) => c.ok),
  };
}
