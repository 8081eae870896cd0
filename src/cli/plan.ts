/**
 * `layerwise plan --data D --shards N`: how `layerwise extract --shard I/N` splits the data (items and audio
 * seconds per shard), with the same --split, --seed and --limit selection as the extraction.
 */
import { loadDataset, selectDataset } from '../data/datasets/loadDataset';
import { planShards } from '../store/planShards';
import { intOption, parseArgs, seedOption } from './parseArgs';

export const usage = `usage: layerwise plan --data D --shards N [--split S] [--seed S] [--limit N]

  Prints the partition \`layerwise extract --shard I/N\` uses for the same data and selection: per shard the
  number of items and the seconds of audio (segment bounds, else WAV/FLAC headers, else file size).`;

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { strings: ['data', 'shards', 'split', 'seed', 'limit'] });
  const data = a.strings.data;
  const count = Number(a.strings.shards);
  if (data === undefined || !Number.isInteger(count) || count < 1) throw new Error(`--data and --shards N (a positive integer) are required\n${usage}`);
  const { layout, dataset: loaded } = await loadDataset(data, a.strings.split !== undefined ? { split: a.strings.split } : {});
  // the selection `layerwise extract` makes from the same options
  const dataset = selectDataset(loaded, layout, seedOption(a.strings.seed), intOption(a.strings.limit, 'limit'));
  const plan = planShards(dataset.items, count);
  const total = plan.reduce((s, p) => s + p.seconds, 0);
  const lines = ['shard\titems\taudio seconds\tshare', ...plan.map((p) => `${p.index}\t${p.positions.length}\t${p.seconds.toFixed(1)}\t${((100 * p.seconds) / (total || 1)).toFixed(1)}%`)];
  lines.push(`all\t${dataset.length}\t${total.toFixed(1)}\t100%`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
