/**
 * `layerwise synth words|sentences|aligned --out DIR ...`: make the offline synthetic datasets from the command line.
 */
import { synthesizeAlignedSpeech } from '../data/synth/synthesizeAlignedSpeech';
import { synthesizeSpokenSentences } from '../data/synth/synthesizeSpokenSentences';
import { SPEECH_COMMANDS_WORDS, synthesizeSpokenWords } from '../data/synth/synthesizeSpokenWords';
import { errorMessage } from '../util/describeError';
import { at } from '../util/at';

export const usage = `usage: layerwise synth words --out DIR [--seed S] [--variants N] [--words w1,w2,...]
       layerwise synth sentences --out DIR [--seed S] [--speakers N] [--chapters N] [--utterances N] [--split NAME]
       layerwise synth aligned --out DIR [--seed S] [--speakers N] [--chapters N] [--utterances N] [--split NAME]

  words      Speech Commands-style folder <DIR>/<word>/*.wav (16 kHz, 1 s) with validation/testing lists;
             default words: ${SPEECH_COMMANDS_WORDS.join(' ')}, 50 variants (speakers) each.
  sentences  LibriSpeech-style tree <DIR>/<split>/<speaker>/<chapter>/*.flac with .trans.txt transcripts;
             defaults: 2 speakers x 1 chapter x 5 utterances, split dev-clean.
  aligned    Festival speakers (two voices, seeded rates and pitch) in the same LibriSpeech tree, with exact
             word and phone alignments as TextGrids in <DIR>/alignments/<split>/<speaker>/<chapter>/
             (the Lugosch et al. layout); defaults: 6 speakers x 1 chapter x 60 utterances.
  Same seed, same files. Existing complete files are kept. Needs espeak-ng (words, sentences), festival
  (aligned) and flac (sentences, aligned).`;

interface Parsed {
  readonly command: string;
  readonly out: string;
  readonly flags: Map<string, string>;
}

const ALLOWED: Record<string, readonly string[]> = {
  words: ['out', 'seed', 'variants', 'words'],
  sentences: ['out', 'seed', 'speakers', 'chapters', 'utterances', 'split'],
  aligned: ['out', 'seed', 'speakers', 'chapters', 'utterances', 'split'],
};

function parse(argv: readonly string[]): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined || !(command in ALLOWED)) throw new Error(`expected 'words', 'sentences' or 'aligned', got ${command === undefined ? 'nothing' : `'${command}'`}`);
  const allowed = ALLOWED[command] ?? [];
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = at(rest, i);
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (m === null) throw new Error(`unexpected argument '${arg}'`);
    const key = at(m, 1);
    if (!allowed.includes(key)) throw new Error(`unknown option --${key} for '${command}'`);
    let value = m[2];
    if (value === undefined) {
      value = rest[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new Error(`--${key} needs a value`);
    flags.set(key, value);
  }
  const out = flags.get('out');
  if (out === undefined) throw new Error('--out DIR is required');
  return { command, out, flags };
}

function integer(flags: Map<string, string>, key: string): number | undefined {
  const v = flags.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`--${key} must be an integer, got '${v}'`);
  return n;
}

/** Run the subcommand with the arguments after `synth`; returns the process exit status. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    process.stderr.write(`layerwise synth: ${errorMessage(e)}\n${usage}\n`);
    return 2;
  }
  const { command, out: outDir, flags } = parsed;
  try {
    const seed = integer(flags, 'seed');
    if (command === 'words') {
      const words = flags.get('words')?.split(',').map((w) => w.trim()).filter((w) => w !== '');
      const variants = integer(flags, 'variants');
      const r = await synthesizeSpokenWords({
        outDir,
        ...(seed !== undefined && { seed }),
        ...(variants !== undefined && { variants }),
        ...(words !== undefined && { words }),
      });
      process.stdout.write(`${r.outDir}: ${r.written} clips written, ${r.skipped} already present\n`);
    } else {
      const speakers = integer(flags, 'speakers');
      const chaptersPerSpeaker = integer(flags, 'chapters');
      const utterancesPerChapter = integer(flags, 'utterances');
      const split = flags.get('split');
      const common = {
        outDir,
        ...(seed !== undefined && { seed }),
        ...(speakers !== undefined && { speakers }),
        ...(chaptersPerSpeaker !== undefined && { chaptersPerSpeaker }),
        ...(utterancesPerChapter !== undefined && { utterancesPerChapter }),
        ...(split !== undefined && { split }),
      };
      if (command === 'aligned') {
        const r = await synthesizeAlignedSpeech(common);
        process.stdout.write(`${r.splitDir}: ${r.written} utterances written, ${r.skipped} already present; alignments in ${r.alignmentDir}\n`);
      } else {
        const r = await synthesizeSpokenSentences(common);
        process.stdout.write(`${r.splitDir}: ${r.written} utterances written, ${r.skipped} already present\n`);
      }
    }
    return 0;
  } catch (e) {
    process.stderr.write(`layerwise synth ${command}: ${errorMessage(e)}\n`);
    return 1;
  }
}
