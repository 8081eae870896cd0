import { formatTrainProgress, textTrainProgress } from '../../src/sae/trainProgress';
import type { TrainProgress } from '../../src/sae/trainSAE';
import type { SAEMetrics } from '../../src/sae/evaluateSAE';

const metrics: SAEMetrics = {
  frames: 10, mse: 0.1, sse: 1, fvu: 0.25, l0: 3, activationPercent: 5, frequencies: new Float64Array(1),
  meanActivations: new Float64Array(1), deadLatents: new Int32Array(0), deadFraction: 0, deadWindowFrames: 10,
};

const base: TrainProgress = { step: 120, steps: 1000, loss: 12.3456, sse: 10, l0: 45.24, deadFraction: 0.031, lr: 1e-4, l1: 3, framesSeen: 491520, elapsedSeconds: 60, stepsPerSecond: 2 };

test('formats step, loss, L0, dead share, rate and ETA', () => {
  expect(formatTrainProgress(base)).toBe('sae 120/1000 (12%) loss 12.35 L0 45.2 dead 3.1% 2.00 steps/s ETA 7m20s');
});

test('text progress prints first, last and validation steps, others at most every interval', () => {
  const lines: string[] = [];
  let now = 0;
  const cb = textTrainProgress({ write: (l) => lines.push(l), intervalSeconds: 5, clock: () => now });
  cb({ ...base, step: 1 });
  now = 1;
  cb({ ...base, step: 2 });
  now = 7;
  cb({ ...base, step: 3 });
  now = 8;
  cb({ ...base, step: 4, validation: metrics });
  cb({ ...base, step: 1000 });
  expect(lines.map((l) => l.split(' ')[1])).toEqual(['1/1000', '3/1000', '4/1000', '1000/1000']);
  expect(lines[2]).toContain('val FVU 0.2500 L0 3.0');
});
