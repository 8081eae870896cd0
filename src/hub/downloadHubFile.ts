/**
 * Downloads files of a Hugging Face-style model repository (`{endpoint}/{repo}/resolve/{revision}/{file}`)
 * into a local cache, with node's own http/https:
 * - redirects are followed (the hub answers LFS files with a redirect to its CDN);
 * - the hub's size and sha256 are checked when it sends them: `X-Linked-Size` / `X-Linked-Etag` on the
 *   hub's (first) response for LFS files, else `Content-Length` and an `ETag` that is a sha256 (non-LFS files
 *   carry a git blob sha1 there, which is not checked);
 * - a dropped connection resumes from the bytes already in `<file>.part` with an HTTP Range request;
 * - a complete file is renamed into place atomically, and a cached file is used without contacting the hub
 *   (pin `revision` to a commit for reproducible results), so loads work offline once cached.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorCode, errorMessage } from '../util/describeError';

/** What kind of hub repository: models live at `{endpoint}/{repo}`, datasets at `{endpoint}/datasets/{repo}`. */
export type HubRepoType = 'model' | 'dataset';

/** Where and how hub files are fetched: endpoint, revision, token, cache folder, retries and time-out. */
export interface HubOptions {
  /** Model or dataset repository (default 'model'). */
  repoType?: HubRepoType;
  /** Hub base URL (default `$HF_ENDPOINT`, else https://huggingface.co). */
  endpoint?: string;
  /** Cache root (default `$LAYERWISE_CACHE`, else ~/.cache/layerwise). */
  cacheDir?: string;
  /** Branch, tag or commit (default 'main'). */
  revision?: string;
  /** Bearer token for gated or private repos (default `$HF_TOKEN`); sent to the hub's own host only. */
  token?: string;
  /** How many times a dropped transfer is resumed before giving up (default 3). */
  retries?: number;
  /** Idle socket timeout in ms (default 30000). */
  timeoutMs?: number;
}

export interface HubFile {
  /** Local path of the complete file. */
  readonly path: string;
  /** True when the file was already cached and the hub was not contacted. */
  readonly fromCache: boolean;
  readonly size: number;
  /** sha256 the hub announced and the file was checked against, when it announced one. */
  readonly sha256: string | undefined;
}

/** The hub answered 404 for this file. */
export class HubFileNotFoundError extends Error {
  constructor(
    readonly repo: string,
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubFileNotFoundError';
  }
}

class RetriableError extends Error {}

const REPO_ID = /^[A-Za-z0-9][\w.-]*(?:\/[A-Za-z0-9][\w.-]*)?$/;

export function isRepoId(s: string): boolean {
  return REPO_ID.test(s) && !s.endsWith('.onnx');
}

/**
 * The `authorization` header for a request to `url`, when a token is set (`opts.token`, else `$HF_TOKEN`): the
 * token goes only to the hub's own host `hubHost`, never to a CDN the hub redirects to.
 */
export function authHeader(url: URL, hubHost: string, opts: HubOptions): Record<string, string> {
  const token = opts.token ?? process.env['HF_TOKEN'];
  return token !== undefined && token !== '' && url.host === hubHost ? { authorization: `Bearer ${token}` } : {};
}

export function defaultEndpoint(): string {
  return process.env['HF_ENDPOINT'] ?? 'https://huggingface.co';
}

export function defaultCacheDir(): string {
  return process.env['LAYERWISE_CACHE'] ?? path.join(os.homedir(), '.cache', 'layerwise');
}

function checkNames(repo: string, file: string): void {
  if (!REPO_ID.test(repo)) throw new Error(`'${repo}' is not a repository id (expected org/name)`);
  if (file === '' || path.isAbsolute(file) || file.split('/').some((p) => p === '..' || p === '' || p === '.')) {
    throw new Error(`${repo}: '${file}' is not a file path inside the repository`);
  }
}

/** The folder that caches `repo` at `revision` (datasets apart from models, so equal names cannot collide). */
export function hubRepoCacheDir(repo: string, opts: HubOptions = {}): string {
  checkNames(repo, 'x');
  const revision = (opts.revision ?? 'main').replace(/[\\/]/g, '--');
  const root = opts.repoType === 'dataset' ? 'hub-datasets' : 'hub';
  return path.join(opts.cacheDir ?? defaultCacheDir(), root, repo.replace('/', '--'), revision);
}

/** Where `file` of `repo` at `revision` is cached. */
export function hubCachePath(repo: string, file: string, opts: HubOptions = {}): string {
  checkNames(repo, file);
  return path.join(hubRepoCacheDir(repo, opts), ...file.split('/'));
}

/** `{endpoint}/{repo}` for models, `{endpoint}/datasets/{repo}` for datasets. */
export function hubRepoUrl(repo: string, opts: HubOptions = {}): string {
  const base = (opts.endpoint ?? defaultEndpoint()).replace(/\/+$/, '');
  return opts.repoType === 'dataset' ? `${base}/datasets/${repo}` : `${base}/${repo}`;
}

/** The resolve URL of a file. */
export function hubFileUrl(repo: string, file: string, opts: HubOptions = {}): string {
  checkNames(repo, file);
  const rev = encodeURIComponent(opts.revision ?? 'main');
  return `${hubRepoUrl(repo, opts)}/resolve/${rev}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/** How errors name a repository: `org/name` for models, `dataset org/name` for datasets. */
export function repoLabel(repo: string, opts: HubOptions = {}): string {
  return opts.repoType === 'dataset' ? `dataset ${repo}` : repo;
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** An ETag as the hub writes it (`W/"..."`, quoted) reduced to its value. */
function etagValue(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return v.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function get(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (lib === undefined) {
      reject(new Error(`unsupported URL scheme in ${url.href}`));
      return;
    }
    const req = lib.get(url, { headers }, resolve);
    req.setTimeout(timeoutMs, () => req.destroy(new RetriableError(`no data from ${url.host} for ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

interface Announced {
  size: number | undefined;
  sha256: string | undefined;
}

async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve())
      .on('error', reject);
  });
  return h.digest('hex');
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * One attempt: request the rest of the file (a Range from the `.part` size), follow redirects, append.
 * Resolves with what the hub announced once the body has been written completely.
 */
async function attempt(repo: string, file: string, url: string, part: string, opts: HubOptions): Promise<Announced> {
  const name = repoLabel(repo, opts);
  const timeoutMs = opts.timeoutMs ?? 30000;
  const hubHost = new URL(url).host;
  const have = fileSize(part);
  let announced: Announced = { size: undefined, sha256: undefined };
  let current = new URL(url);
  let res: http.IncomingMessage | undefined;
  for (let hop = 0; hop <= 10; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'layerwise', 'accept-encoding': 'identity', ...authHeader(current, hubHost, opts) };
    if (have > 0) headers['range'] = `bytes=${have}-`;
    let r: http.IncomingMessage;
    try {
      r = await get(current, headers, timeoutMs);
    } catch (e) {
      const code = errorCode(e);
      if (e instanceof RetriableError || code === 'ECONNRESET' || code === 'EPIPE') throw new RetriableError(errorMessage(e));
      throw new Error(`${name}: cannot reach ${current.origin} for '${file}' (${code ?? errorMessage(e)}); files already in the cache load offline`);
    }
    if (hop === 0) {
      // The hub's own first answer describes the file; CDN answers after a redirect carry their own ETags.
      const linkedSize = header(r, 'x-linked-size');
      const etag = etagValue(header(r, 'x-linked-etag') ?? header(r, 'etag'));
      announced = {
        size: linkedSize !== undefined && /^\d+$/.test(linkedSize) ? Number(linkedSize) : undefined,
        sha256: etag !== undefined && /^[0-9a-f]{64}$/i.test(etag) ? etag.toLowerCase() : undefined,
      };
    }
    const status = r.statusCode ?? 0;
    const location = header(r, 'location');
    if (status >= 300 && status < 400 && location !== undefined) {
      r.resume();
      current = new URL(location, current);
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new Error(`${name}: fetching '${file}', the server redirected to ${current.href}; only http and https redirects are followed`);
      }
      continue;
    }
    res = r;
    break;
  }
  if (res === undefined) throw new Error(`${name}: too many redirects fetching '${file}' from ${url}`);
  const status = res.statusCode ?? 0;
  const revision = opts.revision ?? 'main';
  if (status === 404) {
    res.resume();
    throw new HubFileNotFoundError(repo, file, `${name}: file '${file}' not found at revision '${revision}' on ${new URL(url).origin} (HTTP 404 for ${url})`);
  }
  if (status === 401 || status === 403) {
    res.resume();
    throw new Error(`${name}: access to '${file}' denied (HTTP ${status}); the repository may be gated or private: set HF_TOKEN or the token option`);
  }
  if (status === 416) {
    // Nothing left to send: the part already holds the whole file (checked against the size below).
    res.resume();
    const total = /\/(\d+)$/.exec(header(res, 'content-range') ?? '');
    const served = total === null ? undefined : Number(total[1]);
    if (announced.size !== undefined && served !== undefined && served !== announced.size) throw sizeDisagreement(name, file, announced.size, served, part);
    return { size: announced.size ?? served ?? have, sha256: announced.sha256 };
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new Error(`${name}: downloading '${file}' from ${url} failed with HTTP ${status}`);
  }
  let offset = 0;
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(res, 'content-range') ?? '');
    if (m === null || Number(m[1]) !== have) {
      res.resume();
      fs.rmSync(part, { force: true });
      throw new RetriableError(`${url}: the server resumed at the wrong offset; restarting`);
    }
    offset = have;
    const served = m[3] === '*' ? undefined : Number(m[3]);
    if (announced.size !== undefined && served !== undefined && served !== announced.size) {
      res.resume();
      throw sizeDisagreement(name, file, announced.size, served, part);
    }
    if (announced.size === undefined && served !== undefined) announced.size = served;
  } else {
    const len = header(res, 'content-length');
    const served = len !== undefined && /^\d+$/.test(len) ? Number(len) : undefined;
    if (announced.size !== undefined && served !== undefined && served !== announced.size) {
      res.resume();
      throw sizeDisagreement(name, file, announced.size, served, part);
    }
    if (announced.size === undefined && served !== undefined) announced.size = served;
  }
  const expectedBody = announced.size === undefined ? undefined : announced.size - offset;
  fs.mkdirSync(path.dirname(part), { recursive: true });
  const out = fs.createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
  let received = 0;
  const body = res;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      out.end(() => reject(e));
    };
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (!out.write(chunk)) {
        body.pause();
        out.once('drain', () => body.resume());
      }
    });
    body.on('aborted', () => fail(new RetriableError(`${url}: connection closed after ${offset + received} bytes`)));
    body.on('error', (e) => fail(new RetriableError(`${url}: ${e.message}`)));
    body.on('end', () => {
      if (failed) return;
      if (expectedBody !== undefined && received < expectedBody) {
        fail(new RetriableError(`${url}: connection closed after ${offset + received} of ${announced.size ?? '?'} bytes`));
        return;
      }
      out.end(() => resolve());
    });
    body.on('close', () => {
      if (!body.complete) fail(new RetriableError(`${url}: connection closed after ${offset + received} bytes`));
    });
    out.on('error', (e) => fail(new Error(`cannot write ${part}: ${e.message}`)));
  });
  return announced;
}

/**
 * The hub's announced size (X-Linked-Size) and the size the server actually sends differ: no retry or rerun can
 * fix that, so the partial download is deleted and the error says so (instead of "run again" forever).
 */
function sizeDisagreement(name: string, file: string, announced: number, served: number, part: string): Error {
  fs.rmSync(part, { force: true });
  return new Error(
    `${name}: '${file}': the hub announces ${announced} bytes but the server sends a file of ${served} bytes; ` +
      'the repository metadata and its file disagree, so retrying will not help (the partial download was deleted)',
  );
}

/**
 * Fetch `file` of `repo` into the cache (or find it there) and return its local path. Errors name the repo
 * and file: 404, access denied, size or sha256 mismatch (the bad download is deleted), unreachable hub.
 */
export async function downloadHubFile(repo: string, file: string, opts: HubOptions = {}): Promise<HubFile> {
  const name = repoLabel(repo, opts);
  const dest = hubCachePath(repo, file, opts);
  if (fs.existsSync(dest)) return { path: dest, fromCache: true, size: fileSize(dest), sha256: undefined };
  const url = hubFileUrl(repo, file, opts);
  const part = `${dest}.part`;
  const retries = opts.retries ?? 3;
  let announced: Announced | undefined;
  let lastError: Error | undefined;
  for (let i = 0; i <= retries && announced === undefined; i++) {
    try {
      announced = await attempt(repo, file, url, part, opts);
    } catch (e) {
      if (!(e instanceof RetriableError)) throw e;
      lastError = e;
    }
  }
  if (announced === undefined) {
    throw new Error(`${name}: download of '${file}' was interrupted ${retries + 1} times (${lastError?.message ?? ''}); ${fileSize(part)} bytes kept in ${part}, run again to resume`);
  }
  const size = fileSize(part);
  if (announced.size !== undefined && size !== announced.size) {
    fs.rmSync(part, { force: true });
    throw new Error(`${name}: '${file}' has ${size} bytes but the hub announced ${announced.size}; the download was deleted, run again`);
  }
  if (announced.sha256 !== undefined) {
    const got = await sha256File(part);
    if (got !== announced.sha256) {
      fs.rmSync(part, { force: true });
      throw new Error(`${name}: sha256 mismatch for '${file}': the hub announced ${announced.sha256} but the download hashes to ${got}; the download was deleted`);
    }
  }
  fs.renameSync(part, dest);
  return { path: dest, fromCache: false, size, sha256: announced.sha256 };
}

/**
 * Like `downloadHubFile`, for files a repository may lack (configs): a 404 is remembered in the cache
 * (`<file>.absent`) so that offline loads know the file does not exist, and gives `undefined`.
 */
export async function downloadOptionalHubFile(repo: string, file: string, opts: HubOptions = {}): Promise<string | undefined> {
  const dest = hubCachePath(repo, file, opts);
  if (fs.existsSync(dest)) return dest;
  const marker = `${dest}.absent`;
  if (fs.existsSync(marker)) return undefined;
  try {
    return (await downloadHubFile(repo, file, opts)).path;
  } catch (e) {
    if (!(e instanceof HubFileNotFoundError)) throw e;
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.writeFileSync(marker, `${e.message}\n`);
    return undefined;
  }
}
