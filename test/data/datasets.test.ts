import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Dataset, type DatasetItem } from '../../src/data/datasets/Dataset';
import { loadLabelledFolders } from '../../src/data/datasets/loadLabelledFolders';
import { loadLibriSpeech } from '../../src/data/datasets/loadLibriSpeech';
import { loadManifest } from '../../src/data/datasets/loadManifest';
import { Random } from '../../src/random';
import { tempDir } from './helpers';
import { at } from '../../src/util/at';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('datasets')));
afterAll(() => cleanup());

function touch(path: string, content = 'x'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const items = (n: number): DatasetItem[] =>
  Array.from({ length: n }, (_, i) => ({ id: `item${i}`, path: `/a/${i}.wav`, label: ['yes', 'no', 'up'][i % 3] as string }));

describe('Dataset', () => {
  test("shuffle(seed, {like: 'datasets'}) is Hugging Face's order: np.random.default_rng(42).permutation(10)", () => {
    const ds = new Dataset(items(10));
    // /usr/bin/python3 -c "import numpy as np; print(np.random.default_rng(42).permutation(10))"
    expect(ds.shuffle(42, { like: 'datasets' }).column('id')).toEqual([5, 6, 0, 7, 3, 2, 4, 9, 1, 8].map((i) => `item${i}`));
    expect(ds.shuffle(42, { like: 'layerwise' }).column('id')).toEqual(ds.shuffle(42).column('id'));
    expect(() => ds.shuffle('forty-two', { like: 'datasets' })).toThrow("{like: 'datasets'} takes an integer seed");
  });

  test('shuffle is a seeded permutation, pinned for seed 42 so every machine gets this order', () => {
    const ds = new Dataset(items(10));
    const a = ds.shuffle(42);
    expect(a.column('id')).toEqual(ds.shuffle(42).column('id'));
    expect([...a.column('id')].sort()).toEqual([...ds.column('id')].sort());
    expect(a.column('id')).not.toEqual(ds.shuffle(43).column('id'));
    // Fisher-Yates driven by src/random.ts: the same draws, done by hand.
    const rng = new Random(42);
    const order = Array.from({ length: 10 }, (_, i) => i);
    for (let i = 9; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [at(order, j), at(order, i)];
    }
    expect(a.column('id')).toEqual(order.map((i) => `item${i}`));
    expect(a.column('id')).toEqual(['item3', 'item9', 'item4', 'item5', 'item6', 'item8', 'item1', 'item0', 'item2', 'item7']);
    expect(ds.column('id')[0]).toBe('item0'); // the original is untouched
  });

  test('filter, select (count, range, indices) and at', () => {
    const ds = new Dataset(items(10));
    expect(ds.filter((it) => it.label === 'no').column('id')).toEqual(['item1', 'item4', 'item7']);
    expect(ds.filter((_, i) => i >= 8).length).toBe(2);
    expect(ds.select(3).column('id')).toEqual(['item0', 'item1', 'item2']);
    expect(ds.select({ start: 2, stop: 8, step: 3 }).column('id')).toEqual(['item2', 'item5']);
    expect(ds.select({ start: 9, stop: 6, step: -1 }).column('id')).toEqual(['item9', 'item8', 'item7']);
    expect(ds.select([4, 0, 4 - 1]).column('id')).toEqual(['item4', 'item0', 'item3']);
    expect(ds.select(new Int32Array([9])).column('id')).toEqual(['item9']);
    expect(ds.at(-1).id).toBe('item9');
    expect(() => ds.select(11)).toThrow(/cannot take the first 11 of 10 items/);
    expect(() => ds.select([10])).toThrow(/index 10 is out of range for 10 items/);
    expect(() => ds.at(10)).toThrow(/out of range/);
    expect(() => ds.select([1, 1])).toThrow(/duplicate item id 'item1'/);
  });

  test('labels are sorted unique, labelIds index into them, iteration and immutability', () => {
    const ds = new Dataset(items(5));
    expect(ds.labels()).toEqual(['no', 'up', 'yes']);
    expect(ds.classNames).toEqual(['no', 'up', 'yes']);
    expect(Array.from(ds.labelIds())).toEqual([2, 0, 1, 2, 0]);
    expect(Array.from(ds.labelIds(['yes', 'no', 'up']))).toEqual([0, 1, 2, 0, 1]);
    expect(() => ds.labelIds(['yes'])).toThrow(/item 'item1' has label 'no', not in classNames/);
    expect([...ds].map((it) => it.id)).toEqual(ds.column('id'));
    expect(Object.isFrozen(ds.items)).toBe(true);
    expect(Object.isFrozen(ds.at(0))).toBe(true);
    expect(() => new Dataset([{ id: 'a', path: 'p' }]).labelIds()).toThrow(/item 'a' has no label/);
  });
});

describe('loadLabelledFolders (Speech Commands layout)', () => {
  let root: string;
  beforeAll(() => {
    root = join(dir, 'speech_commands');
    for (const f of ['yes/aaa_nohash_0.wav', 'yes/bbb_nohash_0.wav', 'yes/ccc_nohash_1.wav', 'no/aaa_nohash_0.wav', 'no/ddd_nohash_0.wav', 'up/eee.wav']) {
      touch(join(root, f));
    }
    touch(join(root, '_background_noise_/white_noise.wav'));
    touch(join(root, 'yes/notes.txt'));
    touch(join(root, 'LICENSE'));
    touch(join(root, 'validation_list.txt'), 'yes/bbb_nohash_0.wav\nno/ddd_nohash_0.wav\n');
    touch(join(root, 'testing_list.txt'), 'yes/ccc_nohash_1.wav\r\n\r\n');
  });

  test('all items, sorted, with labels and speakers; background noise is not a label', () => {
    const ds = loadLabelledFolders(root);
    expect(ds.column('id')).toEqual(['no/aaa_nohash_0.wav', 'no/ddd_nohash_0.wav', 'up/eee.wav', 'yes/aaa_nohash_0.wav', 'yes/bbb_nohash_0.wav', 'yes/ccc_nohash_1.wav']);
    expect(ds.labels()).toEqual(['no', 'up', 'yes']);
    expect(ds.at(0)).toEqual({ id: 'no/aaa_nohash_0.wav', path: join(root, 'no', 'aaa_nohash_0.wav'), label: 'no', split: 'train', speaker: 'aaa' });
    expect(ds.at(2).speaker).toBeUndefined();
  });

  test('splits follow validation_list.txt and testing_list.txt', () => {
    expect(loadLabelledFolders(root, { split: 'validation' }).column('id')).toEqual(['no/ddd_nohash_0.wav', 'yes/bbb_nohash_0.wav']);
    expect(loadLabelledFolders(root, { split: 'test' }).column('id')).toEqual(['yes/ccc_nohash_1.wav']);
    expect(loadLabelledFolders(root, { split: 'train' }).column('id')).toEqual(['no/aaa_nohash_0.wav', 'up/eee.wav', 'yes/aaa_nohash_0.wav']);
  });

  test('errors: missing root, missing list for a split, list naming a missing file', () => {
    expect(() => loadLabelledFolders(join(dir, 'nothing'))).toThrow(/nothing: not a directory/);
    const bare = join(dir, 'bare');
    touch(join(bare, 'go/x.wav'));
    expect(loadLabelledFolders(bare, { split: 'train' }).length).toBe(1);
    expect(() => loadLabelledFolders(bare, { split: 'test' })).toThrow(/split 'test' needs .*testing_list\.txt, which does not exist/);
    touch(join(bare, 'validation_list.txt'), 'go/y.wav\n');
    expect(() => loadLabelledFolders(bare)).toThrow(/validation_list\.txt:1: 'go\/y\.wav' is not a file under/);
  });
});

describe('loadLibriSpeech', () => {
  let root: string;
  beforeAll(() => {
    root = join(dir, 'LibriSpeech');
    const chapter = (split: string, spk: string, ch: string, utts: Record<string, string>): void => {
      const d = join(root, split, spk, ch);
      for (const u of Object.keys(utts)) touch(join(d, `${spk}-${ch}-${u}.flac`));
      touch(join(d, `${spk}-${ch}.trans.txt`), Object.entries(utts).map(([u, t]) => `${spk}-${ch}-${u} ${t}\n`).join(''));
    };
    chapter('dev-clean', '84', '121123', { '0001': 'GO DO YOU HEAR', '0000': "HE'S THERE" });
    chapter('dev-clean', '1272', '128104', { '0000': 'MISTER QUILTER IS THE APOSTLE' });
    chapter('test-clean', '61', '70968', { '0000': 'HE BEGAN A CONFUSED COMPLAINT' });
  });

  test('every split, sorted by utterance id, with transcripts, speakers and chapters', () => {
    const ds = loadLibriSpeech(root);
    expect(ds.column('id')).toEqual(['1272-128104-0000', '61-70968-0000', '84-121123-0000', '84-121123-0001']);
    expect(ds.at(2)).toEqual({
      id: '84-121123-0000',
      path: join(root, 'dev-clean', '84', '121123', '84-121123-0000.flac'),
      transcript: "HE'S THERE",
      speaker: '84',
      chapter: '121123',
      split: 'dev-clean',
    });
  });

  test('one split by name, or a split folder as root', () => {
    expect(loadLibriSpeech(root, { split: 'test-clean' }).column('id')).toEqual(['61-70968-0000']);
    expect(loadLibriSpeech(join(root, 'dev-clean')).length).toBe(3);
    expect(() => loadLibriSpeech(root, { split: 'train-other-500' })).toThrow(/split 'train-other-500' not found/);
  });

  test('a file without a transcript line, and a transcript line without a file, are errors', () => {
    const bad = join(dir, 'bad-libri', 'dev', '1', '2');
    touch(join(bad, '1-2-0000.flac'));
    touch(join(bad, '1-2-0001.flac'));
    touch(join(bad, '1-2.trans.txt'), '1-2-0000 HELLO\n');
    expect(() => loadLibriSpeech(join(dir, 'bad-libri'))).toThrow(/1-2-0001\.flac: no line for '1-2-0001' in/);
    touch(join(bad, '1-2.trans.txt'), '1-2-0000 HELLO\n1-2-0001 WORLD\n1-2-0002 MISSING\n');
    expect(() => loadLibriSpeech(join(dir, 'bad-libri'))).toThrow(/utterance '1-2-0002' has no \.flac file/);
  });
});

describe('loadManifest', () => {
  beforeAll(() => {
    touch(join(dir, 'm', 'audio', 'a.wav'));
    touch(join(dir, 'm', 'audio', 'b.wav'));
    touch(join(dir, 'abs.wav'));
  });

  test('CSV with quoting, relative and absolute paths, segments, in file order', () => {
    const file = join(dir, 'm', 'list.csv');
    writeFileSync(
      file,
      `path,label,start,end,transcript,speaker,extra\r\naudio/b.wav,no,,,,s2,ignored\r\n"audio/a.wav",yes,0.5,1.25,"hello, ""world""\nagain",s1,\r\n${join(dir, 'abs.wav')},up,,,,,\r\n`,
    );
    const ds = loadManifest(file);
    expect(ds.toArray()).toEqual([
      { id: 'audio/b.wav', path: join(dir, 'm', 'audio', 'b.wav'), label: 'no', speaker: 's2' },
      { id: 'audio/a.wav@0.5-1.25', path: join(dir, 'm', 'audio', 'a.wav'), label: 'yes', transcript: 'hello, "world"\nagain', speaker: 's1', start: 0.5, end: 1.25 },
      { id: join(dir, 'abs.wav'), path: join(dir, 'abs.wav'), label: 'up' },
    ]);
  });

  test('JSONL with ids and numeric labels', () => {
    const file = join(dir, 'm', 'list.jsonl');
    writeFileSync(file, '{"path": "audio/a.wav", "label": 3, "id": "first"}\n\n{"path": "audio/a.wav", "start": 0, "end": 0.5, "label": "x"}\n');
    expect(loadManifest(file).toArray()).toEqual([
      { id: 'first', path: join(dir, 'm', 'audio', 'a.wav'), label: '3' },
      { id: 'audio/a.wav@0-0.5', path: join(dir, 'm', 'audio', 'a.wav'), label: 'x', start: 0, end: 0.5 },
    ]);
  });

  test('errors name the manifest line', () => {
    const m = (name: string, text: string): string => {
      const file = join(dir, 'm', name);
      writeFileSync(file, text);
      return file;
    };
    expect(() => loadManifest(m('missing.csv', 'path,label\naudio/zzz.wav,a\n'))).toThrow(/missing\.csv:2: audio file not found: .*zzz\.wav/);
    expect(loadManifest(m('nocheck.csv', 'path,label\naudio/zzz.wav,a\n'), { checkFiles: false }).length).toBe(1);
    expect(() => loadManifest(m('nopath.csv', 'file,label\na.wav,a\n'))).toThrow(/nopath\.csv:1: the header has no 'path' column/);
    expect(() => loadManifest(m('badend.csv', 'path,start,end\naudio/a.wav,1,0.5\n'))).toThrow(/badend\.csv:2: end \(0\.5\) must be greater than start \(1\)/);
    expect(() => loadManifest(m('badnum.jsonl', '{"path": "audio/a.wav", "start": "soon"}\n'))).toThrow(/badnum\.jsonl:1: 'start' must be a non-negative number of seconds/);
    expect(() => loadManifest(m('badjson.jsonl', '{"path": \n'))).toThrow(/badjson\.jsonl:1: invalid JSON/);
    expect(() => loadManifest(m('ragged.csv', 'path,label\naudio/a.wav\n'))).toThrow(/ragged\.csv:2: 1 fields, the header has 2/);
    expect(() => loadManifest(m('dup.csv', 'path\naudio/a.wav\naudio/a.wav\n'))).toThrow(/dup\.csv: Dataset: duplicate item id 'audio\/a\.wav'/);
    expect(() => loadManifest(m('list.txt', 'path\n'))).toThrow(/cannot tell the format/);
  });
});
