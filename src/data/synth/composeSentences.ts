/**
 * Seeded English sentences from a few templates over a small vocabulary, for the aligned synthetic corpus:
 * every word recurs often enough for word-level samples (100 words x 10 instances from a few hundred
 * sentences), and the vocabulary covers all 39 CMUdict phones, rare ones included (ZH in treasure, measure,
 * vision; OY in boy, voice, coin; UH in book, good, foot).
 */
import { Random } from '../../random';
import { at } from '../../util/at';

const ADJECTIVES = ['young', 'yellow', 'usual', 'brown', 'quiet', 'heavy', 'small', 'cold', 'bright', 'rough', 'thick', 'good', 'huge', 'cheap', 'sharp', 'soft', 'noisy', 'wooden', 'loyal', 'joyful', 'beige', 'strange'];
const NOUNS = ['boy', 'toy', 'voice', 'coin', 'treasure', 'vision', 'garage', 'book', 'foot', 'cook', 'sugar', 'judge', 'cheese', 'church', 'shoe', 'ship', 'cloth', 'thumb', 'mouth', 'house', 'horse', 'king', 'song', 'dog', 'window', 'father', 'mother', 'engine', 'bridge', 'leisure'];
const VERBS = ['measured', 'pushed', 'took', 'saw', 'found', 'caught', 'brought', 'washed', 'watched', 'joined', 'enjoyed', 'moved', 'carried', 'pulled', 'shook', 'chose', 'loved', 'held', 'painted', 'visited'];
const PREPOSITIONS = ['near', 'behind', 'under', 'beside', 'across', 'toward', 'inside', 'above'];
const PLACES = ['river', 'garden', 'kitchen', 'station', 'valley', 'harbor', 'forest', 'village', 'mountain', 'market'];
const NAMES = ['Ruth', 'George', 'Joy', 'Thomas', 'Martha', 'Hugo', 'Sarah', 'Oliver'];
const PRONOUNS = ['she', 'he', 'they', 'we', 'you'];
const TIMES = ['this morning', 'yesterday', 'at noon', 'every day', 'that evening', 'in the summer', 'on Thursday', 'again'];

type Pick = (words: readonly string[]) => string;

const TEMPLATES: readonly ((p: Pick) => string)[] = [
  (p) => `the ${p(ADJECTIVES)} ${p(NOUNS)} ${p(VERBS)} the ${p(NOUNS)} ${p(PREPOSITIONS)} the ${p(PLACES)}`,
  (p) => `${p(NAMES)} ${p(VERBS)} a ${p(ADJECTIVES)} ${p(NOUNS)} ${p(TIMES)}`,
  (p) => `could you bring the ${p(ADJECTIVES)} ${p(NOUNS)} to the ${p(PLACES)}`,
  (p) => `${p(PRONOUNS)} thought the ${p(NOUNS)} was ${p(ADJECTIVES)}`,
  (p) => `${p(PRONOUNS)} ${p(VERBS)} the ${p(NOUNS)} and the ${p(ADJECTIVES)} ${p(NOUNS)} ${p(TIMES)}`,
];

/** `count` sentences drawn with `seed` (the same seed gives the same sentences). */
export function composeSentences(count: number, seed = 0): string[] {
  if (!(Number.isInteger(count) && count >= 0)) throw new Error(`composeSentences: count must be a non-negative integer, got ${count}`);
  const rng = new Random(`${seed}:sentences`);
  const pick: Pick = (words) => at(words, rng.int(words.length));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = at(TEMPLATES, rng.int(TEMPLATES.length))(pick);
    out.push(`${s.charAt(0).toUpperCase()}${s.slice(1)}.`);
  }
  return out;
}
