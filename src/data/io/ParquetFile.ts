/**
 * A Parquet file on disk, read row group by row group through hyparquet (a maintained, dependency-free reader:
 * snappy built in; PLAIN, dictionary, RLE and delta encodings; nested structs): only the footer and the
 * column chunks of the row group being read are in memory, never the whole file. Errors name the file.
 */
import * as fs from 'node:fs';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { errorMessage } from '../../util/describeError';

/** A column of the file's schema: its name, Parquet type, and child names for structs. */
export interface ParquetColumn {
  readonly name: string;
  /** The physical type ('BYTE_ARRAY', 'INT64', ...) of a leaf column; undefined for a group (struct, list). */
  readonly type: string | undefined;
  /** Logical annotation ('UTF8', 'STRING', ...), when the writer set one. */
  readonly annotation: string | undefined;
  readonly children: readonly string[];
}

/** One row: column name to value. Values are as hyparquet decodes them (strings, numbers, bigints, Uint8Arrays, objects). */
export type ParquetRecord = Readonly<Record<string, unknown>>;

/** Bytes of a file by range: a local file handle, or HTTP range requests (`openHubRanges`). */
export interface ByteRanges {
  readonly byteLength: number;
  /** Bytes [start, end) (end exclusive, clipped to the length). */
  read(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** An open Parquet file: its footer, and row groups read one at a time. */
export class ParquetFile {
  private constructor(
    /** The name errors use (the file's path, or what the caller passed). */
    readonly name: string,
    private readonly source: ByteRanges,
    private readonly buffer: AsyncBuffer,
    private readonly metadata: FileMetaData,
  ) {}

  /** Open the local `file` and read its footer; throws naming `name` for a missing, truncated or non-Parquet file. */
  static async open(file: string, name: string = file): Promise<ParquetFile> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch (e) {
      throw new Error(`${name}: cannot open Parquet file (${errorMessage(e)})`);
    }
    let size: number;
    try {
      size = (await handle.stat()).size;
    } catch (e) {
      await handle.close();
      throw new Error(`${name}: cannot read Parquet file (${errorMessage(e)})`);
    }
    const source: ByteRanges = {
      byteLength: size,
      async read(start, end) {
        const out = new Uint8Array(Math.max(0, Math.min(end, size) - start));
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
          if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + done} of ${size}`);
          done += bytesRead;
        }
        return out;
      },
      close: () => handle.close(),
    };
    return ParquetFile.fromRanges(source, name);
  }

  /** Read the footer through `source` (closed again if that fails). */
  static async fromRanges(source: ByteRanges, name: string): Promise<ParquetFile> {
    const size = source.byteLength;
    const buffer: AsyncBuffer = {
      byteLength: size,
      async slice(start: number, end?: number): Promise<ArrayBuffer> {
        const bytes = await source.read(start, end ?? size);
        // hyparquet wants an ArrayBuffer of exactly these bytes
        return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : bytes.slice().buffer;
      },
    };
    try {
      if (size < 12) throw new Error(`${size} bytes, too short for a Parquet file`);
      const magic = await source.read(size - 4, size);
      if (String.fromCharCode(...magic) !== 'PAR1') throw new Error('no Parquet footer (the file is truncated or not Parquet)');
      const metadata = await parquetMetadataAsync(buffer);
      return new ParquetFile(name, source, buffer, metadata);
    } catch (e) {
      await source.close();
      throw new Error(`${name}: cannot read Parquet file (${errorMessage(e)})`);
    }
  }

  /** Rows in the file. */
  get rows(): number {
    return Number(this.metadata.num_rows);
  }

  /** Rows of each row group, in file order. */
  get rowGroups(): number[] {
    return this.metadata.row_groups.map((g) => Number(g.num_rows));
  }

  /** The top-level columns. */
  get columns(): ParquetColumn[] {
    return parquetSchema(this.metadata).children.map((c) => ({
      name: c.element.name,
      type: c.children.length === 0 ? c.element.type : undefined,
      annotation: c.element.logical_type?.type ?? c.element.converted_type,
      children: c.children.map((k) => k.element.name),
    }));
  }

  /** A key of the footer's key-value metadata (e.g. 'huggingface'), if present. */
  keyValue(key: string): string | undefined {
    return this.metadata.key_value_metadata?.find((kv) => kv.key === key)?.value;
  }

  /**
   * The rows of row group `index` with the named columns (default all). Byte arrays stay bytes unless the
   * schema marks them as strings.
   */
  async readRowGroup(index: number, columns?: readonly string[]): Promise<ParquetRecord[]> {
    const sizes = this.rowGroups;
    if (!Number.isInteger(index) || index < 0 || index >= sizes.length) throw new Error(`${this.name}: no row group ${index} (the file has ${sizes.length})`);
    let start = 0;
    for (let g = 0; g < index; g++) start += sizes[g] ?? 0;
    const end = start + (sizes[index] ?? 0);
    try {
      const rows: unknown[] = await parquetReadObjects({
        file: this.buffer,
        metadata: this.metadata,
        rowStart: start,
        rowEnd: end,
        utf8: false,
        ...(columns !== undefined ? { columns: [...columns] } : {}),
      });
      return rows.map((r) => (typeof r === 'object' && r !== null ? (r as ParquetRecord) : {}));
    } catch (e) {
      throw new Error(`${this.name}: cannot read row group ${index} (rows ${start}-${end - 1}): ${errorMessage(e)}`);
    }
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}
