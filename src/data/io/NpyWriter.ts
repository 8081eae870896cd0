/**
 * Append rows to a `.npy` file whose first dimension grows, e.g. `[frames, hidden]` feature shards written
 * clip by clip. The header reserves room for any row count and is rewritten with the final shape on
 * `close()`; until then the data goes to a temporary file, so the target path only ever holds a complete
 * array.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { encodeNpyHeader, headerDict, shapeSize, type NpyData, type NpyDtype } from './NpyArray';
import { checkedDtype } from './writeNpy';
import { temporaryPathFor } from '../../util/writeFileAtomic';
import { errorMessage } from '../../util/describeError';

export interface NpyWriterOptions {
  readonly dtype: NpyDtype;
  /** Shape of one row, e.g. `[hidden]` for a `[frames, hidden]` array (default [], a 1-D array). */
  readonly rowShape?: readonly number[];
}

/** Rows never reach this many digits, so the reserved header always fits the final shape. */
const MAX_ROWS_PLACEHOLDER = 10 ** 15;

export class NpyWriter {
  readonly path: string;
  readonly dtype: NpyDtype;
  readonly rowShape: readonly number[];
  private readonly tmp: string;
  private readonly rowSize: number;
  private readonly headerLength: number;
  private fd: number | null;
  private rowCount = 0;

  /** Start writing `path` (created on `close()`). */
  constructor(path: string, opts: NpyWriterOptions) {
    this.path = path;
    this.dtype = opts.dtype;
    this.rowShape = [...(opts.rowShape ?? [])];
    this.rowSize = shapeSize(this.rowShape, `NpyWriter ${path}`);
    this.headerLength = encodeNpyHeader(headerDict(this.dtype, [MAX_ROWS_PLACEHOLDER, ...this.rowShape])).length;
    this.tmp = temporaryPathFor(path);
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw new Error(`${path}: cannot create (${errorMessage(e)})`);
    }
    this.write(encodeNpyHeader(headerDict(this.dtype, [0, ...this.rowShape]), this.headerLength));
  }

  /**
   * Write all of `bytes` (at `position`, else at the end): `writeSync` may write less than asked, and its errors
   * (a full disk: ENOSPC) name no file, so the writer's target is named here. A failed write leaves no file.
   */
  private write(bytes: Uint8Array, position?: number): void {
    const fd = this.openFd();
    let done = 0;
    try {
      while (done < bytes.length) {
        done += writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
      }
    } catch (e) {
      this.abort();
      throw new Error(`${this.path}: cannot write (${errorMessage(e)}); nothing was left behind`);
    }
  }

  /** Rows written so far. */
  get rows(): number {
    return this.rowCount;
  }

  /** Append whole rows: `data` holds k * prod(rowShape) values in C order, of this writer's dtype. */
  append(data: NpyData): void {
    this.openFd();
    checkedDtype({ data, dtype: this.dtype }, `NpyWriter ${this.path}`);
    if (this.rowSize === 0 ? data.length !== 0 : data.length % this.rowSize !== 0) {
      throw new Error(`NpyWriter ${this.path}: ${data.length} values is not a whole number of rows of shape [${this.rowShape.join(', ')}]`);
    }
    this.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.rowCount += this.rowSize === 0 ? 0 : data.length / this.rowSize;
  }

  /** Write the final header and move the file into place. Returns the array's shape. */
  close(): number[] {
    const shape = [this.rowCount, ...this.rowShape];
    this.write(encodeNpyHeader(headerDict(this.dtype, shape), this.headerLength), 0);
    const fd = this.openFd();
    try {
      closeSync(fd);
      this.fd = null;
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.abort();
      throw new Error(`NpyWriter ${this.path}: cannot finish the file (${errorMessage(e)})`);
    }
    return shape;
  }

  /** Give up: close and delete the temporary file; the target path is left untouched. */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`NpyWriter ${this.path}: already closed`);
    return this.fd;
  }
}
