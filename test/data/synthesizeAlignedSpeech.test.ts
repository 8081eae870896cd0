import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run as runSynthCli } from '../../src/cli/synth';
import { parseTextGrid } from '../../src/data/alignments/readTextGrid';
import { textGridText } from '../../src/data/alignments/writeTextGrid';
import { loadAlignments } from '../../src/data/alignments/loadAlignments';
import { loadAudio } from '../../src/data/audio/loadAudio';
import { loadLibriSpeech } from '../../src/data/datasets/loadLibriSpeech';
import { composeSentences } from '../../src/data/synth/composeSentences';
import { arpabetOf, festivalAlignment } from '../../src/data/synth/festivalAlignment';
import { synthesizeAlignedSpeech } from '../../src/data/synth/synthesizeAlignedSpeech';
import { requireTool, snapshot, tempDir } from './helpers';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  requireTool('festival');
  requireTool('flac');
  ({ dir, cleanup } = tempDir('aligned'));
});
afterAll(() => cleanup());

describe('textGridText', () => {
  it('writes the long format that reads back interval for interval, quotes doubled', () => {
    const words = [
      { label: '', start: 0, end: 0.25 },
      { label: 'say "hi"', start: 0.25, end: 0.61234567 },
      { label: '', start: 0.61234567, end: 1 },
    ];
    const text = textGridText([{ name: 'words', intervals: words }, { name: 'phones', intervals: [{ label: 'sil', start: 0, end: 1 }] }], 1);
    expect(text).toContain('text = "say ""hi"""');
    const g = parseTextGrid(text, 'x.TextGrid');
    expect(g.tiers.map((t) => t.name)).toEqual(['words', 'phones']);
    const first = g.tiers[0];
    expect(first?.kind === 'interval' ? first.intervals.map((iv) => [iv.text, iv.xmin, iv.xmax]) : null).toEqual(words.map((w) => [w.label, w.start, w.end]));
  });

  it('refuses an interval that does not end after it starts', () => {
    expect(() => textGridText([{ name: 'words', intervals: [{ label: 'a', start: 0.5, end: 0.5 }] }], 1)).toThrow(/tier 'words' interval 1 'a' \[0.5, 0.5\]/);
  });
});

describe('festivalAlignment', () => {
  it('maps Festival phones to ARPAbet with stress, pauses to sil/sp, fills word gaps, reaches the end', () => {
    const segs = [
      { name: 'pau', start: 0, end: 0.2, stress: 0 },
      { name: 'hh', start: 0.2, end: 0.26, stress: 0 },
      { name: 'ax', start: 0.26, end: 0.3, stress: 0 },
      { name: 'l', start: 0.3, end: 0.37, stress: 1 },
      { name: 'ow', start: 0.37, end: 0.51, stress: 1 },
      { name: 'pau', start: 0.51, end: 0.6, stress: 0 },
      { name: 'en', start: 0.6, end: 0.7, stress: 0 },
      { name: 'pau', start: 0.7, end: 0.9, stress: 0 },
    ];
    const r = festivalAlignment(segs, [{ name: 'Hello', start: 0.2, end: 0.51 }, { name: 'n', start: 0.6, end: 0.7 }], 0.95, 'x');
    expect(r.phones.map((p) => p.label)).toEqual(['sil', 'HH', 'AH0', 'L', 'OW1', 'sp', 'N', 'sil', '']);
    expect(r.words).toEqual([
      { label: '', start: 0, end: 0.2 },
      { label: 'hello', start: 0.2, end: 0.51 },
      { label: '', start: 0.51, end: 0.6 },
      { label: 'n', start: 0.6, end: 0.7 },
      { label: '', start: 0.7, end: 0.95 },
    ]);
    expect(() => arpabetOf({ name: 'q', start: 1, end: 2, stress: 0 }, false, 'utt 7')).toThrow(/utt 7: Festival segment 'q' at 1 s/);
    expect(() => festivalAlignment(segs, [], 0.5, 'utt 8')).toThrow(/utt 8: Festival's segments end at 0.9 s but the waveform lasts 0.5 s/);
  });
});

describe('composeSentences', () => {
  it('is seeded and gives the demo corpus 100 words with at least 10 instances', () => {
    expect(composeSentences(5, 3)).toEqual(composeSentences(5, 3));
    expect(composeSentences(5, 3)).not.toEqual(composeSentences(5, 4));
    const counts = new Map<string, number>();
    for (const s of composeSentences(360, 0)) for (const w of s.toLowerCase().replace(/[^a-z ]/g, '').split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
    expect([...counts.values()].filter((c) => c >= 10).length).toBeGreaterThanOrEqual(100);
  });
});

describe('synthesizeAlignedSpeech', () => {
  // Seed 0 draws three diphone speakers and then an HTS one, so four speakers cover both voices.
  const opts = (outDir: string) => ({ outDir, speakers: 4, utterancesPerChapter: 1, seed: 0 });

  it('writes a LibriSpeech tree and MFA-style TextGrids whose times match the audio, byte-identical per seed', async () => {
    const a = join(dir, 'a');
    const r = await synthesizeAlignedSpeech(opts(a));
    expect(r.written).toBe(4);
    expect(new Set(Object.values(r.speakers).map((v) => v.voice))).toEqual(new Set(['kal_diphone', 'cmu_us_slt_arctic_hts']));
    const ds = loadLibriSpeech(r.splitDir);
    const al = loadAlignments(r.alignmentDir);
    expect(ds.length).toBe(4);
    expect([...al.keys()].sort()).toEqual(ds.toArray().map((it) => it.id));
    for (const item of ds) {
      const alignment = al.get(item.id);
      if (alignment === undefined) throw new Error(`no alignment for ${item.id}`);
      // The transcript is the words Festival spoke, in the aligned order.
      expect(alignment.words.map((w) => w.label.toUpperCase()).join(' ')).toBe(item.transcript);
      const clip = await loadAudio(item.path);
      expect(clip.sampleRate).toBe(16000);
      const x = clip.samples;
      const rms = (s: number, e: number): number => {
        let q = 0;
        let c = 0;
        for (let i = Math.floor(s * 16000); i < Math.min(x.length, Math.floor(e * 16000)); i++) {
          q += (x[i] ?? 0) ** 2;
          c++;
        }
        return Math.sqrt(q / Math.max(1, c));
      };
      const mean = (v: number[]): number => v.reduce((t, y) => t + y, 0) / v.length;
      const silence = mean(alignment.phones.filter((p) => p.label === 'SIL').map((p) => rms(p.start, p.end)));
      const speech = mean(alignment.phones.filter((p) => p.label !== 'SIL').map((p) => rms(p.start, p.end)));
      // Independent check that the reported times belong to this waveform: the pauses are near-silent.
      expect(silence).toBeLessThan(0.1 * speech);
      const last = alignment.phones[alignment.phones.length - 1];
      expect(last === undefined ? 0 : last.end).toBeLessThanOrEqual(x.length / 16000 + 1e-6);
      // Peer normalisation: ARPAbet without stress, lower case, SIL.
      for (const p of alignment.phones) expect(p.label).toMatch(/^(SIL|[a-z]{1,2})$/);
    }
    const b = join(dir, 'b');
    await synthesizeAlignedSpeech(opts(b));
    const sa = snapshot(a);
    const sb = snapshot(b);
    expect([...sb.keys()]).toEqual([...sa.keys()]);
    for (const [k, v] of sa) expect(sb.get(k)?.equals(v) ? k : `${k} differs`).toBe(k);
  });

  it('redoes only an utterance whose TextGrid is missing; the CLI writes the same corpus', async () => {
    const a = join(dir, 'a');
    const grid = join(a, 'alignments', 'dev-clean', '9501', '201000', '9501-201000-0000.TextGrid');
    const before = readFileSync(grid);
    rmSync(grid);
    const r = await synthesizeAlignedSpeech(opts(a));
    expect([r.written, r.skipped]).toEqual([1, 3]);
    expect(readFileSync(grid).equals(before)).toBe(true);
    const c = join(dir, 'c');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runSynthCli(['aligned', '--out', c, '--speakers', '4', '--utterances', '1'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    const sa = snapshot(a);
    for (const [k, v] of snapshot(c)) if (!k.startsWith('.')) expect(sa.get(k)?.equals(v) ? k : `${k} differs`).toBe(k);
  });

  it('refuses bad options with a clear message', async () => {
    await expect(synthesizeAlignedSpeech({ outDir: join(dir, 'x'), speakers: 0 })).rejects.toThrow(/speakers must be a positive integer, got 0/);
    await expect(synthesizeAlignedSpeech({ outDir: join(dir, 'x'), sentences: ['...'] })).rejects.toThrow(/sentences\[0\] has no words/);
  });
});
