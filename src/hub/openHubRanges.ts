/**
 * A hub file read by HTTP range requests instead of downloaded whole (what `streaming` reads Parquet with): the
 * resolve URL's redirects are followed once (the hub sends LFS files to its CDN), the size comes from the hub's
 * `X-Linked-Size` (or `Content-Length`), and each `read` is one `Range` request, retried when the connection drops.
 */
import { authHeader, hubFileUrl, repoLabel, type HubOptions } from './downloadHubFile';
import { errorMessage } from '../util/describeError';

/** Byte ranges of one remote file (the shape `ParquetFile.fromRanges` reads). */
export interface HubRanges {
  readonly byteLength: number;
  /** The URL the ranges are read from, after redirects. */
  readonly url: string;
  read(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function openHubRanges(repo: string, file: string, opts: HubOptions = {}): Promise<HubRanges> {
  const name = repoLabel(repo, opts);
  const first = new URL(hubFileUrl(repo, file, opts));
  const timeoutMs = opts.timeoutMs ?? 30000;
  const retries = opts.retries ?? 3;
  const fetchOnce = async (url: URL, init: { method: string; range?: string }): Promise<Response> => {
    try {
      return await fetch(url, {
        method: init.method,
        headers: { 'user-agent': 'layerwise', 'accept-encoding': 'identity', ...authHeader(url, first.host, opts), ...(init.range !== undefined ? { range: init.range } : {}) },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new Error(`${name}: cannot reach ${url.origin} for '${file}' (${errorMessage(e)})`);
    }
  };

  let url = first;
  let size: number | undefined;
  for (let hop = 0; ; hop++) {
    if (hop > 10) throw new Error(`${name}: too many redirects reading '${file}' from ${first.href}`);
    const res = await fetchOnce(url, { method: 'HEAD' });
    const linked = res.headers.get('x-linked-size');
    if (hop === 0 && linked !== null && /^\d+$/.test(linked)) size = Number(linked);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      url = new URL(location, url);
      continue;
    }
    if (res.status === 404) throw new Error(`${name}: file '${file}' not found at revision '${opts.revision ?? 'main'}' (HTTP 404 for ${first.href})`);
    if (res.status === 401 || res.status === 403) throw new Error(`${name}: access to '${file}' denied (HTTP ${res.status}); set HF_TOKEN or the token option`);
    if (!res.ok) throw new Error(`${name}: reading '${file}' from ${url.href} failed with HTTP ${res.status}`);
    const length = res.headers.get('content-length');
    size ??= length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    break;
  }
  if (size === undefined) throw new Error(`${name}: the server does not say how large '${file}' is, so it cannot be read by ranges; load without streaming`);
  const total = size;
  const target = url;
  return {
    byteLength: total,
    url: target.href,
    async read(start: number, end: number): Promise<Uint8Array> {
      const stop = Math.min(end, total);
      if (stop <= start) return new Uint8Array(0);
      let last: unknown;
      for (let attempt = 0; attempt <= retries; attempt++) {
        try {
          const res = await fetchOnce(target, { method: 'GET', range: `bytes=${start}-${stop - 1}` });
          if (res.status !== 206) {
            await res.body?.cancel();
            throw new Error(`the server answered a range request with HTTP ${res.status}, not 206 (it does not serve byte ranges)`);
          }
          const body = new Uint8Array(await res.arrayBuffer());
          if (body.length !== stop - start) throw new Error(`asked for ${stop - start} bytes at ${start}, got ${body.length}`);
          return body;
        } catch (e) {
          last = e;
          if (/not 206/.test(errorMessage(e))) break;
        }
      }
      throw new Error(`${name}: reading bytes ${start}-${stop - 1} of '${file}' failed (${errorMessage(last)})`);
    },
    close: async () => undefined,
  };
}
