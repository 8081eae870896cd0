/** The checks every synthetic LibriSpeech-style corpus makes of its layout options, with errors named by `what`. */

/** Speakers x chapters x utterances as positive integers (utterance numbers have four digits), an integer seed, a plain split name. */
export function checkCorpusLayout(what: string, counts: { speakers: number; chaptersPerSpeaker: number; utterancesPerChapter: number }, seed: number, split: string): void {
  for (const [key, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${what}: ${key} must be a positive integer, got ${value}`);
  }
  if (counts.utterancesPerChapter > 9999) throw new Error(`${what}: utterancesPerChapter must be at most 9999`);
  if (!Number.isSafeInteger(seed)) throw new Error(`${what}: seed must be an integer, got ${seed}`);
  if (!/^[A-Za-z0-9._-]+$/.test(split)) throw new Error(`${what}: split '${split}' must be a plain folder name`);
}
