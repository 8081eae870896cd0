/**
 * loadHubDataset against a hub served on 127.0.0.1 by the test: Parquet files the test writes (hyparquet-writer)
 * with WAV bytes in an Audio column, ClassLabel names in the `huggingface` metadata, several row groups and
 * shards; the tree API paged by Link headers; LFS files behind a CDN redirect with X-Linked-Size/Etag. Seed 000's
 * `filter(label in range(11)).shuffle(seed=42).select(range(20))` is checked against rows NumPy picked
 * (test/fixtures/hub/numpy_permutation_reference.py).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAudio } from '../../src/data/audio/loadAudio';
import { loadHubDataset, parseHubSource, type LoadHubDatasetOptions } from '../../src/data/datasets/loadHubDataset';
import { loadManifest } from '../../src/data/datasets/loadManifest';
import { run as dataCli } from '../../src/cli/data';
import { run as extractCli } from '../../src/cli/extract';
import { readFeatureStoreMeta } from '../../src/store/FeatureStoreMeta';
import { withEnv } from '../withEnv';
import { clip, parquet, put, SC_FEATURES, SC_NAMES, speechCommandsRows, startHub, type Column, type Hub } from './hubServer';

const REF = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'hub', 'numpy_permutation.json'), 'utf8')) as { speechCommandsSample: number[]; shuffle60First12: number[] };

describe('loadHubDataset', () => {
  let hub: Hub;
  let cacheDir: string;
  const opts = (o: LoadHubDatasetOptions = {}): LoadHubDatasetOptions => ({ endpoint: hub.endpoint, cacheDir, ...o });

  beforeAll(async () => {
    hub = await startHub();
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-hubdata-'));
    // a script-based dataset: nothing but the script on main, Parquet only in the hub's conversion (2 shards, 4 row groups each)
    put(hub, 'speech_commands', 'main', { 'speech_commands.py': Buffer.from('# loading script\n'), 'README.md': Buffer.from('# Speech Commands\n') });
    put(hub, 'speech_commands', 'refs/convert/parquet', {
      'v0.02/test/0000.parquet': parquet(speechCommandsRows(0, 32), SC_FEATURES, 8),
      'v0.02/test/0001.parquet': parquet(speechCommandsRows(32, 60), SC_FEATURES, 8),
      'v0.02/train/0000.parquet': parquet(speechCommandsRows(100, 104), SC_FEATURES, 8),
      'v0.01/test/0000.parquet': parquet(speechCommandsRows(0, 4), SC_FEATURES, 8),
    });
    // a pushed dataset: its own data/<split>-NNNNN-of-NNNNN.parquet files, no huggingface metadata on one split
    const libri = (from: number, to: number): Column[] => {
      const rows = Array.from({ length: to - from }, (_, i) => from + i);
      return [
        { name: 'audio', data: rows.map((r) => ({ bytes: new Uint8Array(clip(r, 8000)), path: null })) },
        { name: 'text', data: rows.map((r) => `utterance number ${r}`) },
        { name: 'speaker_id', data: rows.map((r) => 100 + (r % 2)) },
        { name: 'id', data: rows.map((r) => `100-${r}`) },
      ];
    };
    put(hub, 'someone/librispeech_clips', 'main', {
      'README.md': Buffer.from('---\nconfigs: []\n---\n'),
      'data/train-00000-of-00002.parquet': parquet(libri(0, 5), { audio: { sampling_rate: 8000, _type: 'Audio' }, text: { dtype: 'string', _type: 'Value' } }, 3),
      'data/train-00001-of-00002.parquet': parquet(libri(5, 9), undefined, 3),
      'data/test-00000-of-00001.parquet': parquet(libri(9, 10), undefined, 3),
    });
    const good = parquet(speechCommandsRows(0, 4), SC_FEATURES, 8);
    put(hub, 'broken/truncated', 'main', { 'data/train-00000-of-00001.parquet': good.subarray(0, good.length - 100) });
    put(hub, 'broken/no-audio', 'main', {
      'data/train-00000-of-00001.parquet': parquet([{ name: 'text', data: ['a', 'b'] }, { name: 'label', data: [0, 1] }], { label: { names: ['x', 'y'], _type: 'ClassLabel' } }, 8),
    });
  });

  afterAll(async () => {
    await hub.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it("reads a script dataset's split from the hub's Parquet conversion, in source order, with ClassLabel ids and names", async () => {
    const progress: [number, number][] = [];
    const ds = await loadHubDataset('speech_commands', opts({ config: 'v0.02', split: 'test', onProgress: (r, t) => progress.push([r, t]) }));
    expect(ds.length).toBe(60);
    expect(ds.items.map((x) => x.row)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const x = ds.at(13);
    expect(x.id).toBe('no/spk6_nohash_13.wav');
    expect(x.label).toBe('no');
    expect(x.speaker).toBe('spk6');
    expect(x.columns).toEqual({ file: 'no/spk6_nohash_13.wav', label: 1, is_unknown: false, speaker_id: 'spk6', utterance_id: 1 });
    // the audio is the bytes the row held, as a file loadAudio reads
    expect(fs.readFileSync(x.path).equals(clip(13))).toBe(true);
    const audio = await loadAudio(x.path, { sampleRate: null });
    expect(audio.sampleRate).toBe(16000);
    expect(audio.frames).toBe(1600);
    // row groups of 8 in files of 32 and 28 rows
    expect(progress.map(([r]) => r)).toEqual([8, 16, 24, 32, 40, 48, 56, 60]);
    expect(progress.every(([, t]) => t === 60)).toBe(true);
  });

  it("filter(label in range(11)).shuffle(seed=42).select(range(20)) picks NumPy's rows", async () => {
    const ds = await loadHubDataset('speech_commands', opts({ config: 'v0.02', split: 'test' }));
    const sample = ds.filter((x) => typeof x.columns['label'] === 'number' && x.columns['label'] < 11).shuffle(42, { like: 'datasets' }).select(20);
    expect(sample.items.map((x) => x.row)).toEqual(REF.speechCommandsSample);
  });

  it("reads a pushed dataset's own data files; ids, transcripts and speakers from its columns; works offline from the cache", async () => {
    const ds = await loadHubDataset('someone/librispeech_clips', opts({ split: 'train' }));
    expect(ds.items.map((x) => x.id)).toEqual(Array.from({ length: 9 }, (_, i) => `100-${i}`));
    expect(ds.at(6)).toMatchObject({ transcript: 'utterance number 6', speaker: '100', row: 6 });
    expect(ds.at(6).label).toBeUndefined();
    expect(fs.readFileSync(ds.at(6).path).equals(clip(6, 8000))).toBe(true);
    const resampled = await loadAudio(ds.at(6).path, { sampleRate: 16000 });
    expect(resampled.frames).toBe(1600);
    const before = hub.requests.length;
    const again = await loadHubDataset('someone/librispeech_clips', opts({ split: 'train' }));
    expect(hub.requests.length).toBe(before);
    expect(again.items).toEqual(ds.items);
  });

  it('streams: reads footers and row groups by range requests, and with a limit never touches the files past it', async () => {
    const streamCache = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-hubstream-'));
    try {
      const whole = await loadHubDataset('speech_commands', opts({ config: 'v0.02', split: 'test' }));
      const first = hub.requests.length;
      const ten = await loadHubDataset('speech_commands', opts({ config: 'v0.02', split: 'test', streaming: true, limit: 10, cacheDir: streamCache }));
      const asked = hub.requests.slice(first);
      expect(ten.items.map((x) => [x.id, x.label, x.row])).toEqual(whole.items.slice(0, 10).map((x) => [x.id, x.label, x.row]));
      for (const [a, b] of ten.items.map((x, i) => [x, whole.at(i)] as const)) expect(fs.readFileSync(a.path).equals(fs.readFileSync(b.path))).toBe(true);
      // only HEADs of the resolve URL and ranged GETs of the first file's bytes; the second shard is never asked for
      const cdnGets = asked.filter((r) => r.startsWith('GET /cdn/'));
      expect(cdnGets.length).toBeGreaterThan(0);
      expect(cdnGets.every((r) => / bytes=\d+-\d+$/.test(r))).toBe(true);
      expect(asked.some((r) => r.includes('0001.parquet'))).toBe(false);
      expect(asked.filter((r) => r.startsWith('HEAD /datasets/speech_commands/resolve/refs%2Fconvert%2Fparquet/v0.02/test/0000.parquet'))).toHaveLength(1);
      const all = await loadHubDataset('speech_commands', opts({ config: 'v0.02', split: 'test', streaming: true, cacheDir: streamCache }));
      expect(all.items.map((x) => [x.id, x.label, x.columns])).toEqual(whole.items.map((x) => [x.id, x.label, x.columns]));
    } finally {
      fs.rmSync(streamCache, { recursive: true, force: true });
    }
  });

  it('hub:REPO/CONFIG/SPLIT names a split; the CLI writes an offline folder and extracts the seeds\' shuffled sample', async () => {
    expect(parseHubSource('hub:speech_commands/v0.02/test')).toEqual({ repo: 'speech_commands', config: 'v0.02', split: 'test' });
    expect(parseHubSource('hub:org/name/default/train')).toEqual({ repo: 'org/name', config: 'default', split: 'train' });
    expect(parseHubSource('../data/spoken-words')).toBeUndefined();
    expect(() => parseHubSource('hub:speech_commands/test')).toThrow('a hub dataset is written hub:REPO/CONFIG/SPLIT');
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-hubcli-'));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await withEnv({ HF_ENDPOINT: hub.endpoint, LAYERWISE_CACHE: cacheDir }, async () => {
        expect(await dataCli(['get', 'hub:speech_commands/v0.02/test', '--out', path.join(work, 'sc')])).toBe(0);
        const manifest = loadManifest(path.join(work, 'sc', 'manifest.jsonl'));
        expect(manifest.length).toBe(60);
        expect(manifest.at(13)).toMatchObject({ id: 'no/spk6_nohash_13.wav', label: 'no', speaker: 'spk6' });
        expect(fs.readFileSync(manifest.at(13).path).equals(clip(13))).toBe(true);
        const lines = fs.readFileSync(path.join(work, 'sc', 'manifest.jsonl'), 'utf8').trim().split('\n');
        expect(JSON.parse(lines[13] ?? '')).toMatchObject({ row: 13, columns: { label: 1, is_unknown: false, utterance_id: 1 } });

        const store = path.join(work, 'store');
        const model = path.join(__dirname, '..', '..', 'models', 'wav2vec2-tiny-random', 'model.onnx');
        expect(await extractCli(['--model', model, '--data', 'hub:speech_commands/v0.02/test', '--seed', '42', '--limit', '12', '--layers', '0,1', '--out', store, '--no-progress'])).toBe(0);
        const ids = readFeatureStoreMeta(store).items.map((i) => i.id);
        expect(ids).toEqual(REF.shuffle60First12.map((r) => `${SC_NAMES[r % 12] ?? ''}/spk${r % 7}_nohash_${r}.wav`));
      });
    } finally {
      out.mockRestore();
      err.mockRestore();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('names repo, config, split and file in every error', async () => {
    await expect(loadHubDataset('speech_commands', opts({ config: 'v0.02', split: 'validation' }))).rejects.toThrow(
      "dataset speech_commands, config 'v0.02', split 'validation': no such split in the hub's Parquet conversion (splits: test, train)",
    );
    await expect(loadHubDataset('speech_commands', opts({ config: 'v0.03', split: 'test' }))).rejects.toThrow(
      "dataset speech_commands, config 'v0.03', split 'test': the hub's Parquet conversion has no config 'v0.03' (configs: v0.01, v0.02",
    );
    await expect(loadHubDataset('someone/librispeech_clips', opts({ split: 'validation' }))).rejects.toThrow(
      "dataset someone/librispeech_clips, config 'default', split 'validation': no Parquet file of that split at revision 'main' (splits found: test, train)",
    );
    await expect(loadHubDataset('broken/truncated', opts())).rejects.toThrow(
      /^dataset broken\/truncated, config 'default', split 'train', file 'data\/train-00000-of-00001.parquet': cannot read Parquet file \(no Parquet footer/,
    );
    await expect(loadHubDataset('broken/no-audio', opts())).rejects.toThrow(
      "dataset broken/no-audio, config 'default', split 'train', file 'data/train-00000-of-00001.parquet': no Audio column (columns: text, label)",
    );
    await expect(loadHubDataset('nobody/nothing', opts())).rejects.toThrow(/dataset nobody\/nothing: no files at revision 'main' \(HTTP 404/);
  });
});
