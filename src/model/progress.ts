/**
 * Progress of a long extraction: a rate/ETA tracker, a terminal bar (cli-progress) and a plain text reporter
 * for notebooks (tslab shows stdout lines but not carriage-return redraws).
 */
import { SingleBar } from 'cli-progress';

/** What an `onProgress` callback receives. */
export interface ProgressInfo {
  /** Items finished, including those taken over from an interrupted earlier run. */
  readonly done: number;
  readonly total: number;
  /** Items per second over the items computed in this run (0 before the first one). */
  readonly rate: number;
  /** Seconds left at the current rate (Infinity while the rate is unknown, 0 when finished). */
  readonly etaSeconds: number;
  /** Items taken over from an earlier run's shards. */
  readonly resumed: number;
  /** Seconds of audio processed per wall second in this run (0 before the first item). */
  readonly audioRate: number;
}

export type ProgressCallback = (info: ProgressInfo) => void;

/** A clock in seconds; injectable so that rates can be tested exactly. */
export type Clock = () => number;

const defaultClock: Clock = () => performance.now() / 1000;

/** Counts finished items and derives rate and ETA from the time since `start()`. */
export class ProgressTracker {
  private computed = 0;
  private audio = 0;
  private readonly t0: number;

  constructor(
    readonly total: number,
    readonly resumed: number,
    private readonly clock: Clock = defaultClock,
  ) {
    if (!(Number.isInteger(total) && total >= 0)) throw new Error(`ProgressTracker: total must be a non-negative integer, got ${total}`);
    if (!(Number.isInteger(resumed) && resumed >= 0 && resumed <= total)) {
      throw new Error(`ProgressTracker: resumed must be an integer in [0, ${total}], got ${resumed}`);
    }
    this.t0 = clock();
  }

  /** Record `items` more finished items holding `audioSeconds` of audio, and return the new state. */
  advance(items: number, audioSeconds = 0): ProgressInfo {
    this.computed += items;
    this.audio += audioSeconds;
    return this.info();
  }

  info(): ProgressInfo {
    const elapsed = this.clock() - this.t0;
    const done = this.resumed + this.computed;
    const rate = this.computed > 0 && elapsed > 0 ? this.computed / elapsed : 0;
    const left = this.total - done;
    const etaSeconds = left <= 0 ? 0 : rate > 0 ? left / rate : Infinity;
    const audioRate = this.computed > 0 && elapsed > 0 ? this.audio / elapsed : 0;
    return { done, total: this.total, rate, etaSeconds, resumed: this.resumed, audioRate };
  }
}

/** `83s` -> `1m23s`; Infinity -> `?`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One line: `label 120/500 (24%) 8.1 items/s 3.2x real time ETA 47s`. */
export function formatProgress(info: ProgressInfo, label = 'extract'): string {
  const pct = info.total > 0 ? Math.floor((100 * info.done) / info.total) : 100;
  const parts = [`${label} ${info.done}/${info.total} (${pct}%)`, `${info.rate.toFixed(1)} items/s`];
  if (info.audioRate > 0) parts.push(`${info.audioRate.toFixed(1)}x real time`);
  parts.push(`ETA ${formatDuration(info.etaSeconds)}`);
  if (info.resumed > 0) parts.push(`(${info.resumed} resumed)`);
  return parts.join(' ');
}

export interface TextProgressOptions {
  label?: string;
  /** Where lines go (default: process.stdout, which tslab shows in the cell output). */
  write?: (line: string) => void;
  /** Minimum seconds between lines (default 2); the first and the last update always print. */
  intervalSeconds?: number;
  clock?: Clock;
}

/** An `onProgress` callback printing a progress line at most every `intervalSeconds` (for notebooks and logs). */
export function textProgress(opts: TextProgressOptions = {}): ProgressCallback {
  const { label = 'extract', write = (line: string) => void process.stdout.write(line), intervalSeconds = 2, clock = defaultClock } = opts;
  let last = -Infinity;
  return (info) => {
    const now = clock();
    const finished = info.done >= info.total;
    if (!finished && now - last < intervalSeconds) return;
    last = now;
    write(`${formatProgress(info, label)}\n`);
  };
}

/** A terminal bar; call `stop()` when the work ends (also after an error) so the cursor line is restored. */
export interface TerminalProgress {
  readonly onProgress: ProgressCallback;
  stop(): void;
}

/** A cli-progress bar on stderr with rate and ETA; on a non-TTY stderr it falls back to text lines. */
export function terminalProgress(label = 'extract', stream: NodeJS.WriteStream = process.stderr): TerminalProgress {
  if (!stream.isTTY) {
    return { onProgress: textProgress({ label, write: (l) => void stream.write(l), intervalSeconds: 10 }), stop: () => undefined };
  }
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {value}/{total} {percentage}% | {rate} items/s | {audioRate} | ETA {etaText}`,
    hideCursor: true,
    clearOnComplete: false,
    barsize: 30,
  });
  let started = false;
  return {
    onProgress: (info) => {
      const payload = {
        rate: info.rate.toFixed(1),
        audioRate: info.audioRate > 0 ? `${info.audioRate.toFixed(1)}x real time` : '-',
        etaText: formatDuration(info.etaSeconds),
      };
      if (!started) {
        bar.start(info.total, info.done, payload);
        started = true;
      } else {
        bar.update(info.done, payload);
      }
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
