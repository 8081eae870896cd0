/**
 * Progress display for `trainSAE`: one text line per update for notebooks and logs, or a cli-progress bar in
 * a terminal, both showing loss, L0 and the dead-latent fraction (the seed's tqdm bar over epochs).
 */
import { SingleBar } from 'cli-progress';
import { formatDuration } from '../model/progress';
import type { TrainProgress } from './trainSAE';

/** `sae 120/1000 (12%) loss 12.31 L0 45.2 dead 3.1% 2.10 steps/s ETA 7m00s`, plus validation FVU when present. */
export function formatTrainProgress(p: TrainProgress, label = 'sae'): string {
  const pct = Math.floor((100 * p.step) / p.steps);
  const eta = p.stepsPerSecond > 0 ? (p.steps - p.step) / p.stepsPerSecond : Infinity;
  const parts = [
    `${label} ${p.step}/${p.steps} (${pct}%)`,
    `loss ${p.loss.toPrecision(4)}`,
    `L0 ${p.l0.toFixed(1)}`,
    `dead ${(100 * p.deadFraction).toFixed(1)}%`,
    `${p.stepsPerSecond.toFixed(2)} steps/s`,
    `ETA ${formatDuration(eta)}`,
  ];
  if (p.validation !== undefined) parts.push(`val FVU ${p.validation.fvu.toFixed(4)} L0 ${p.validation.l0.toFixed(1)}`);
  return parts.join(' ');
}

export interface TextTrainProgressOptions {
  readonly label?: string;
  /** Where lines go (default process.stdout, which tslab shows in the cell output). */
  readonly write?: (line: string) => void;
  /** Minimum seconds between lines (default 2); the first and last steps and validation steps always print. */
  readonly intervalSeconds?: number;
  readonly clock?: () => number;
}

/** An `onProgress` callback printing a line at most every `intervalSeconds`. */
export function textTrainProgress(opts: TextTrainProgressOptions = {}): (p: TrainProgress) => void {
  const { label = 'sae', write = (l: string) => void process.stdout.write(l), intervalSeconds = 2, clock = () => performance.now() / 1000 } = opts;
  let last = -Infinity;
  return (p) => {
    const now = clock();
    const always = p.step === 1 || p.step === p.steps || p.validation !== undefined;
    if (!always && now - last < intervalSeconds) return;
    last = now;
    write(`${formatTrainProgress(p, label)}\n`);
  };
}

/** A cli-progress bar on stderr (text lines when stderr is not a terminal); call `stop()` when training ends. */
export function terminalTrainProgress(label = 'sae', stream: NodeJS.WriteStream = process.stderr): { onProgress: (p: TrainProgress) => void; stop(): void } {
  if (!stream.isTTY) return { onProgress: textTrainProgress({ label, write: (l) => void stream.write(l), intervalSeconds: 10 }), stop: () => undefined };
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {value}/{total} | loss {loss} | L0 {l0} | dead {dead} | {rate} steps/s | ETA {etaText}`,
    hideCursor: true,
    barsize: 30,
  });
  let started = false;
  return {
    onProgress: (p) => {
      const payload = {
        loss: p.loss.toPrecision(4),
        l0: p.l0.toFixed(1),
        dead: `${(100 * p.deadFraction).toFixed(1)}%`,
        rate: p.stepsPerSecond.toFixed(2),
        etaText: formatDuration(p.stepsPerSecond > 0 ? (p.steps - p.step) / p.stepsPerSecond : Infinity),
      };
      if (!started) {
        bar.start(p.steps, p.step, payload);
        started = true;
      } else bar.update(p.step, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
