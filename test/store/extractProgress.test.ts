import { ProgressTracker, formatDuration, formatProgress, textProgress } from '../../src/util/progress';
import { at } from '../../src/util/at';

function clockFrom(times: number[]): () => number {
  let i = 0;
  return () => at(times, Math.min(i++, times.length - 1));
}

test('rate, ETA and real-time factor follow from the items and audio of this run, after resumed ones', () => {
  // t0 = 10 s; after 3 items (6 s of audio) at t = 16 s: 0.5 items/s, 7 items left -> 14 s; audio 1x.
  const tr = new ProgressTracker(20, 10, clockFrom([10, 16, 16]));
  const p = tr.advance(3, 6);
  expect(p).toEqual({ done: 13, total: 20, rate: 0.5, etaSeconds: 14, resumed: 10, audioRate: 1 });
  expect(tr.info().etaSeconds).toBe(14);
});

test('before the first item the rate is 0 and the ETA unknown; at the end the ETA is 0', () => {
  const tr = new ProgressTracker(2, 0, clockFrom([0, 0, 1, 2]));
  expect(tr.info()).toMatchObject({ done: 0, rate: 0, etaSeconds: Infinity });
  tr.advance(1);
  expect(tr.advance(1)).toMatchObject({ done: 2, rate: 1, etaSeconds: 0 });
  expect(() => new ProgressTracker(2, 3)).toThrow(/resumed must be an integer in \[0, 2\]/);
});

test('text progress prints at most every interval, always the last line, in a readable form', () => {
  const lines: string[] = [];
  const cb = textProgress({ label: 'x', write: (l) => lines.push(l), intervalSeconds: 2, clock: clockFrom([0, 1, 2.5, 3]) });
  const base = { total: 4, rate: 2, etaSeconds: 1, resumed: 0, audioRate: 3.25 };
  cb({ ...base, done: 1 });
  cb({ ...base, done: 2 });
  cb({ ...base, done: 3 });
  cb({ ...base, done: 4, etaSeconds: 0 });
  expect(lines).toEqual([
    'x 1/4 (25%) 2.0 items/s 3.3x real time ETA 1s\n',
    'x 3/4 (75%) 2.0 items/s 3.3x real time ETA 1s\n',
    'x 4/4 (100%) 2.0 items/s 3.3x real time ETA 0s\n',
  ]);
  expect(formatDuration(83)).toBe('1m23s');
  expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3h05m');
  expect(formatDuration(Infinity)).toBe('?');
  expect(formatProgress({ done: 5, total: 10, rate: 0, etaSeconds: Infinity, resumed: 5, audioRate: 0 })).toBe('extract 5/10 (50%) 0.0 items/s ETA ? (5 resumed)');
});
