/**
 * The hub download code against a local HTTP server started here, which behaves like huggingface.co:
 * LFS files answer with a redirect carrying X-Linked-Etag (sha256) and X-Linked-Size, the CDN honours
 * Range requests, small files answer directly with a git-sha1 ETag.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadHubFile, downloadOptionalHubFile, hubCachePath, HubFileNotFoundError } from '../../src/hub/downloadHubFile';
import { loadModel } from '../../src/model/loadModel';
import { loadTextModel } from '../../src/model/text/loadTextModel';
import { readModelProto } from '../../src/onnx/readModelProto';
import { FAMILIES, familyRef, FIXTURES, refActivation, refAudio, refIndex, relMaxError, writeWithExternalData } from './modelFixtures';
import { at } from '../../src/util/at';

interface Served {
  body: Buffer;
  /** Serve through a CDN redirect with X-Linked-* headers (an LFS file). */
  lfs: boolean;
  /** Announce this sha256 instead of the real one. */
  announceSha?: string;
  /** On the first CDN request, send this many bytes and then drop the connection. */
  cutAfter?: number;
  /** Announce this size (X-Linked-Size) instead of the real one. */
  announceSize?: number;
  /** Answer the hub request with a redirect to this location instead. */
  redirectTo?: string;
}

interface Hub {
  endpoint: string;
  files: Map<string, Served>;
  requests: { url: string; range: string | undefined }[];
  close(): Promise<void>;
}

async function startHub(): Promise<Hub> {
  const files = new Map<string, Served>();
  const requests: { url: string; range: string | undefined }[] = [];
  const cut = new Set<string>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    const range = req.headers['range'];
    requests.push({ url, range: typeof range === 'string' ? range : undefined });
    const cdn = /^\/cdn\/(.+)$/.exec(url);
    const key = cdn === null ? url : decodeURIComponent(at(cdn, 1));
    const f = files.get(key);
    if (f === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Entry not found');
      return;
    }
    const sha = crypto.createHash('sha256').update(f.body).digest('hex');
    if (cdn === null && f.redirectTo !== undefined) {
      res.writeHead(302, { location: f.redirectTo });
      res.end();
      return;
    }
    if (cdn === null && f.lfs) {
      res.writeHead(302, {
        location: `/cdn/${encodeURIComponent(key)}`,
        'x-linked-etag': `"${f.announceSha ?? sha}"`,
        'x-linked-size': String(f.announceSize ?? f.body.length),
        etag: `W/"${crypto.createHash('sha1').update(f.body).digest('hex')}"`,
      });
      res.end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    if (!f.lfs) headers['etag'] = `"${crypto.createHash('sha1').update(f.body).digest('hex')}"`;
    let start = 0;
    const m = typeof range === 'string' ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m !== null) {
      start = Number(m[1]);
      if (start >= f.body.length) {
        res.writeHead(416, { 'content-range': `bytes */${f.body.length}` });
        res.end();
        return;
      }
      headers['content-range'] = `bytes ${start}-${f.body.length - 1}/${f.body.length}`;
    }
    headers['content-length'] = String(f.body.length - start);
    res.writeHead(m === null ? 200 : 206, headers);
    if (f.cutAfter !== undefined && !cut.has(key)) {
      cut.add(key);
      res.write(f.body.subarray(start, f.cutAfter), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(f.body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    files,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let hub: Hub;
const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-hub-'));
let n = 0;
const freshCache = () => path.join(cacheRoot, `c${n++}`);

beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => {
  await hub.close();
  fs.rmSync(cacheRoot, { recursive: true, force: true });
});

const payload = (len: number, seed: number) => {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * 131 + seed * 7 + (i >> 8)) & 255;
  return b;
};

test('an LFS file follows the redirect, is checked against X-Linked-Etag / X-Linked-Size and is then served from the cache', async () => {
  const body = payload(100000, 1);
  hub.files.set('/org/a/resolve/main/onnx/model.onnx', { body, lfs: true });
  const cacheDir = freshCache();
  const r = await downloadHubFile('org/a', 'onnx/model.onnx', { endpoint: hub.endpoint, cacheDir });
  expect(r.fromCache).toBe(false);
  expect(r.path).toBe(path.join(cacheDir, 'hub', 'org--a', 'main', 'onnx', 'model.onnx'));
  expect(r.sha256).toBe(crypto.createHash('sha256').update(body).digest('hex'));
  expect(fs.readFileSync(r.path).equals(body)).toBe(true);
  expect(fs.existsSync(`${r.path}.part`)).toBe(false);
  const before = hub.requests.length;
  const again = await downloadHubFile('org/a', 'onnx/model.onnx', { endpoint: hub.endpoint, cacheDir });
  expect(again.fromCache).toBe(true);
  expect(hub.requests.length).toBe(before);
});

test('a dropped connection leaves a .part file that the next call resumes with a Range request', async () => {
  const body = payload(200000, 2);
  hub.files.set('/org/b/resolve/v1/onnx/model.onnx', { body, lfs: true, cutAfter: 70000 });
  const opts = { endpoint: hub.endpoint, cacheDir: freshCache(), revision: 'v1', retries: 0 };
  await expect(downloadHubFile('org/b', 'onnx/model.onnx', opts)).rejects.toThrow(/org\/b: download of 'onnx\/model\.onnx' was interrupted 1 times .* 70000 bytes kept in .*model\.onnx\.part, run again to resume/);
  const dest = hubCachePath('org/b', 'onnx/model.onnx', opts);
  expect(fs.statSync(`${dest}.part`).size).toBe(70000);
  const r = await downloadHubFile('org/b', 'onnx/model.onnx', opts);
  expect(fs.readFileSync(r.path).equals(body)).toBe(true);
  const cdn = hub.requests.filter((q) => q.url.startsWith('/cdn/') && q.url.includes('org%2Fb'));
  expect(cdn.map((q) => q.range)).toEqual([undefined, 'bytes=70000-']);
});

test('with retries, a dropped transfer resumes within one call', async () => {
  const body = payload(150000, 3);
  hub.files.set('/org/c/resolve/main/onnx/model.onnx', { body, lfs: true, cutAfter: 50000 });
  const r = await downloadHubFile('org/c', 'onnx/model.onnx', { endpoint: hub.endpoint, cacheDir: freshCache() });
  expect(fs.readFileSync(r.path).equals(body)).toBe(true);
  expect(hub.requests.filter((q) => q.url.includes('org%2Fc')).map((q) => q.range)).toEqual([undefined, 'bytes=50000-']);
});

test('a sha256 mismatch is a clear error and nothing is kept', async () => {
  hub.files.set('/org/d/resolve/main/onnx/model.onnx', { body: payload(5000, 4), lfs: true, announceSha: 'ab'.repeat(32) });
  const opts = { endpoint: hub.endpoint, cacheDir: freshCache() };
  await expect(downloadHubFile('org/d', 'onnx/model.onnx', opts)).rejects.toThrow(
    /org\/d: sha256 mismatch for 'onnx\/model\.onnx': the hub announced (ab){32} but the download hashes to [0-9a-f]{64}; the download was deleted/,
  );
  const dest = hubCachePath('org/d', 'onnx/model.onnx', opts);
  expect(fs.existsSync(dest) || fs.existsSync(`${dest}.part`)).toBe(false);
});

test('404 names the repo, file and revision; optional files remember that they are absent', async () => {
  const opts = { endpoint: hub.endpoint, cacheDir: freshCache() };
  const err = await downloadHubFile('org/missing', 'onnx/model.onnx', opts).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HubFileNotFoundError);
  expect((err as Error).message).toMatch(/^org\/missing: file 'onnx\/model\.onnx' not found at revision 'main' on http:\/\/127\.0\.0\.1:\d+ \(HTTP 404/);
  expect(await downloadOptionalHubFile('org/missing', 'preprocessor_config.json', opts)).toBeUndefined();
  expect(fs.existsSync(`${hubCachePath('org/missing', 'preprocessor_config.json', opts)}.absent`)).toBe(true);
  // remembered: no request, even with the hub unreachable
  expect(await downloadOptionalHubFile('org/missing', 'preprocessor_config.json', { ...opts, endpoint: 'http://127.0.0.1:1' })).toBeUndefined();
});

test('an unreachable hub with nothing cached is a clear error', async () => {
  await expect(downloadHubFile('org/a', 'onnx/model.onnx', { endpoint: 'http://127.0.0.1:1', cacheDir: freshCache() })).rejects.toThrow(
    /org\/a: cannot reach http:\/\/127\.0\.0\.1:1 for 'onnx\/model\.onnx' \(ECONNREFUSED\)/,
  );
});

test('loadModel downloads a repo (model, config.json, preprocessor_config.json), runs it, and loads it again offline', async () => {
  const dir = path.join(FIXTURES, 'w2v2_postln');
  hub.files.set('/org/w2v2/resolve/main/onnx/model.onnx', { body: fs.readFileSync(path.join(dir, 'model.onnx')), lfs: true });
  hub.files.set('/org/w2v2/resolve/main/config.json', { body: fs.readFileSync(path.join(dir, 'config.json')), lfs: false });
  hub.files.set('/org/w2v2/resolve/main/preprocessor_config.json', { body: fs.readFileSync(path.join(dir, 'preprocessor_config.json')), lfs: false });
  const cacheDir = freshCache();
  const clip = refIndex().clips[1] as string;
  const check = async (endpoint: string) => {
    const m = await loadModel('org/w2v2', { endpoint, cacheDir, threads: 1 });
    try {
      expect(m.id).toBe('org/w2v2');
      expect(m.hash).toBe(crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'model.onnx'))).digest('hex'));
      expect(m.info.preprocessorFile).toBe(hubCachePath('org/w2v2', 'preprocessor_config.json', { cacheDir }));
      const cache = await m.run(refAudio(clip));
      expect(cache.names).toEqual(['hidden.0', 'hidden.1', 'hidden.2', 'hidden.3']);
      for (const name of cache.names) expect(relMaxError(cache.get(name), refActivation('w2v2_postln', clip, name))).toBeLessThan(1e-4);
    } finally {
      await m.release();
    }
  };
  await check(hub.endpoint);
  await check('http://127.0.0.1:1');
  await expect(loadModel('org/w2v2', { endpoint: hub.endpoint, cacheDir, quantized: true })).rejects.toThrow(/org\/w2v2: file 'onnx\/model_quantized\.onnx' not found/);
});

test('loadTextModel downloads a text repo (weights, config.json, tokenizer.json, tokenizer_config.json), runs it like PyTorch, and loads it again offline', async () => {
  const dir = path.join(FIXTURES, 'text', 'bert');
  for (const f of ['model.safetensors', 'config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    hub.files.set(`/org/bert/resolve/main/${f}`, { body: fs.readFileSync(path.join(dir, f)), lfs: f.endsWith('.safetensors') });
  }
  const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as { sentences: { text: string; ids: number[]; hidden?: { offset: number; shape: [number, number] }[] }[] };
  const bin = fs.readFileSync(path.join(dir, 'reference.bin'));
  const s = at(ref.sentences, 0);
  const last = at(s.hidden ?? [], 2);
  const want = { rows: last.shape[0], cols: last.shape[1], data: Float32Array.from({ length: last.shape[0] * last.shape[1] }, (_, i) => bin.readFloatLE(last.offset + 4 * i)) };
  const cacheDir = freshCache();
  const check = async (endpoint: string) => {
    const m = await loadTextModel('org/bert', { endpoint, cacheDir, threads: 1 });
    try {
      expect([m.id, m.info.source, m.info.tokenizerFile]).toEqual(['org/bert', 'weights', hubCachePath('org/bert', 'tokenizer.json', { cacheDir })]);
      const tok = m.tokenizeWords(s.text.split(' '));
      expect(tok.ids).toEqual(s.ids);
      expect(relMaxError((await m.run(tok.ids)).get('hidden.2'), want)).toBeLessThan(1e-4);
    } finally {
      await m.release();
    }
  };
  await check(hub.endpoint);
  await check('http://127.0.0.1:1');
  hub.files.delete('/org/bert/resolve/main/tokenizer.json');
  await expect(loadTextModel('org/bert', { endpoint: hub.endpoint, cacheDir: freshCache() })).rejects.toThrow(/org\/bert: file 'tokenizer\.json' not found/);
});

test('a hub model with external data gets its data file too; a repo without configs uses the defaults', async () => {
  const local = path.join(cacheRoot, 'ext-src', 'model.onnx');
  writeWithExternalData(readModelProto(path.join(FIXTURES, 'hubert', 'model.onnx')), local);
  hub.files.set('/org/ext/resolve/main/onnx/model.onnx', { body: fs.readFileSync(local), lfs: true });
  hub.files.set('/org/ext/resolve/main/onnx/weights.bin', { body: fs.readFileSync(path.join(path.dirname(local), 'weights.bin')), lfs: true });
  const cacheDir = freshCache();
  const m = await loadModel('org/ext', { endpoint: hub.endpoint, cacheDir, threads: 1 });
  try {
    expect(fs.existsSync(hubCachePath('org/ext', 'onnx/weights.bin', { cacheDir }))).toBe(true);
    expect(fs.existsSync(`${hubCachePath('org/ext', 'preprocessor_config.json', { cacheDir })}.absent`)).toBe(true);
    expect([m.info.configFile, m.info.preprocessorFile, m.info.normalize]).toEqual([undefined, undefined, true]);
    const clip = refIndex().clips[2] as string;
    const cache = await m.run(refAudio(clip));
    for (const name of cache.names) expect(relMaxError(cache.get(name), refActivation('hubert', clip, name))).toBeLessThan(1e-4);
  } finally {
    await m.release();
  }
});

test('a hub CTC model (logits output) fetches vocab.json and the tokenizer files, and transcribes like PyTorch', async () => {
  const dir = path.join(FIXTURES, 'w2v2_ctc');
  for (const f of ['config.json', 'preprocessor_config.json', 'vocab.json', 'special_tokens_map.json']) {
    hub.files.set(`/org/ctc/resolve/main/${f}`, { body: fs.readFileSync(path.join(dir, f)), lfs: false });
  }
  hub.files.set('/org/ctc/resolve/main/onnx/model.onnx', { body: fs.readFileSync(path.join(dir, 'model.onnx')), lfs: true });
  const cacheDir = freshCache();
  const ref = JSON.parse(fs.readFileSync(path.join(dir, 'ctc_reference.json'), 'utf8')) as { clip: string; transcript: string };
  const m = await loadModel('org/ctc', { endpoint: hub.endpoint, cacheDir, threads: 1 });
  try {
    expect(m.info.vocabFile).toBe(hubCachePath('org/ctc', 'vocab.json', { cacheDir }));
    expect(fs.existsSync(hubCachePath('org/ctc', 'special_tokens_map.json', { cacheDir }))).toBe(true);
    expect(fs.existsSync(`${hubCachePath('org/ctc', 'tokenizer_config.json', { cacheDir })}.absent`)).toBe(true);
    const transcribe = m.transcribe;
    if (transcribe === undefined) throw new Error('the hub CTC model has no transcribe');
    expect(await transcribe(refAudio(ref.clip))).toBe(ref.transcript);
  } finally {
    await m.release();
  }
});

test('a redirect to file:// is refused by name, and a hub whose announced size its server never sends gives up at once', async () => {
  hub.files.set('/org/file/resolve/main/onnx/model.onnx', { body: payload(10, 7), lfs: false, redirectTo: 'file:///etc/passwd' });
  const opts = { endpoint: hub.endpoint, cacheDir: freshCache(), retries: 2 };
  await expect(downloadHubFile('org/file', 'onnx/model.onnx', opts)).rejects.toThrow(/org\/file: fetching 'onnx\/model\.onnx', the server redirected to file:\/\/\/etc\/passwd; only http and https redirects are followed/);

  hub.files.set('/org/short/resolve/main/onnx/model.onnx', { body: payload(5000, 8), lfs: true, announceSize: 6000 });
  const before = hub.requests.length;
  await expect(downloadHubFile('org/short', 'onnx/model.onnx', opts)).rejects.toThrow(
    /org\/short: 'onnx\/model\.onnx': the hub announces 6000 bytes but the server sends a file of 5000 bytes; .*retrying will not help/,
  );
  // One redirect and one CDN request: no retries, and no partial download left to "resume" forever.
  expect(hub.requests.length - before).toBe(2);
  expect(fs.existsSync(`${hubCachePath('org/short', 'onnx/model.onnx', opts)}.part`)).toBe(false);
});

test("a pull-request revision ('refs/pr/N', where bots put safetensors) is sent URL-encoded and cached apart", async () => {
  // The hub resolves `resolve/refs%2Fpr%2F3/...`: the slashes of a ref belong to the revision, not the path.
  const body = payload(3000, 9);
  hub.files.set('/org/pr/resolve/refs%2Fpr%2F3/model.safetensors', { body, lfs: false });
  const cacheDir = freshCache();
  const r = await downloadHubFile('org/pr', 'model.safetensors', { endpoint: hub.endpoint, cacheDir, revision: 'refs/pr/3' });
  expect(fs.readFileSync(r.path).equals(body)).toBe(true);
  expect(r.path).toBe(path.join(cacheDir, 'hub', 'org--pr', 'refs--pr--3', 'model.safetensors'));
  expect(hub.requests.some((q) => q.url === '/org/pr/resolve/refs%2Fpr%2F3/model.safetensors')).toBe(true);
  await expect(downloadHubFile('org/pr', 'model.safetensors', { endpoint: hub.endpoint, cacheDir: freshCache(), revision: 'main', retries: 0 })).rejects.toThrow(/not found at revision 'main'/);
});

describe('hub resolution order: the ONNX export, else model.safetensors, else pytorch_model.bin', () => {
  const FAMILY = path.join(FAMILIES, 'hubert');
  const familyFile = (f: string): Buffer => fs.readFileSync(path.join(FAMILY, f));
  const serve = (repo: string, revision: string, files: readonly string[]): void => {
    for (const f of ['config.json', 'preprocessor_config.json']) hub.files.set(`/${repo}/resolve/${encodeURIComponent(revision)}/${f}`, { body: familyFile(f), lfs: false });
    for (const f of files) hub.files.set(`/${repo}/resolve/${encodeURIComponent(revision)}/${f}`, { body: familyFile(f), lfs: true });
  };
  const clip = () => refAudio(at(refIndex().clips, 1));

  test('a repo with only pytorch_model.bin (facebook/wav2vec2-base) is built from it, after asking for the ONNX file and safetensors', async () => {
    serve('org/binonly', 'main', ['pytorch_model.bin']);
    const cacheDir = freshCache();
    const before = hub.requests.length;
    const m = await loadModel('org/binonly', { endpoint: hub.endpoint, cacheDir, threads: 1 });
    try {
      const asked = hub.requests.slice(before).map((q) => q.url).filter((u) => !u.startsWith('/cdn/'));
      expect(asked.slice(0, 3)).toEqual(['/org/binonly/resolve/main/onnx/model.onnx', '/org/binonly/resolve/main/model.safetensors', '/org/binonly/resolve/main/pytorch_model.bin']);
      expect([m.info.builtFrom, m.info.map.source, m.id]).toEqual(['torch-zip', 'built', 'org/binonly']);
      expect((await m.run(clip())).names).toEqual(['hidden.0', 'hidden.1', 'hidden.2']);
    } finally {
      await m.release();
    }
    // Offline afterwards: the 404s are remembered, so a second load asks the hub nothing.
    const again = hub.requests.length;
    const m2 = await loadModel('org/binonly', { endpoint: 'http://127.0.0.1:1', cacheDir, threads: 1 });
    await m2.release();
    expect(hub.requests.length).toBe(again);
  });

  test('safetensors wins over .bin; an ONNX export wins over both unless from: weights', async () => {
    serve('org/both', 'main', ['model.safetensors', 'pytorch_model.bin']);
    const m = await loadModel('org/both', { endpoint: hub.endpoint, cacheDir: freshCache(), threads: 1 });
    expect(m.info.builtFrom).toBe('safetensors');
    await m.release();
    hub.files.set('/org/withonnx/resolve/main/onnx/model.onnx', { body: fs.readFileSync(path.join(FIXTURES, 'hubert', 'model.onnx')), lfs: true });
    serve('org/withonnx', 'main', ['model.safetensors']);
    const fromOnnx = await loadModel('org/withonnx', { endpoint: hub.endpoint, cacheDir: freshCache(), threads: 1, normalize: true });
    expect([fromOnnx.info.builtFrom, fromOnnx.info.map.source]).toEqual([undefined, 'structure']);
    await fromOnnx.release();
    const fromWeights = await loadModel('org/withonnx', { endpoint: hub.endpoint, cacheDir: freshCache(), threads: 1, from: 'weights' });
    expect([fromWeights.info.builtFrom, fromWeights.info.map.source]).toEqual(['safetensors', 'built']);
    await fromWeights.release();
  });

  test("safetensors only in a bot's refs/pr/N revision", async () => {
    serve('org/botpr', 'refs/pr/7', ['model.safetensors']);
    const m = await loadModel('org/botpr', { endpoint: hub.endpoint, cacheDir: freshCache(), threads: 1, revision: 'refs/pr/7' });
    try {
      expect([m.id, m.info.builtFrom]).toEqual(['org/botpr@refs/pr/7', 'safetensors']);
      const err = relMaxError((await m.run(clip())).get('hidden.2'), familyRef('hubert', at(refIndex().clips, 1), 'hidden.2'));
      expect(err).toBeLessThan(1e-4);
    } finally {
      await m.release();
    }
  });

  test('a repo with none of them names every file it tried; a checkpoint without config.json is an error', async () => {
    await expect(loadModel('org/empty', { endpoint: hub.endpoint, cacheDir: freshCache(), threads: 1 })).rejects.toThrow(
      /org\/empty: the repository has none of onnx\/model\.onnx, model\.safetensors, pytorch_model\.bin at revision main/,
    );
    hub.files.set('/org/noconfig/resolve/main/model.safetensors', { body: familyFile('model.safetensors'), lfs: true });
    await expect(loadModel('org/noconfig', { endpoint: hub.endpoint, cacheDir: freshCache(), threads: 1, retries: 0 })).rejects.toThrow(/org\/noconfig.*config\.json/);
  });
});
