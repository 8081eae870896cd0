/**
 * An exclusive lock on a folder for the length of a job (an extraction writing a feature store): a file
 * `.layerwise.lock` holding the owner's pid, host and start time, created atomically (written to a temporary
 * name, then hard-linked into place, which fails when a lock exists). A second job is refused with the
 * owner's details. A lock whose owner process is gone (same host, pid not running: a kill -9, a crash) is
 * stale and taken over; a lock from another host cannot be checked and is refused with a hint.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorCode } from './describeError';

/** The lock file's name inside the locked folder. */
export const LOCK_FILE = '.layerwise.lock';

/** What a lock file records. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  /** What holds the lock (e.g. 'extract'). */
  readonly job: string;
}

/** A held lock; `release()` removes it (only if it is still this holder's). */
export interface DirLock {
  readonly file: string;
  readonly owner: LockOwner;
  release(): void;
}

function readOwner(file: string): LockOwner | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return null;
    throw e;
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && 'pid' in v && 'host' in v && 'started' in v) {
      const { pid, host, started } = v;
      const job = 'job' in v && typeof v.job === 'string' ? v.job : 'a job';
      if (typeof pid === 'number' && typeof host === 'string' && typeof started === 'string') return { pid, host, started, job };
    }
  } catch {
    // fall through: an unreadable lock is reported as such below
  }
  return { pid: -1, host: '?', started: '?', job: `unreadable lock (${JSON.stringify(text.slice(0, 80))})` };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(e) === 'EPERM';
  }
}

function same(a: LockOwner, b: LockOwner): boolean {
  return a.pid === b.pid && a.host === b.host && a.started === b.started;
}

/** Take the lock on `dir` for `job`, or throw naming the current owner. */
export function lockDirectory(dir: string, job: string): DirLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), job };
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(owner)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(tmp, file);
        return {
          file,
          owner,
          release: () => {
            const now = readOwner(file);
            if (now !== null && same(now, owner)) fs.rmSync(file, { force: true });
          },
        };
      } catch (e) {
        if (errorCode(e) !== 'EEXIST') throw new Error(`${dir}: cannot create the lock ${file} (${String(errorCode(e) ?? e)})`);
      }
      const held = readOwner(file);
      if (held === null) continue; // released between our link and our read: try again
      const by = `${held.job}, pid ${held.pid} on ${held.host}, since ${held.started}`;
      if (held.host !== owner.host) {
        throw new Error(`${dir} is locked by ${by}; another machine's process cannot be checked from here: if it is not running, delete ${file}`);
      }
      if (alive(held.pid)) throw new Error(`${dir} is in use by ${by}; wait for it to finish or use another output directory`);
      // Stale: move it aside under a name of our own, and take over only if what we moved is the stale lock.
      const aside = `${file}.stale.${process.pid}.${attempt}`;
      try {
        fs.renameSync(file, aside);
      } catch (e) {
        if (errorCode(e) === 'ENOENT') continue;
        throw e;
      }
      const moved = readOwner(aside);
      if (moved !== null && same(moved, held)) {
        fs.rmSync(aside, { force: true });
        continue;
      }
      // Someone else took over first: put their lock back and report them.
      try {
        fs.linkSync(aside, file);
      } finally {
        fs.rmSync(aside, { force: true });
      }
      const winner = moved ?? held;
      throw new Error(`${dir} is in use by ${winner.job}, pid ${winner.pid} on ${winner.host}, since ${winner.started}`);
    }
    throw new Error(`${dir}: could not take the lock ${file} after 3 attempts`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
