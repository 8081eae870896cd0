import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run as runSynthCli } from '../../src/cli/synth';
import { decodeWav } from '../../src/data/audio/decodeWav';
import { loadAudio } from '../../src/data/audio/loadAudio';
import { loadLabelledFolders } from '../../src/data/datasets/loadLabelledFolders';
import { loadLibriSpeech } from '../../src/data/datasets/loadLibriSpeech';
import { synthesizeSpokenSentences } from '../../src/data/synth/synthesizeSpokenSentences';
import { synthesizeSpokenWords } from '../../src/data/synth/synthesizeSpokenWords';
import { requireTool, snapshot, soxDecode64, tempDir } from './helpers';
import { at } from '../../src/util/at';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  requireTool('espeak-ng');
  requireTool('flac');
  ({ dir, cleanup } = tempDir('synth'));
});
afterAll(() => cleanup());

function expectIdentical(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [k, v] of a) expect({ file: k, same: (b.get(k) as Buffer).equals(v) }).toEqual({ file: k, same: true });
}

describe('synthesizeSpokenWords', () => {
  const opts = { words: ['yes', 'no'], variants: 10, seed: 7 };
  let first: Map<string, Buffer>;

  test('writes a Speech Commands folder of 1 s, 16 kHz, 16-bit mono clips with the speech centred', async () => {
    const out = join(dir, 'words-a');
    const result = await synthesizeSpokenWords({ ...opts, outDir: out });
    expect(result).toMatchObject({ written: 20, skipped: 0 });
    expect(Object.keys(result.speakers)).toEqual(['s000', 's001', 's002', 's003', 's004', 's005', 's006', 's007', 's008', 's009']);
    first = snapshot(out);
    expect([...first.keys()].filter((k) => !k.endsWith('.wav'))).toEqual(['synthesis.json', 'testing_list.txt', 'validation_list.txt']);
    for (const [name, bytes] of first) {
      if (!name.endsWith('.wav')) continue;
      expect(name).toMatch(/^(yes|no)\/s00\d_nohash_0\.wav$/);
      // Canonical 44-byte header, 16-bit PCM mono at 16 kHz, exactly one second.
      expect(bytes.length).toBe(44 + 32000);
      expect([bytes.readUInt16LE(20), bytes.readUInt16LE(22), bytes.readUInt32LE(24), bytes.readUInt16LE(34)]).toEqual([1, 1, 16000, 16]);
      const x = decodeWav(bytes, name).channels[0] as Float32Array;
      let firstLoud = -1;
      let lastLoud = -1;
      let peak = 0;
      for (const v of x) peak = Math.max(peak, Math.abs(v));
      x.forEach((v, i) => {
        if (Math.abs(v) >= 0.01 * peak) {
          if (firstLoud < 0) firstLoud = i;
          lastLoud = i;
        }
      });
      const voice = result.speakers[name.slice(name.indexOf('/') + 1, name.indexOf('_'))];
      expect(peak).toBeCloseTo(voice?.peak ?? NaN, 3);
      // Centred: as much quiet before the speech as after it (to within a few samples of rounding).
      if (lastLoud - firstLoud < 15990) expect(Math.abs(firstLoud - (x.length - 1 - lastLoud))).toBeLessThanOrEqual(40);
    }
  });

  test('validation and testing lists hold whole speakers, 10% each, disjoint', () => {
    const out = join(dir, 'words-a');
    const val = loadLabelledFolders(out, { split: 'validation' });
    const test_ = loadLabelledFolders(out, { split: 'test' });
    const train = loadLabelledFolders(out, { split: 'train' });
    expect([val.length, test_.length, train.length]).toEqual([2, 2, 16]);
    for (const ds of [val, test_]) {
      expect(ds.labels()).toEqual(['no', 'yes']);
      expect(new Set(ds.column('speaker')).size).toBe(1);
    }
    const trainSpeakers = new Set(train.column('speaker'));
    expect(trainSpeakers.has(val.at(0).speaker as string)).toBe(false);
    expect(trainSpeakers.has(test_.at(0).speaker as string)).toBe(false);
    expect(val.at(0).speaker).not.toBe(test_.at(0).speaker);
  });

  test('same seed, same bytes in another folder; a rerun keeps what is there; other settings are refused', async () => {
    const out = join(dir, 'words-b');
    await synthesizeSpokenWords({ ...opts, outDir: out });
    expectIdentical(first, snapshot(out));
    const again = await synthesizeSpokenWords({ ...opts, outDir: out });
    expect(again).toMatchObject({ written: 0, skipped: 20 });
    expectIdentical(first, snapshot(out));
    await expect(synthesizeSpokenWords({ ...opts, seed: 8, outDir: out })).rejects.toThrow(/holds a dataset synthesized with other settings/);
  });

  test('the CLI makes the same folder and rejects bad arguments', async () => {
    const out = join(dir, 'words-cli');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runSynthCli(['words', '--out', out, '--seed', '7', '--variants=10', '--words', 'yes,no'])).toBe(0);
      expect(await runSynthCli(['words'])).toBe(2);
      expect(await runSynthCli(['words', '--out', out, '--speakers', '3'])).toBe(2);
      expect(await runSynthCli(['words', '--out', out, '--seed', 'x'])).toBe(1);
      expect(await runSynthCli(['songs', '--out', out])).toBe(2);
    } finally {
      write.mockRestore();
      writeErr.mockRestore();
    }
    expectIdentical(first, snapshot(out));
  });
});

describe('synthesizeSpokenSentences', () => {
  const opts = { speakers: 1, chaptersPerSpeaker: 2, utterancesPerChapter: 2, seed: 3 };

  test('a LibriSpeech tree that loadLibriSpeech reads, FLAC that decodes like sox, byte-identical reruns', async () => {
    const a = join(dir, 'sent-a');
    const b = join(dir, 'sent-b');
    const result = await synthesizeSpokenSentences({ ...opts, outDir: a });
    expect(result).toMatchObject({ written: 4, skipped: 0, splitDir: join(a, 'dev-clean') });
    await synthesizeSpokenSentences({ ...opts, outDir: b });
    expectIdentical(snapshot(a), snapshot(b));

    const ds = loadLibriSpeech(a);
    expect(ds.column('id')).toEqual(['9000-100000-0000', '9000-100000-0001', '9000-100001-0000', '9000-100001-0001']);
    for (const item of ds) {
      expect(item.transcript).toMatch(/^[A-Z' ]+$/);
      expect(item.speaker).toBe('9000');
      const clip = await loadAudio(item.path, { sampleRate: null });
      expect(clip.sampleRate).toBe(16000);
      expect(clip.frames).toBeGreaterThan(16000);
      const ref = soxDecode64(item.path);
      expect(ref.length).toBe(clip.frames);
      let mismatches = 0;
      for (let i = 0; i < ref.length; i++) if (Math.fround(at(ref, i)) !== clip.samples[i]) mismatches++;
      expect(mismatches).toBe(0);
    }
    const trans = readFileSync(join(a, 'dev-clean', '9000', '100000', '9000-100000.trans.txt'), 'utf8');
    expect(trans.split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0])).toEqual(['9000-100000-0000', '9000-100000-0001']);
    expect(await synthesizeSpokenSentences({ ...opts, outDir: a })).toMatchObject({ written: 0, skipped: 4 });
  });
});
