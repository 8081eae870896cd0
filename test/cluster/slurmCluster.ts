/**
 * A real single-node SLURM cluster for a test, in a temporary folder: its own munge key and socket, a slurm.conf
 * on free ports (linuxproc process tracking, no cgroups, no accounting), slurmctld and slurmd in the foreground of
 * a detached process group. `stop()` shuts both down and stops munged, also after a failure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../notebooks/jupyterServer';

export const SLURM_PROGRAMS = ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged', '/usr/sbin/mungekey', '/usr/bin/sbatch', '/usr/bin/scontrol'];

export interface SlurmCluster {
  /** Environment for sbatch/squeue/scontrol (SLURM_CONF). */
  readonly env: NodeJS.ProcessEnv;
  /** `sbatch --parsable ARGS...`: the job id. */
  submit(args: readonly string[], cwd: string): string;
  /** Wait until the jobs left the queue; their final states (COMPLETED, FAILED, ...), by job id (array tasks each). */
  wait(jobIds: readonly string[], timeoutMs: number): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startSlurmCluster(dir: string): Promise<SlurmCluster> {
  for (const d of ['state', 'spool', 'log']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const key = path.join(dir, 'munge.key');
  const socket = path.join(dir, 'munge.socket');
  execFileSync('/usr/sbin/mungekey', ['-c', '-k', key]);
  execFileSync('/usr/sbin/munged', ['--force', `--socket=${socket}`, `--key-file=${key}`, `--log-file=${path.join(dir, 'log', 'munged.log')}`, `--pid-file=${path.join(dir, 'munged.pid')}`, `--seed-file=${path.join(dir, 'munged.seed')}`]);
  const host = execFileSync('hostname', ['-s']).toString().trim();
  const memMiB = Math.max(1024, Math.floor(os.totalmem() / 2 ** 20) - 2048);
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'slurm.conf');
  fs.writeFileSync(
    conf,
    [
      'ClusterName=layerwise-test',
      `SlurmctldHost=${host}`,
      `SlurmUser=${os.userInfo().username}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      `StateSaveLocation=${path.join(dir, 'state')}`,
      `SlurmdSpoolDir=${path.join(dir, 'spool')}`,
      `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${path.join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${path.join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${path.join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'MpiDefault=none',
      'ReturnToService=2',
      // keep finished jobs visible to scontrol long enough to read their state
      'MinJobAge=600',
      `NodeName=${host} CPUs=${os.cpus().length} RealMemory=${memMiB} State=UNKNOWN`,
      'PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const daemons: ChildProcess[] = [];
  for (const d of ['slurmctld', 'slurmd']) {
    const child = spawn(`/usr/sbin/${d}`, ['-D', '-f', conf], { env, detached: true, stdio: ['ignore', fs.openSync(path.join(dir, 'log', `${d}.out`), 'a'), fs.openSync(path.join(dir, 'log', `${d}.err`), 'a')] });
    daemons.push(child);
  }
  const stop = async (): Promise<void> => {
    try {
      execFileSync('scontrol', ['shutdown'], { env, stdio: 'ignore', timeout: 20_000 });
    } catch {
      // the daemons may not have come up; they are killed below either way
    }
    for (const child of daemons) {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    await sleep(500);
    try {
      execFileSync('/usr/sbin/munged', ['--stop', `--socket=${socket}`], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // munged already stopped
    }
  };
  // up when the node is idle
  const deadline = Date.now() + 60_000;
  for (;;) {
    let state = '';
    try {
      state = execFileSync('sinfo', ['-h', '-o', '%T'], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      state = '';
    }
    if (state === 'idle') break;
    if (Date.now() > deadline) {
      await stop();
      const logs = ['slurmctld.log', 'slurmd.log'].map((f) => path.join(dir, 'log', f)).filter((f) => fs.existsSync(f)).map((f) => `${f}:\n${fs.readFileSync(f, 'utf8').slice(-2000)}`);
      throw new Error(`SLURM did not come up within 60 s (node state '${state}')\n${logs.join('\n')}`);
    }
    await sleep(500);
  }
  return {
    env,
    submit: (args, cwd) => execFileSync('sbatch', ['--parsable', ...args], { env, cwd }).toString().trim().split(';')[0] ?? '',
    wait: async (jobIds, timeoutMs) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const queued = execFileSync('squeue', ['-h', '-o', '%i', '-j', jobIds.join(',')], { env }).toString().trim();
        if (queued === '') break;
        if (Date.now() > end) throw new Error(`jobs ${jobIds.join(', ')} still queued after ${timeoutMs / 1000} s:\n${queued}`);
        await sleep(1000);
      }
      const states = new Map<string, string>();
      for (const id of jobIds) {
        const text = execFileSync('scontrol', ['show', 'job', '-o', id], { env }).toString();
        for (const line of text.trim().split('\n')) {
          const jid = /JobId=(\d+)/.exec(line)?.[1] ?? '';
          const task = /ArrayTaskId=(\d+)/.exec(line)?.[1];
          states.set(task === undefined ? jid : `${id}_${task}`, /JobState=(\S+)/.exec(line)?.[1] ?? 'UNKNOWN');
        }
      }
      return states;
    },
    stop,
  };
}
