/**
 * Run an external program (espeak-ng, flac, sox) and collect its output, turning "not installed" and
 * non-zero exits into errors that name the program, its arguments and what it printed.
 */
import { spawn } from 'node:child_process';

export interface ProgramResult {
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Run `program` with `args` (no shell); resolves when it exits with status 0. */
export function runProgram(program: string, args: readonly string[]): Promise<ProgramResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        new Error(
          e.code === 'ENOENT'
            ? `${program}: not installed (not found on PATH); see environment/README.md`
            : `${program}: cannot start (${e.message})`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolvePromise({ stdout: Buffer.concat(out), stderr });
      else {
        const how = signal !== null ? `was killed by ${signal}` : `exited with status ${code}`;
        reject(new Error(`${program} ${args.join(' ')} ${how}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
      }
    });
  });
}
