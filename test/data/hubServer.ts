/**
 * A Hugging Face hub on 127.0.0.1 for tests, with datasets the tests write: Parquet files (hyparquet-writer) holding
 * WAV bytes in an Audio column and `datasets`' `huggingface` features; the tree API paged two entries at a time by
 * Link headers; resolve URLs that redirect LFS files to a CDN path with X-Linked-Size/Etag; HEAD and Range requests.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { encodeWav } from '../../src/data/audio/encodeWav';

export const SC_NAMES = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go', 'zero', '_silence_'];

/** A short tone whose frequency encodes the row, so every clip's bytes differ. */
export function clip(row: number, rate = 16000): Buffer {
  const n = rate / 10;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * (200 + 10 * row) * i) / rate);
  return encodeWav(x, rate);
}

export interface Column {
  name: string;
  data: unknown[];
}

/** A Parquet file as `datasets` writes one: the columns, the `huggingface` features, row groups of `groupRows`. */
export function parquet(columns: Column[], features: Record<string, unknown> | undefined, groupRows: number): Buffer {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) {
    if (c.name === 'audio') {
      schema.push({ name: 'audio', num_children: 2, repetition_type: 'OPTIONAL' });
      schema.push({ name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' });
      schema.push({ name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    } else if (typeof c.data[0] === 'string') schema.push({ name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    else if (typeof c.data[0] === 'boolean') schema.push({ name: c.name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' });
    else schema.push({ name: c.name, type: 'INT64', repetition_type: 'OPTIONAL' });
  }
  const columnData: ColumnSource[] = columns.map((c) => ({ name: c.name, data: c.data.map((v) => (typeof v === 'number' ? BigInt(v) : v)) }));
  const kv = features === undefined ? [] : [{ key: 'huggingface', value: JSON.stringify({ info: { features } }) }];
  // the schema is what pyarrow writes for these columns: audio a struct of optional bytes and a UTF-8 path
  const buf = parquetWriteBuffer({ columnData, schema, rowGroupSize: groupRows, kvMetadata: kv });
  return Buffer.from(buf);
}

/** Speech Commands-like rows `from`..`to`-1: label = row % 12. */
export function speechCommandsRows(from: number, to: number): Column[] {
  const rows = Array.from({ length: to - from }, (_, i) => from + i);
  const file = rows.map((r) => `${SC_NAMES[r % 12] ?? ''}/spk${r % 7}_nohash_${r}.wav`);
  return [
    { name: 'file', data: file },
    { name: 'audio', data: rows.map((r, i) => ({ bytes: new Uint8Array(clip(r)), path: file[i] })) },
    { name: 'label', data: rows.map((r) => r % 12) },
    { name: 'is_unknown', data: rows.map((r) => r % 12 > 9) },
    { name: 'speaker_id', data: rows.map((r) => `spk${r % 7}`) },
    { name: 'utterance_id', data: rows.map((r) => r % 3) },
  ];
}

export const SC_FEATURES = {
  file: { dtype: 'string', _type: 'Value' },
  audio: { sampling_rate: 16000, _type: 'Audio' },
  label: { names: SC_NAMES, _type: 'ClassLabel' },
  is_unknown: { dtype: 'bool', _type: 'Value' },
  speaker_id: { dtype: 'string', _type: 'Value' },
  utterance_id: { dtype: 'int8', _type: 'Value' },
};

export interface Hub {
  endpoint: string;
  /** repo -> revision -> path -> bytes */
  repos: Map<string, Map<string, Map<string, Buffer>>>;
  requests: string[];
  close(): Promise<void>;
}

/** The parts of the hub's HTTP API that datasets use: the tree listing (2 entries per page) and resolve. */
export async function startHub(): Promise<Hub> {
  const repos = new Map<string, Map<string, Map<string, Buffer>>>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method ?? ''} ${url.pathname}${url.search}${req.headers['range'] !== undefined ? ` ${req.headers['range']}` : ''}`);
    const tree = /^\/api\/datasets\/(.+?)\/tree\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    const resolve = /^\/datasets\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    const notFound = (): void => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"Entry not found"}');
    };
    if (tree !== null) {
      const files = repos.get(tree[1] ?? '')?.get(decodeURIComponent(tree[2] ?? ''));
      const folder = decodeURIComponent(tree[3] ?? '');
      if (files === undefined) return notFound();
      const entries = [...files].filter(([p]) => folder === '' || p.startsWith(`${folder}/`));
      if (entries.length === 0) return notFound();
      const page = Number(url.searchParams.get('cursor') ?? '0');
      const body = entries.slice(page, page + 2).map(([p, b]) => ({
        type: 'file',
        path: p,
        size: b.length,
        oid: crypto.createHash('sha1').update(b).digest('hex'),
        lfs: { oid: crypto.createHash('sha256').update(b).digest('hex'), size: b.length, pointerSize: 134 },
      }));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (page + 2 < entries.length) headers['link'] = `<${url.pathname}?recursive=true&cursor=${page + 2}>; rel="next"`;
      res.writeHead(200, headers);
      res.end(JSON.stringify(body));
      return;
    }
    if (resolve !== null) {
      const b = repos.get(resolve[1] ?? '')?.get(decodeURIComponent(resolve[2] ?? ''))?.get(decodeURIComponent(resolve[3] ?? ''));
      if (b === undefined) return notFound();
      const sha = crypto.createHash('sha256').update(b).digest('hex');
      res.writeHead(302, { location: `/cdn/${sha}`, 'x-linked-size': String(b.length), 'x-linked-etag': `"${sha}"` });
      res.end();
      return;
    }
    if (cdn !== null) {
      for (const revs of repos.values()) {
        for (const files of revs.values()) {
          for (const b of files.values()) {
            if (crypto.createHash('sha256').update(b).digest('hex') !== cdn[1]) continue;
            const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers['range'] ?? '');
            if (range === null) {
              res.writeHead(200, { 'content-length': String(b.length), 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' });
              res.end(b);
              return;
            }
            const [start, end] = [Number(range[1]), Math.min(Number(range[2]), b.length - 1)];
            res.writeHead(206, { 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${b.length}` });
            res.end(b.subarray(start, end + 1));
            return;
          }
        }
      }
    }
    notFound();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    repos,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export function put(hub: Hub, repo: string, revision: string, files: Record<string, Buffer>): void {
  const revs = hub.repos.get(repo) ?? new Map<string, Map<string, Buffer>>();
  revs.set(revision, new Map(Object.entries(files)));
  hub.repos.set(repo, revs);
}
