/**
 * Progress display for `trainSAE`: the line format (loss, L0, dead-latent fraction; the seed's tqdm bar over
 * epochs) on the shared throttled-lines and terminal-bar helpers of util/progress.
 */
import { formatDuration, terminalBar, throttledLines, type TerminalProgress, type TextProgressOptions } from '../util/progress';
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

/** Where training progress lines go and how often (`label` defaults to `sae`). */
export type TextTrainProgressOptions = TextProgressOptions;

/** An `onProgress` callback printing a line at most every `intervalSeconds`; first, last and validation steps always print. */
export function textTrainProgress(opts: TextTrainProgressOptions = {}): (p: TrainProgress) => void {
  const label = opts.label ?? 'sae';
  return throttledLines((p: TrainProgress) => formatTrainProgress(p, label), (p) => p.step === 1 || p.step === p.steps || p.validation !== undefined, opts);
}

/** A cli-progress bar on stderr (text lines when stderr is not a terminal); call `stop()` when training ends. */
export function terminalTrainProgress(label = 'sae', stream: NodeJS.WriteStream = process.stderr): TerminalProgress<TrainProgress> {
  return terminalBar<TrainProgress>(
    {
      format: `${label} [{bar}] {value}/{total} | loss {loss} | L0 {l0} | dead {dead} | {rate} steps/s | ETA {etaText}`,
      total: (p) => p.steps,
      value: (p) => p.step,
      payload: (p) => ({
        loss: p.loss.toPrecision(4),
        l0: p.l0.toFixed(1),
        dead: `${(100 * p.deadFraction).toFixed(1)}%`,
        rate: p.stepsPerSecond.toFixed(2),
        etaText: formatDuration(p.stepsPerSecond > 0 ? (p.steps - p.step) / p.stepsPerSecond : Infinity),
      }),
      lines: (write) => textTrainProgress({ label, write, intervalSeconds: 10 }),
    },
    stream,
  );
}
