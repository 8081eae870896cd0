import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Alignment } from '../../src/data/alignments/Alignment';
import { run as runExtractCli } from '../../src/cli/extract';
import { loadAlignments } from '../../src/data/alignments/loadAlignments';
import { synthesizeAlignedSpeech } from '../../src/data/synth/synthesizeAlignedSpeech';
import { loadModel } from '../../src/model/loadModel';
import { requireTool } from '../data/helpers';
import { extractFeatures, type ExtractItem } from '../../src/store/extractFeatures';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { HIDDEN, HOP, hiddenValue, makeTestModel, testClip } from './extractTestModel';
import { maxAbsDiff } from '../maxAbsDiff';

const REPO = path.resolve(__dirname, '..', '..');
const made: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-spans-'));
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

// Two clips of 0.5 s (25 frames) and 0.3 s (15 frames).
const clips = [testClip(8000, 0), testClip(4800, 1)];
const items: ExtractItem[] = clips.map((samples, k) => ({ id: `u${k}`, samples }));
const alignments = new Map<string, Alignment>([
  [
    'u0',
    {
      utterance: 'u0',
      source: 'u0.TextGrid',
      // Hand-computed frame ranges (layerwise-analysis rule, stride 0.02):
      //   phone 'a' [0.05, 0.13]: floor 2, ceil 7 (6.5), middle third o = floor(6/3) = 2 -> [4, 5)
      //   phone 'b' [0.13, 0.14]: floor 6 (6.5), ceil 8 (7.000000000000001), o = 1 -> [7, 7) -> [7, 8)
      phones: [
        { label: 'a', start: 0.05, end: 0.13 },
        { label: 'b', start: 0.13, end: 0.14 },
        { label: 'c', start: 0.4, end: 0.5 },
      ],
      //   word 'ab' [0.05, 0.14]: [2, 8) (no middle third)
      words: [{ label: 'ab', start: 0.05, end: 0.14 }],
    },
  ],
  ['u1', { utterance: 'u1', source: 'u1.TextGrid', phones: [{ label: 'a', start: 0.0, end: 0.3 }], words: [] }],
]);
// phone 'c' [0.4, 0.5]: floor(20.000000000000004) = 20, ceil(25) = 25, o = floor(6/3) = 2 -> [22, 23).
// u1 phone 'a' [0, 0.3]: floor 0, ceil(15) = 15 (0.3 / 0.02 = 14.999999999999998 -> 15), o = floor(16/3) = 5 -> [5, 10).
const expectedPhoneRanges = [
  [4, 5],
  [7, 8],
  [22, 23],
  [5, 10],
];

function closedFormMean(l: number, x: Float32Array, first: number, end: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < HIDDEN; j++) {
    let s = 0;
    for (let t = first; t < end; t++) s += hiddenValue(l, t, j, x);
    out.push(s / (end - first));
  }
  return out;
}

describe('extractFeatures with span', () => {
  it('pools each phone over the peer frame range (middle third) and records label, times and frames', async () => {
    const out = tmp();
    const r = await extractFeatures(makeTestModel(), items, { out, span: 'phone', alignments });
    expect(r.meta.pooling).toBe('segments');
    expect(r.meta.options.span).toMatchObject({ tier: 'phone', rule: 'layerwise-analysis', middleThird: true });
    const store = openFeatureStore(out);
    const rows = store.segments;
    expect(rows.map((s) => [s.utterance, s.label, s.start, s.end, s.first, s.last])).toEqual([
      ['u0', 'a', 0.05, 0.13, 4, 5],
      ['u0', 'b', 0.13, 0.14, 7, 8],
      ['u0', 'c', 0.4, 0.5, 22, 23],
      ['u1', 'a', 0, 0.3, 5, 10],
    ]);
    expect(store.labels).toEqual(['a', 'b', 'c', 'a']);
    for (const l of [0, 3]) {
      const m = store.layer(l);
      expect([m.rows, m.cols]).toEqual([4, HIDDEN]);
      const want = expectedPhoneRanges.flatMap(([f, e], k) => closedFormMean(l, clips[k < 3 ? 0 : 1] as Float32Array, f as number, e as number));
      expect(maxAbsDiff(m.data, Float32Array.from(want))).toBeLessThan(1e-5);
    }
    // Same options: the finished store is reused; a changed alignment is refused with the difference named.
    expect((await extractFeatures(makeTestModel(), items, { out, span: 'phone', alignments })).alreadyComplete).toBe(true);
    const moved = new Map(alignments);
    moved.set('u1', { utterance: 'u1', source: 'u1.TextGrid', phones: [{ label: 'a', start: 0.02, end: 0.3 }], words: [] });
    await expect(extractFeatures(makeTestModel(), items, { out, span: 'phone', alignments: moved })).rejects.toThrow(/spans phone \(layerwise-analysis, middle third, spans [0-9a-f]{12}\) -> phone/);
  });

  it('words: no middle third; an utterance without words is recorded as skipped; truncate-inclusive as an option', async () => {
    const out = tmp();
    const r = await extractFeatures(makeTestModel(), items, { out, span: 'word', alignments, layers: [1] });
    expect(r.meta.skipped).toEqual([{ id: 'u1', reason: 'its alignment has no word intervals' }]);
    const store = openFeatureStore(out);
    expect(store.segments.map((s) => [s.first, s.last])).toEqual([[2, 8]]);
    expect(maxAbsDiff(store.layer(1).data, Float32Array.from(closedFormMean(1, clips[0] as Float32Array, 2, 8)))).toBeLessThan(1e-5);
    // Seed 002's rule: trunc(0.05/0.02) = 2, trunc(0.14/0.02) = 7, inclusive -> [2, 8) as well; phone 'b': trunc 6, 7 -> [6, 8).
    const out2 = tmp();
    await extractFeatures(makeTestModel(), items, { out: out2, span: 'phone', alignments, frameRule: 'truncate-inclusive', middleThird: false, layers: [0] });
    expect(openFeatureStore(out2).segments.map((s) => [s.first, s.last])).toEqual([[2, 7], [6, 8], [20, 25], [0, 15]]);
  });

  it('names the file and interval of a span past the audio, and refuses items without alignment', async () => {
    const bad = new Map(alignments);
    bad.set('u1', { utterance: 'u1', source: 'spk/ch/u1.TextGrid', phones: [{ label: 'z', start: 0.1, end: 0.4 }], words: [] });
    await expect(extractFeatures(makeTestModel(), items, { out: tmp(), span: 'phone', alignments: bad })).rejects.toThrow(
      "spk/ch/u1.TextGrid: phone interval 'z' [0.1, 0.4] ends past the end of item 'u1' (0.300 s of audio)",
    );
    const partial = new Map([...alignments].filter(([k]) => k === 'u0'));
    await expect(extractFeatures(makeTestModel(), items, { out: tmp(), span: 'phone', alignments: partial })).rejects.toThrow(/no alignment for u1; keep only aligned items/);
    await expect(extractFeatures(makeTestModel(), items, { out: tmp(), span: 'phone' })).rejects.toThrow(/span 'phone' needs alignments/);
    await expect(extractFeatures(makeTestModel(), items, { out: tmp(), alignments })).rejects.toThrow(/alignments is given without span/);
    await expect(extractFeatures(makeTestModel(), items, { out: tmp(), span: 'phone', alignments, pooling: 'frames' })).rejects.toThrow(/leave pooling unset/);
    // The test model's local layer has no conv grid: its frames cannot be matched to spans.
    await expect(extractFeatures(makeTestModel(), items, { out: tmp(), span: 'phone', alignments, layers: ['local.1'] })).rejects.toThrow(/frame geometry of local.1/);
  });

  it('a real model: span rows equal means of the frame store slices, conv layers on their own grid', async () => {
    const model = await loadModel(path.join(REPO, 'models', 'wav2vec2-tiny-random', 'model.onnx'), { threads: 1, cacheExposed: false });
    try {
      const layers = ['local.1', 'local.4', 'local.7', 'hidden.0', 'hidden.12'];
      const spanOut = tmp();
      const frameOut = tmp();
      await extractFeatures(model, items, { out: spanOut, span: 'phone', alignments, layers });
      await extractFeatures(model, items, { out: frameOut, pooling: 'frames', layers });
      const spans = openFeatureStore(spanOut);
      const frames = openFeatureStore(frameOut);
      for (const name of layers) {
        const stride = name.startsWith('local.') ? (model.frameGeometry?.(name).stride ?? NaN) / 16000 : 0.02;
        const got = spans.layer(name);
        const want: number[] = [];
        for (const seg of spans.segments) {
          const f = frames.framesOf(seg.utterance, name);
          // The peer rule, written out here independently of spanFrames.
          let s = Math.floor(seg.start / stride);
          let e = Math.ceil(seg.end / stride);
          const o = Math.floor((e - s + 1) / 3);
          s += o;
          e -= o;
          if (e === s) e += 1;
          e = Math.min(e, f.rows);
          for (let j = 0; j < f.cols; j++) {
            let acc = 0;
            for (let t = s; t < e; t++) acc += f.data[t * f.cols + j] ?? NaN;
            want.push(acc / (e - s));
          }
        }
        expect([name, maxAbsDiff(got.data, Float32Array.from(want)) < 1e-5]).toEqual([name, true]);
      }
      expect(HOP).toBe(320);
    } finally {
      await model.release();
    }
  });

  it('layerwise extract --span phone|word --alignments on Festival speech: one row per aligned interval', async () => {
    requireTool('festival');
    requireTool('flac');
    const corpus = await synthesizeAlignedSpeech({ outDir: tmp(), speakers: 2, utterancesPerChapter: 2 });
    // One item without an alignment: left out and counted.
    fs.rmSync(path.join(corpus.alignmentDir, '9501', '201000', '9501-201000-0001.TextGrid'));
    const al = loadAlignments(corpus.alignmentDir);
    const model = path.join(REPO, 'models', 'wav2vec2-tiny-random', 'model.onnx');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const span of ['phone', 'word'] as const) {
        const out = tmp();
        const code = await runExtractCli(['--model', model, '--data', corpus.splitDir, '--alignments', corpus.alignmentDir, '--span', span, '--layers', '0,6', '--threads', '1', '--no-progress', '--out', out]);
        expect(code).toBe(0);
        const store = openFeatureStore(out);
        const want = [...al.values()].flatMap((a) => (span === 'phone' ? a.phones : a.words).map((x) => `${a.utterance}:${x.label}`));
        expect(store.segments.map((x) => `${x.utterance}:${x.label}`)).toEqual(want);
        expect(store.layer(6).rows).toBe(want.length);
        expect(store.itemIds).toHaveLength(3);
      }
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/3 of 4 items aligned \(1 left out\)/);
      await expect(runExtractCli(['--model', model, '--data', corpus.splitDir, '--span', 'phone', '--out', tmp()])).rejects.toThrow(/--span and --alignments go together/);
    } finally {
      stderr.mockRestore();
    }
  });
});
