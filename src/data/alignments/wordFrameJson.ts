/**
 * Seed 002's alignment file (`alignments_and_trans.py`): per utterance its transcript and, per word, the model
 * frames of each occurrence, `{"<...>/dev-clean/spk/chap/utt": {"transcript_audio": "...", word: [[s, e], ...]}}`,
 * with s = int(start / stride) and e = int(end / stride) (truncation; the end is used inclusively). The strides
 * differ per model (20 ms for wav2vec2 at 16 kHz, 13.33 ms for EnCodecMAE at 24 kHz, 10 ms for BEATs), so the
 * seed writes one file per model; so does this, from the same alignments.
 */
import type { Alignment } from './Alignment';

/** Options of `wordFrameJson`. */
export interface WordFrameJsonOptions {
  /** Seconds between the model's frames (0.02 for wav2vec2). */
  readonly stride: number;
  /** The key of an utterance (the seed uses the audio path without its extension). */
  readonly pathOf: (utterance: string) => string;
}

/** The seed's `{path: {transcript_audio, word: [[s, e], ...]}}` for `alignments` (silence left out). */
export function wordFrameJson(alignments: ReadonlyMap<string, Alignment>, opts: WordFrameJsonOptions): Record<string, Record<string, string | [number, number][]>> {
  if (!(opts.stride > 0 && Number.isFinite(opts.stride))) throw new Error(`wordFrameJson: stride must be a positive number of seconds, got ${opts.stride}`);
  const out: Record<string, Record<string, string | [number, number][]>> = {};
  for (const utterance of [...alignments.keys()].sort()) {
    const words = (alignments.get(utterance)?.words ?? []).filter((w) => w.label !== 'SIL');
    const entry: Record<string, string | [number, number][]> = { transcript_audio: words.map((w) => w.label).join(' ') };
    const frames = new Map<string, [number, number][]>();
    for (const w of words) {
      if (w.label === 'transcript_audio') throw new Error(`${alignments.get(utterance)?.source ?? utterance}: a word 'transcript_audio' cannot be written in the seed's format (the key holds the transcript)`);
      const list = frames.get(w.label) ?? [];
      list.push([Math.trunc(w.start / opts.stride), Math.trunc(w.end / opts.stride)]);
      frames.set(w.label, list);
    }
    for (const [word, list] of frames) entry[word] = list;
    out[opts.pathOf(utterance)] = entry;
  }
  return out;
}
