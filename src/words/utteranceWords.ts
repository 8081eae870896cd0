/**
 * The words of each aligned utterance, as text models and static vectors read them: utterances in sorted id
 * order (seed 002 reads its files sorted), each utterance's word intervals in time order, silence (`SIL`, the
 * label normalisation's name for it) left out. Positions index the utterance's word tier as a word-span store
 * numbers its rows, so that every kind of model names an occurrence the same way.
 */
import type { Alignment } from '../data/alignments/Alignment';
import type { WordOccurrence } from './WordEmbeddings';

/** Per utterance (sorted), its words with their positions in the word tier. */
export function utteranceWords(alignments: ReadonlyMap<string, Alignment>): { readonly utterance: string; readonly words: readonly WordOccurrence[] }[] {
  if (alignments.size === 0) throw new Error('no alignments: pass loadAlignments(dir) or a data sample with its alignments');
  return [...alignments.keys()]
    .sort()
    .map((utterance) => {
      const a = alignments.get(utterance);
      const spans = a === undefined ? [] : a.words;
      const words: WordOccurrence[] = [];
      spans.forEach((s, position) => {
        if (s.label !== 'SIL') words.push({ utterance, position, word: s.label });
      });
      return { utterance, words };
    });
}
