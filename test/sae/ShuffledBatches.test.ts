import type { FrameSource } from '../../src/sae/FrameSource';
import { matrixFrameSource } from '../../src/sae/FrameSource';
import { ShuffledBatches } from '../../src/sae/ShuffledBatches';
import { at } from '../../src/util/at';

/** Frames whose first value is their own index, so batches can be traced back to rows. */
function indexFrames(n: number, d = 3): Float32Array {
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    X[i * d] = i;
    for (let j = 1; j < d; j++) X[i * d + j] = (i * 7 + j) % 5;
  }
  return X;
}

/** A streamed source over `X` that records every read. */
function streamed(X: Float32Array, d: number, reads: [number, number][]): FrameSource {
  const m = matrixFrameSource({ rows: X.length / d, cols: d, data: X });
  return {
    dim: d,
    count: m.count,
    inMemory: false,
    read: async (start, rows) => {
      reads.push([start, rows]);
      const r = await m.read(start, rows);
      return { rows: r.rows, cols: r.cols, data: r.data.slice() };
    },
  };
}

function ids(batch: { rows: number; cols: number; data: Float32Array }): number[] {
  return Array.from({ length: batch.rows }, (_, i) => at(batch.data, i * batch.cols));
}

function validationSet(b: ShuffledBatches): Set<number> {
  const s = new Set<number>();
  for (const r of b.validationRanges) for (let i = 0; i < r.rows; i++) s.add(r.start + i);
  return s;
}

test('in memory: each epoch is a permutation of exactly the training frames; validation frames never train', async () => {
  const n = 1000;
  const b = new ShuffledBatches(matrixFrameSource({ rows: n, cols: 3, data: indexFrames(n) }), { batchSize: 50, validationFraction: 0.2, seed: 4, blockFrames: 25 });
  const val = validationSet(b);
  expect(b.validationFrames).toBe(200); // 8 of 40 blocks
  expect(b.trainFrames + b.validationFrames).toBe(n);
  // Validation ranges are whole blocks.
  for (const r of b.validationRanges) expect([r.start % 25, r.rows % 25]).toEqual([0, 0]);
  for (let epoch = 0; epoch < 2; epoch++) {
    const seen: number[] = [];
    for (let k = 0; k < b.trainFrames / 50; k++) seen.push(...ids(await b.next()));
    expect(new Set(seen).size).toBe(b.trainFrames);
    for (const i of seen) expect(val.has(i)).toBe(false);
  }
  expect(b.epochsDone).toBe(1);
});

test('same seed, same batches; another seed, another order and split', async () => {
  const X = indexFrames(400);
  const make = (seed: number) => new ShuffledBatches(matrixFrameSource({ rows: 400, cols: 3, data: X }), { batchSize: 32, validationFraction: 0.25, seed });
  const [a, b, c] = [make(1), make(1), make(2)];
  const ia = ids(await a.next());
  expect(ids(await b.next())).toEqual(ia);
  expect(ids(await c.next())).not.toEqual(ia);
  expect(a.validationRanges).toEqual(b.validationRanges);
});

test('streamed: reads whole blocks only, never validation blocks, and yields distinct frames until the epoch wraps', async () => {
  const n = 3000;
  const d = 3;
  const reads: [number, number][] = [];
  const b = new ShuffledBatches(streamed(indexFrames(n, d), d, reads), { batchSize: 64, validationFraction: 0.2, seed: 9, blockFrames: 100, shuffleBufferFrames: 400 });
  const val = validationSet(b);
  expect(b.validationFrames).toBe(600);
  const seen: number[] = [];
  // Duplicates can only appear once the second epoch's blocks reach the buffer.
  const unique = Math.floor((b.trainFrames - 400) / 64);
  for (let k = 0; k < unique; k++) seen.push(...ids(await b.next()));
  expect(new Set(seen).size).toBe(seen.length);
  for (const i of seen) expect(val.has(i)).toBe(false);
  for (const [start, rows] of reads) {
    expect(start % 100).toBe(0);
    expect(rows).toBeLessThanOrEqual(100);
    expect(val.has(start)).toBe(false);
  }
  // The buffer holds at most bufferFrames + one block: consecutive batches come from a bounded window of reads.
  expect(reads.length).toBeLessThanOrEqual(Math.ceil((unique * 64) / 100) + 5);
  // Keep drawing through several epochs: every training frame keeps coming back.
  const later = new Set<number>();
  for (let k = 0; k < 200; k++) for (const i of ids(await b.next())) later.add(i);
  expect(later.size).toBe(b.trainFrames);
});

test('refuses impossible settings with messages naming the option', () => {
  const src = matrixFrameSource({ rows: 10, cols: 2, data: new Float32Array(20) });
  expect(() => new ShuffledBatches(src, { batchSize: 64, validationFraction: 0.2, seed: 0 })).toThrow(/fewer than one batch of 64/);
  expect(() => new ShuffledBatches(src, { batchSize: 2, validationFraction: 1, seed: 0 })).toThrow(/validationFraction/);
  expect(() => new ShuffledBatches(src, { batchSize: 0, validationFraction: 0, seed: 0 })).toThrow(/batchSize/);
});
