/**
 * Training batches drawn in a seeded shuffled order from a `FrameSource`, with a held-out validation split.
 *
 * Frames are grouped into blocks of `blockFrames` consecutive frames; a seeded share of the blocks is held
 * out for validation. Splitting by blocks rather than by frames keeps neighbouring frames (20 ms apart and
 * nearly identical) from landing on both sides of the split.
 * - In-memory sources: every epoch is a fresh permutation of all training frames.
 * - Streamed sources: every epoch visits the training blocks in a fresh order, reading them into a shuffle
 *   buffer of `shuffleBufferFrames` frames whose rows are permuted before batches are cut from it (as SAELens'
 *   activation store mixes its buffer), so memory stays bounded by the buffer whatever the set's size.
 * The same seed and source give the same batches.
 */
import type { Matrix } from '../matrix';
import { hashString, Random } from '../random';
import type { FrameSource } from './FrameSource';
import { atI32 } from '../util/at';

export interface ShuffledBatchesOptions {
  /** Frames per batch. */
  readonly batchSize: number;
  /** Share of blocks held out for validation, in [0, 1). */
  readonly validationFraction: number;
  readonly seed: number | string;
  /** Frames per split block (default 64 for in-memory sources, 1024 for streamed ones). */
  readonly blockFrames?: number;
  /** Streamed sources: frames held in the shuffle buffer (default max(16 * batchSize, blockFrames)). */
  readonly shuffleBufferFrames?: number;
}

/** A contiguous range of frames `[start, start + rows)`. */
export interface FrameRange {
  readonly start: number;
  readonly rows: number;
}

export class ShuffledBatches {
  readonly trainFrames: number;
  readonly validationFrames: number;
  /** Validation frames as contiguous ranges, in frame order. */
  readonly validationRanges: readonly FrameRange[];
  private readonly trainBlocks: Int32Array;
  private readonly blockFrames: number;
  private readonly bufferFrames: number;
  private readonly rng: Random;
  private epochOrder: Int32Array = new Int32Array(0);
  private epochPos = 0;
  private epochs = 0;
  /** In-memory: the whole source and the training frame indices. */
  private all: Matrix<Float32Array> | null = null;
  private trainRows: Int32Array = new Int32Array(0);
  /** Streamed: the shuffled buffer and the position of the next unread row in it. */
  private buffer: Float32Array = new Float32Array(0);
  private bufferRows = 0;
  private bufferPos = 0;

  constructor(
    private readonly source: FrameSource,
    private readonly opts: ShuffledBatchesOptions,
  ) {
    const { batchSize, validationFraction } = opts;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    if (!(validationFraction >= 0 && validationFraction < 1)) throw new Error(`validationFraction must lie in [0, 1), got ${validationFraction}`);
    this.blockFrames = opts.blockFrames ?? (source.inMemory ? 64 : 1024);
    if (!(Number.isInteger(this.blockFrames) && this.blockFrames >= 1)) throw new Error(`blockFrames must be a positive integer, got ${this.blockFrames}`);
    this.bufferFrames = opts.shuffleBufferFrames ?? Math.max(16 * batchSize, this.blockFrames);
    if (!(Number.isInteger(this.bufferFrames) && this.bufferFrames >= batchSize)) {
      throw new Error(`shuffleBufferFrames must be an integer >= batchSize (${batchSize}), got ${this.bufferFrames}`);
    }
    const nBlocks = Math.ceil(source.count / this.blockFrames);
    let nVal = Math.round(validationFraction * nBlocks);
    if (validationFraction > 0 && nVal === 0 && nBlocks >= 2) nVal = 1;
    if (nVal >= nBlocks) nVal = nBlocks - 1;
    const split = new Random(hashString(`${String(opts.seed)}/validation-split`)).permutation(nBlocks);
    const val = Array.from(split.subarray(0, nVal)).sort((a, b) => a - b);
    this.trainBlocks = Int32Array.from(Array.from(split.subarray(nVal)).sort((a, b) => a - b));
    const ranges: FrameRange[] = [];
    for (const b of val) {
      const start = b * this.blockFrames;
      const rows = Math.min(this.blockFrames, source.count - start);
      const last = ranges[ranges.length - 1];
      if (last !== undefined && last.start + last.rows === start) ranges[ranges.length - 1] = { start: last.start, rows: last.rows + rows };
      else ranges.push({ start, rows });
    }
    this.validationRanges = ranges;
    this.validationFrames = ranges.reduce((a, r) => a + r.rows, 0);
    this.trainFrames = source.count - this.validationFrames;
    if (this.trainFrames < batchSize) {
      throw new Error(`source has ${this.trainFrames} training frames (of ${source.count}, after holding out ${this.validationFrames} for validation), fewer than one batch of ${batchSize}; lower batchSize or validationFraction`);
    }
    this.rng = new Random(hashString(`${String(opts.seed)}/batches`));
  }

  /** Completed passes over the training frames. */
  get epochsDone(): number {
    return this.epochs;
  }

  private blockRange(b: number): FrameRange {
    const start = b * this.blockFrames;
    return { start, rows: Math.min(this.blockFrames, this.source.count - start) };
  }

  /** The next training batch `[batchSize, dim]` (a new array). */
  async next(): Promise<Matrix<Float32Array>> {
    return this.source.inMemory ? this.nextInMemory() : this.nextStreamed();
  }

  private async nextInMemory(): Promise<Matrix<Float32Array>> {
    const { batchSize } = this.opts;
    const d = this.source.dim;
    if (this.all === null) {
      this.all = await this.source.read(0, this.source.count);
      const rows = new Int32Array(this.trainFrames);
      let n = 0;
      for (const b of this.trainBlocks) {
        const r = this.blockRange(b);
        for (let i = 0; i < r.rows; i++) rows[n++] = r.start + i;
      }
      this.trainRows = rows;
      this.epochOrder = new Int32Array(0);
    }
    const out = new Float32Array(batchSize * d);
    const src = this.all.data;
    for (let i = 0; i < batchSize; i++) {
      if (this.epochPos >= this.epochOrder.length) this.startEpoch(this.trainRows.length);
      const row = atI32(this.trainRows, atI32(this.epochOrder, this.epochPos++));
      out.set(src.subarray(row * d, (row + 1) * d), i * d);
    }
    return { rows: batchSize, cols: d, data: out };
  }

  private startEpoch(n: number): void {
    if (this.epochOrder.length > 0) this.epochs++;
    this.epochOrder = this.rng.permutation(n);
    this.epochPos = 0;
  }

  private async nextStreamed(): Promise<Matrix<Float32Array>> {
    const { batchSize } = this.opts;
    const d = this.source.dim;
    if (this.bufferRows - this.bufferPos < batchSize) await this.refill();
    const out = this.buffer.slice(this.bufferPos * d, (this.bufferPos + batchSize) * d);
    this.bufferPos += batchSize;
    return { rows: batchSize, cols: d, data: out };
  }

  /** Keep the unread rows, append whole blocks until the buffer is full, and permute its rows. */
  private async refill(): Promise<void> {
    const d = this.source.dim;
    const keep = this.bufferRows - this.bufferPos;
    const parts: Float32Array[] = [this.buffer.subarray(this.bufferPos * d, this.bufferRows * d)];
    let rows = keep;
    while (rows < this.bufferFrames) {
      if (this.epochPos >= this.epochOrder.length) this.startEpoch(this.trainBlocks.length);
      const r = this.blockRange(atI32(this.trainBlocks, atI32(this.epochOrder, this.epochPos++)));
      const m = await this.source.read(r.start, r.rows);
      if (m.rows !== r.rows || m.cols !== d) throw new Error(`frame source returned [${m.rows}, ${m.cols}] for rows [${r.start}, ${r.start + r.rows}), expected [${r.rows}, ${d}]`);
      parts.push(m.data);
      rows += r.rows;
    }
    const joined = new Float32Array(rows * d);
    let off = 0;
    for (const p of parts) {
      joined.set(p, off);
      off += p.length;
    }
    const perm = this.rng.permutation(rows);
    const shuffled = new Float32Array(rows * d);
    for (let i = 0; i < rows; i++) {
      const j = atI32(perm, i);
      shuffled.set(joined.subarray(j * d, (j + 1) * d), i * d);
    }
    this.buffer = shuffled;
    this.bufferRows = rows;
    this.bufferPos = 0;
  }

  /**
   * Up to `max` training frames spread over the training blocks (every block contributes, in frame order),
   * for statistics taken before training (input scale, initial decoder bias).
   */
  async sampleTrainFrames(max: number): Promise<Matrix<Float32Array>> {
    const d = this.source.dim;
    const take = Math.min(max, this.trainFrames);
    const per = Math.max(1, Math.ceil(take / this.trainBlocks.length));
    const out = new Float32Array(take * d);
    let n = 0;
    const stride = Math.max(1, Math.floor(this.trainBlocks.length / Math.ceil(take / per)));
    for (let bi = 0; bi < this.trainBlocks.length && n < take; bi += stride) {
      const r = this.blockRange(atI32(this.trainBlocks, bi));
      const rows = Math.min(per, r.rows, take - n);
      const m = await this.source.read(r.start, rows);
      out.set(m.data.subarray(0, rows * d), n * d);
      n += rows;
    }
    return { rows: n, cols: d, data: out.subarray(0, n * d) };
  }
}
