/**
 * `layerwise merge SHARD_DIRS... --out DIR`: join the stores of `layerwise extract --shard I/N` into the store a
 * single run writes (see src/store/mergeFeatureStores.ts).
 */
import * as fs from 'node:fs';
import { mergeFeatureStores } from '../store/mergeFeatureStores';
import { parseArgs } from './parseArgs';

export const usage = `usage: layerwise merge SHARD_DIR... --out DIR

  Joins the N shard stores of one \`layerwise extract --shard I/N\` run (any order; all N are required, each
  finished) into DIR, byte for byte the store one process over the whole dataset writes. Refuses shards of
  different runs (model, options or dataset), a shard given twice, a missing or unfinished one.`;

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { strings: ['out'] });
  const out = a.strings.out;
  if (out === undefined || a.positional.length === 0) throw new Error(`give the shard stores and --out\n${usage}`);
  const t0 = performance.now();
  const r = mergeFeatureStores(a.positional, out);
  const bytes = fs.readdirSync(out).reduce((n, f) => n + (fs.statSync(`${out}/${f}`).isFile() ? fs.statSync(`${out}/${f}`).size : 0), 0);
  process.stdout.write(
    r.alreadyComplete
      ? `${out} already holds the merged store (${r.meta.items.length} items); nothing to do\n`
      : `${out}: ${r.shards} shards merged, ${r.meta.items.length} items, ${r.meta.layers.length} layers in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(bytes / 2 ** 20).toFixed(1)} MiB at the top level)\n`,
  );
  return 0;
}
