import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Matrix } from '../../src/matrix';
import { greedyCTCDecode, parseCTCVocab, readCTCVocab } from '../../src/model/ctcDecode';
import { loadModel } from '../../src/model/loadModel';
import { copyModelDir, FIXTURES, refAudio } from './modelFixtures';

const VOCAB = { '<pad>': 0, '<s>': 1, '</s>': 2, '<unk>': 3, '|': 4, A: 5, B: 6, C: 7 };

/** One-hot-ish logits `[frames, 8]` whose argmax per frame is `ids[frame]`. */
function framesOf(ids: readonly number[], cols = 8): Matrix<Float32Array> {
  const data = new Float32Array(ids.length * cols).fill(-1);
  ids.forEach((id, r) => (data[r * cols + id] = 2));
  return { rows: ids.length, cols, data };
}

describe('greedyCTCDecode (hand-computed)', () => {
  const vocab = parseCTCVocab(VOCAB);
  const P = 0;
  const D = 4;
  const A = 5;
  const B = 6;
  const C = 7;

  test('repeats collapse; a blank between repeats keeps both', () => {
    expect(greedyCTCDecode(framesOf([A, A, A, B, B, C]), vocab)).toBe('ABC');
    expect(greedyCTCDecode(framesOf([A, P, A, A, P, P, A]), vocab)).toBe('AAA');
    expect(greedyCTCDecode(framesOf([P, P, P]), vocab)).toBe('');
    expect(greedyCTCDecode(framesOf([]), vocab)).toBe('');
  });

  test('word delimiters become single spaces, trimmed at the ends', () => {
    expect(greedyCTCDecode(framesOf([D, A, B, D, D, P, D, C, A, D]), vocab)).toBe('AB CA');
    expect(greedyCTCDecode(framesOf([A, D, P, D, B]), vocab)).toBe('A B');
  });

  test('special tokens are dropped, after repeats are collapsed over the raw frame labels', () => {
    expect(greedyCTCDecode(framesOf([1, A, 2, 3, B, 1]), vocab)).toBe('AB');
    expect(greedyCTCDecode(framesOf([B, 3, B]), vocab)).toBe('BB');
  });

  test('ties go to the lower id; wider logits are accepted; bad input is refused', () => {
    expect(greedyCTCDecode({ rows: 1, cols: 8, data: Float32Array.of(0, 0, 0, 0, 0, 3, 3, 0) }, vocab)).toBe('A');
    expect(() => greedyCTCDecode({ rows: 1, cols: 8, data: Float32Array.of(0, 0, 0, 0, 0, NaN, 3, 0) }, vocab)).toThrow(/logits\[0, 5\] is NaN/);
    expect(() => greedyCTCDecode(framesOf([A], 7), vocab)).toThrow(/7 columns but the vocabulary has 8/);
    expect(greedyCTCDecode(framesOf([B, C], 9), vocab)).toBe('BC');
    expect(() => greedyCTCDecode(framesOf([8], 9), vocab)).toThrow(/id 8, which the vocabulary does not name/);
  });

  test('the blank is the pad token, else id 0; special tokens follow the tokenizer files', () => {
    const v = parseCTCVocab({ x: 0, '[PAD]': 1, '|': 2, a: 3 }, { padToken: '[PAD]' });
    expect(v.blank).toBe(1);
    // id 0 is an ordinary letter here, and 1 the blank
    expect(greedyCTCDecode(framesOf([0, 1, 0, 2, 3], 4), v)).toBe('xx a');
    expect(parseCTCVocab({ _: 0, a: 1 }).blank).toBe(0);
    expect(() => parseCTCVocab({ a: 0, b: 0 })).toThrow(/share id 0/);
    expect(() => parseCTCVocab({ a: -1 })).toThrow(/'a' has id -1/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctc-vocab-'));
    try {
      fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify({ '[PAD]': 0, '[UNK]': 1, '/': 2, a: 3, '<pad>': 4 }));
      fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<pad>', word_delimiter_token: '/' }));
      fs.writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify({ pad_token: { content: '[PAD]' }, unk_token: '[UNK]' }));
      const r = readCTCVocab(path.join(dir, 'vocab.json'));
      expect([r.blank, r.delimiter, [...r.skip].sort()]).toEqual([0, 2, [0, 1]]);
      expect(greedyCTCDecode(framesOf([3, 0, 3, 1, 2, 4, 3], 5), r)).toBe('aa <pad>a');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface CTCReference {
  clip: string;
  shape: [number, number];
  logits: number[];
  argmax: number[];
  transcript: string;
}

describe('w2v2_ctc fixture model (PyTorch reference)', () => {
  const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'w2v2_ctc', 'ctc_reference.json'), 'utf8')) as CTCReference;

  test('decoding the PyTorch logits gives the NumPy transcript', () => {
    const vocab = readCTCVocab(path.join(FIXTURES, 'w2v2_ctc', 'vocab.json'));
    const logits = { rows: ref.shape[0], cols: ref.shape[1], data: Float32Array.from(ref.logits) };
    expect(greedyCTCDecode(logits, vocab)).toBe(ref.transcript);
    expect(ref.transcript.length).toBeGreaterThan(5);
  });

  test('loadModel gives the CTC model transcribe(), which matches the PyTorch transcript', async () => {
    const dir = copyModelDir('w2v2_ctc');
    const model = await loadModel(dir, { threads: 1 });
    try {
      expect(model.info.vocabFile).toBe(path.join(dir, 'vocab.json'));
      expect(model.layerNames.filter((n) => n.startsWith('hidden.'))).toHaveLength(3);
      const transcribe = model.transcribe;
      if (transcribe === undefined) throw new Error('the CTC model has no transcribe');
      expect(await transcribe(refAudio(ref.clip))).toBe(ref.transcript);
    } finally {
      await model.release();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without vocab.json, or without a logits output, a model does not transcribe', async () => {
    const dir = copyModelDir('w2v2_ctc');
    fs.rmSync(path.join(dir, 'vocab.json'));
    const noVocab = await loadModel(dir, { threads: 1 });
    const base = copyModelDir('w2v2_postln');
    fs.copyFileSync(path.join(FIXTURES, 'w2v2_ctc', 'vocab.json'), path.join(base, 'vocab.json'));
    const noHead = await loadModel(base, { threads: 1 });
    try {
      expect([noVocab.transcribe, noVocab.info.vocabFile, noHead.transcribe, noHead.info.vocabFile]).toEqual([undefined, undefined, undefined, undefined]);
    } finally {
      await noVocab.release();
      await noHead.release();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
