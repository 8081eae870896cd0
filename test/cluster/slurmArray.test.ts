/**
 * The job-array recipe of docs/cluster.md on a real single-node SLURM cluster (Debian's slurm-wlm and munge,
 * configured and started here, stopped at the end): examples/slurm/extract.sbatch as an array of 4 tasks, then
 * examples/slurm/merge.sbatch depending on it; the merged store equals a single `layerwise extract`, byte for byte.
 * Skipped, saying why, only where SLURM is not installed and cannot be (no apt-get); on Debian a missing SLURM fails.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeWav } from '../../src/data/audio/encodeWav';
import { SLURM_PROGRAMS, startSlurmCluster, type SlurmCluster } from './slurmCluster';

const REPO = path.resolve(__dirname, '..', '..');
const missing = SLURM_PROGRAMS.filter((p) => !fs.existsSync(p));
const installable = fs.existsSync('/usr/bin/apt-get');
const describeCluster = missing.length > 0 && !installable ? describe.skip : describe;
if (missing.length > 0 && !installable) {
  process.stderr.write(`SKIPPED: the SLURM cluster test needs ${missing.join(', ')}, which this machine lacks and cannot install (no apt-get)\n`);
}

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]))
    .sort();
}

describeCluster('a SLURM job array of layerwise extract, then layerwise merge', () => {
  let tmp: string;
  let cluster: SlurmCluster | undefined;
  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`SLURM is not installed (${missing.join(', ')}); run 'bash environment/setup.sh --dev', which installs slurm-wlm and munge`);
    if (!fs.existsSync(path.join(REPO, 'dist', 'cli.js'))) throw new Error("dist/ is missing; run 'npm run build' first");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-slurm-'));
    cluster = await startSlurmCluster(path.join(tmp, 'cluster'));
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('4 array tasks and a dependent merge give the single-process store', async () => {
    if (cluster === undefined) throw new Error('no cluster');
    const data = path.join(tmp, 'data');
    fs.mkdirSync(data);
    const rows = ['id,path,label'];
    for (let i = 0; i < 16; i++) {
      const n = 4000 + ((i * 37) % 9) * 1600;
      const x = new Float32Array(n).map((_, t) => 0.3 * Math.sin((2 * Math.PI * (180 + 15 * i) * t) / 16000));
      fs.writeFileSync(path.join(data, `u${i}.wav`), encodeWav(x, 16000));
      rows.push(`u${i},u${i}.wav,w${i % 4}`);
    }
    const manifest = path.join(data, 'manifest.csv');
    fs.writeFileSync(manifest, `${rows.join('\n')}\n`);
    const cli = `${process.execPath} ${path.join(REPO, 'dist', 'cli.js')}`;
    const args = '--pooling frames --layers 0,3 --shard-items 3';
    const out = path.join(tmp, 'out');
    const env = { LAYERWISE: cli, LAYERWISE_MODEL: 'demo:wav2vec2-tiny-random', LAYERWISE_DATA: manifest, LAYERWISE_OUT: out, LAYERWISE_EXTRACT_ARGS: args };
    // through the environment (sbatch --export=ALL), as the recipe does: --export=K=V cannot carry values with commas
    Object.assign(cluster.env, env);
    const jobs = path.join(tmp, 'jobs');
    fs.mkdirSync(jobs);
    const array = cluster.submit(['--array=0-3', '--export=ALL', path.join(REPO, 'examples', 'slurm', 'extract.sbatch')], jobs);
    const merge = cluster.submit([`--dependency=afterok:${array}`, '--export=ALL', path.join(REPO, 'examples', 'slurm', 'merge.sbatch')], jobs);
    const states = await cluster.wait([array, merge], 300_000);
    const logs = fs.readdirSync(jobs).map((f) => `${f}:\n${fs.readFileSync(path.join(jobs, f), 'utf8').slice(-1500)}`).join('\n');
    expect({ states: [...states.values()].every((s) => s === 'COMPLETED'), count: states.size, logs: [...states.values()].every((s) => s === 'COMPLETED') ? '' : logs }).toEqual({ states: true, count: 5, logs: '' });
    expect(fs.readdirSync(out).sort()).toEqual(['merged', 'shard-0', 'shard-1', 'shard-2', 'shard-3']);

    // the tasks ran with --threads 1 (SLURM_CPUS_PER_TASK): onnxruntime's threaded reductions round by thread count
    const single = path.join(tmp, 'single');
    const singleArgs = ['extract', '--model', 'demo:wav2vec2-tiny-random', '--data', manifest, '--out', single, '--threads', '1', '--no-progress', ...args.split(' ')];
    execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...singleArgs], { stdio: 'pipe' });
    const merged = path.join(out, 'merged');
    expect(files(merged)).toEqual(files(single));
    for (const f of files(single)) expect({ f, same: fs.readFileSync(path.join(single, f)).equals(fs.readFileSync(path.join(merged, f))) }).toEqual({ f, same: true });
  }, 600_000);
});
