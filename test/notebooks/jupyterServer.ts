/**
 * A real Jupyter Notebook server (Debian's `jupyter-notebook`) for browser tests: bound to 127.0.0.1 on a free
 * port with a random token, serving one folder, with its own data, config and runtime directories so that
 * nothing of the user's Jupyter setup is read or written. `stop()` shuts every kernel down through the REST API,
 * then stops the server's process group, and reports any kernel process that outlived it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface JupyterServer {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  readonly token: string;
  /** The served folder. */
  readonly root: string;
  /** The server's log (stdout and stderr). */
  readonly logFile: string;
  /** The page of a notebook, by its path under `root`, with the token. */
  notebookUrl(relativePath: string): string;
  /** Ids of the running kernels. */
  kernels(): Promise<string[]>;
  /** Shut down kernels and server; resolves with the pids of kernel processes still alive afterwards. */
  stop(): Promise<number[]>;
}

export interface StartJupyterServerOptions {
  /** Folder to serve (the notebooks' tree). */
  root: string;
  /** Folder for the server's own Jupyter data/config/runtime directories and its log. */
  stateDir: string;
  /** JUPYTER_DATA_DIR holding the kernelspecs (default `<stateDir>/data`). */
  dataDir?: string;
  /** Seconds to wait for the server to answer (default 60). */
  startupSeconds?: number;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Pids of processes whose command line mentions `needle` (kernels carry their connection file's path). */
function processesMentioning(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', needle], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

export async function startJupyterServer(opts: StartJupyterServerOptions): Promise<JupyterServer> {
  const { root, stateDir } = opts;
  const dataDir = opts.dataDir ?? path.join(stateDir, 'data');
  const runtimeDir = path.join(stateDir, 'runtime');
  for (const d of [dataDir, runtimeDir, path.join(stateDir, 'config')]) fs.mkdirSync(d, { recursive: true });
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const logFile = path.join(stateDir, 'server.log');
  const log = fs.openSync(logFile, 'w');
  const args = [
    'notebook',
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--port-retries=0',
    `--NotebookApp.token=${token}`,
    `--notebook-dir=${root}`,
    // containers run the tests as root; the server refuses that without the flag
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ];
  const child = spawn('jupyter', args, {
    cwd: root,
    env: {
      ...process.env,
      JUPYTER_DATA_DIR: dataDir,
      JUPYTER_CONFIG_DIR: path.join(stateDir, 'config'),
      JUPYTER_RUNTIME_DIR: runtimeDir,
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
    },
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const logTail = (): string => fs.readFileSync(logFile, 'utf8').slice(-3000);

  const api = async (route: string, init?: RequestInit): Promise<Response> =>
    fetch(`${base}${route}`, { ...init, headers: { Authorization: `token ${token}` } });

  const deadline = Date.now() + 1000 * (opts.startupSeconds ?? 60);
  for (;;) {
    if (spawnError !== undefined) throw new Error(`could not start 'jupyter notebook' (Debian's jupyter-notebook package): ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`'jupyter notebook' exited with code ${child.exitCode}:\n${logTail()}`);
    try {
      const res = await api('/api/status');
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      throw new Error(`the Jupyter server did not answer on ${base} within ${opts.startupSeconds ?? 60} s:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  const kernels = async (): Promise<string[]> => {
    const res = await api('/api/kernels');
    if (!res.ok) throw new Error(`GET /api/kernels: HTTP ${res.status}`);
    const list: unknown = await res.json();
    return Array.isArray(list) ? list.map((k: unknown) => (typeof k === 'object' && k !== null && 'id' in k ? String(k.id) : '')) : [];
  };

  let stopped: Promise<number[]> | undefined;
  const stop = (): Promise<number[]> => {
    stopped ??= (async () => {
      try {
        for (const id of await kernels()) await api(`/api/kernels/${id}`, { method: 'DELETE' });
      } catch {
        // the server may already be gone; the signal below and the process check still run
      }
      if (child.pid !== undefined && child.exitCode === null) {
        process.kill(-child.pid, 'SIGTERM');
        if (!(await exited(child, 15000))) process.kill(-child.pid, 'SIGKILL');
        await exited(child, 5000);
      }
      return processesMentioning(runtimeDir);
    })();
    return stopped;
  };

  return {
    base,
    token,
    root,
    logFile,
    notebookUrl: (relativePath) => `${base}/notebooks/${relativePath.split('/').map(encodeURIComponent).join('/')}?token=${token}`,
    kernels,
    stop,
  };
}
