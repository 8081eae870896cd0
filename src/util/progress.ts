/**
 * Progress of long jobs (extraction, SAE training): a rate/ETA tracker, throttled text lines for notebooks
 * (tslab shows stdout lines but not carriage-return redraws) and a terminal bar (cli-progress). Jobs supply
 * only their own line format (`formatProgress` here, `formatTrainProgress` for SAEs).
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

/** Receives the state of a long job after every finished item (`extractFeatures`' `onProgress`). */
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

/** Where progress lines go and how often. */
export interface TextProgressOptions {
  /** The word that starts each line (default `extract`). */
  label?: string;
  /**
   * Where lines go (default: process.stdout, which tslab shows in the cell output, one line after another). In a
   * notebook, `liveLine()` (viz) keeps them on one line that is rewritten in place.
   */
  write?: (line: string) => void;
  /** Minimum seconds between lines (default 2); the first and the last update always print. */
  intervalSeconds?: number;
  /** Seconds since some origin (default `performance.now() / 1000`); injectable for tests. */
  clock?: Clock;
}

/**
 * A callback that writes `format(update)` as a line at most every `intervalSeconds`; the first update and every
 * update that `always` accepts print regardless. Shared by every long job's text progress.
 */
export function throttledLines<P>(
  format: (update: P) => string,
  always: (update: P) => boolean,
  opts: Omit<TextProgressOptions, 'label'> = {},
): (update: P) => void {
  const { write = (line: string) => void process.stdout.write(line), intervalSeconds = 2, clock = defaultClock } = opts;
  let last = -Infinity;
  return (update) => {
    const now = clock();
    if (!always(update) && now - last < intervalSeconds) return;
    last = now;
    write(`${format(update)}\n`);
  };
}

/** An `onProgress` callback printing a progress line at most every `intervalSeconds` (for notebooks and logs). */
export function textProgress(opts: TextProgressOptions = {}): ProgressCallback {
  const label = opts.label ?? 'extract';
  return throttledLines((info: ProgressInfo) => formatProgress(info, label), (info) => info.done >= info.total, opts);
}

/** A terminal bar; call `stop()` when the work ends (also after an error) so the cursor line is restored. */
export interface TerminalProgress<P = ProgressInfo> {
  readonly onProgress: (update: P) => void;
  stop(): void;
}

/** How a job's updates fill a cli-progress bar. */
export interface BarSpec<P> {
  /** cli-progress format string; `{name}` placeholders come from `payload`. */
  readonly format: string;
  readonly total: (update: P) => number;
  readonly value: (update: P) => number;
  readonly payload: (update: P) => Record<string, string>;
  /** Text lines to use instead when the stream is not a terminal (every 10 s). */
  readonly lines: (write: (line: string) => void) => (update: P) => void;
}

/** A cli-progress bar on `stream`; on a non-TTY stream it falls back to `spec.lines`. */
export function terminalBar<P>(spec: BarSpec<P>, stream: NodeJS.WriteStream): TerminalProgress<P> {
  if (!stream.isTTY) return { onProgress: spec.lines((l) => void stream.write(l)), stop: () => undefined };
  const bar = new SingleBar({ stream, format: spec.format, hideCursor: true, clearOnComplete: false, barsize: 30 });
  let started = false;
  return {
    onProgress: (update) => {
      if (!started) {
        bar.start(spec.total(update), spec.value(update), spec.payload(update));
        started = true;
      } else {
        bar.update(spec.value(update), spec.payload(update));
      }
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** A cli-progress bar on stderr with rate and ETA; on a non-TTY stderr it falls back to text lines. */
export function terminalProgress(label = 'extract', stream: NodeJS.WriteStream = process.stderr): TerminalProgress {
  return terminalBar<ProgressInfo>(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {rate} items/s | {audioRate} | ETA {etaText}`,
      total: (info) => info.total,
      value: (info) => info.done,
      payload: (info) => ({
        rate: info.rate.toFixed(1),
        audioRate: info.audioRate > 0 ? `${info.audioRate.toFixed(1)}x real time` : '-',
        etaText: formatDuration(info.etaSeconds),
      }),
      lines: (write) => textProgress({ label, write, intervalSeconds: 10 }),
    },
    stream,
  );
}
