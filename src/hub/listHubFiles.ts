/**
 * The files of a hub repository at a revision, from the hub's tree API
 * (`{endpoint}/api/{models|datasets}/{repo}/tree/{revision}/{folder}?recursive=true`, paged by `Link` headers).
 * The listing is cached beside the repository's files, so that a pinned revision lists offline once listed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { authHeader, defaultEndpoint, hubRepoCacheDir, repoLabel, type HubOptions } from './downloadHubFile';
import { errorMessage } from '../util/describeError';
import { writeFileAtomic } from '../util/writeFileAtomic';

/** One file of a repository listing. */
export interface HubFileEntry {
  /** Path inside the repository ('v0.02/test/0000.parquet'). */
  readonly path: string;
  readonly size: number;
  /** sha256 of an LFS file's content, when the hub gives it. */
  readonly sha256: string | undefined;
}

/** The hub answered 404 for a listing: no such repository, revision or folder. */
export class HubListingNotFoundError extends Error {
  override name = 'HubListingNotFoundError';
}

/** A repository's files (not folders) under `folder` (default: all), sorted by path, at `opts.revision`. */
export async function listHubFiles(repo: string, opts: HubOptions & { folder?: string } = {}): Promise<HubFileEntry[]> {
  const folder = (opts.folder ?? '').replace(/^\/+|\/+$/g, '');
  const cache = path.join(hubRepoCacheDir(repo, opts), '.layerwise-tree', `${folder === '' ? '_root' : folder.replace(/\//g, '--')}.json`);
  if (fs.existsSync(cache)) return parseListing(fs.readFileSync(cache, 'utf8'), `${cache}`);
  const base = (opts.endpoint ?? defaultEndpoint()).replace(/\/+$/, '');
  const kind = opts.repoType === 'dataset' ? 'datasets' : 'models';
  const rev = encodeURIComponent(opts.revision ?? 'main');
  const first = `${base}/api/${kind}/${repo}/tree/${rev}${folder === '' ? '' : `/${folder.split('/').map(encodeURIComponent).join('/')}`}?recursive=true`;
  const hubHost = new URL(first).host;
  const name = repoLabel(repo, opts);
  const entries: unknown[] = [];
  let next: string | undefined = first;
  for (let page = 0; next !== undefined; page++) {
    if (page > 10_000) throw new Error(`${name}: the file listing at ${first} does not end`);
    const url: URL = new URL(next);
    const headers: Record<string, string> = { 'user-agent': 'layerwise', ...authHeader(url, hubHost, opts) };
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 30000) });
    } catch (e) {
      throw new Error(`${name}: cannot list files at ${url.origin} (${errorMessage(e)}); listings already in the cache work offline`);
    }
    if (res.status === 404) {
      throw new HubListingNotFoundError(`${name}: no ${folder === '' ? 'files' : `folder '${folder}'`} at revision '${opts.revision ?? 'main'}' (HTTP 404 for ${url.href})`);
    }
    if (res.status === 401 || res.status === 403) {
      throw new Error(`${name}: listing files denied (HTTP ${res.status}); the repository may be gated or private: set HF_TOKEN or the token option`);
    }
    if (!res.ok) throw new Error(`${name}: listing files at ${url.href} failed with HTTP ${res.status}`);
    const body: unknown = await res.json().catch(() => undefined);
    if (!Array.isArray(body)) throw new Error(`${name}: the file listing at ${url.href} is not a JSON list`);
    entries.push(...(body as unknown[]));
    next = nextLink(res.headers.get('link'), url);
  }
  const text = JSON.stringify(entries);
  const files = parseListing(text, first);
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  writeFileAtomic(cache, text);
  return files;
}

/** The `rel="next"` target of a Link header. */
function nextLink(link: string | null, base: URL): string | undefined {
  if (link === null) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m?.[1] !== undefined) return new URL(m[1], base).href;
  }
  return undefined;
}

function parseListing(text: string, source: string): HubFileEntry[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not a file listing (${errorMessage(e)})`);
  }
  if (!Array.isArray(body)) throw new Error(`${source}: not a file listing`);
  const files: HubFileEntry[] = [];
  for (const raw of body as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const e = raw as { type?: unknown; path?: unknown; size?: unknown; lfs?: unknown };
    if (e.type !== 'file' || typeof e.path !== 'string') continue;
    const lfs = typeof e.lfs === 'object' && e.lfs !== null ? (e.lfs as { oid?: unknown }) : undefined;
    const oid = typeof lfs?.oid === 'string' && /^[0-9a-f]{64}$/.test(lfs.oid) ? lfs.oid : undefined;
    files.push({ path: e.path, size: typeof e.size === 'number' ? e.size : 0, sha256: oid });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
