/**
 * Which Parquet files hold a config's split of a hub dataset, in the order `datasets` reads them:
 * 1. the repository's own Parquet files at the requested revision (the layout `push_to_hub` writes:
 *    `[<config>/]data/<split>-00000-of-00002.parquet`, or a `<split>/` folder; names sorted);
 * 2. otherwise the conversion the hub keeps for every dataset on the `refs/convert/parquet` revision:
 *    `<config>/<split>/0000.parquet, 0001.parquet, ...` (`partial-<split>` where the hub converted only the
 *    first part of a very large split).
 * A missing config or split is an error that lists the ones that exist.
 */
import { HubListingNotFoundError, listHubFiles, type HubFileEntry } from '../../hub/listHubFiles';
import type { HubOptions } from '../../hub/downloadHubFile';

/** The revision on which the hub keeps its Parquet conversion of every dataset. */
export const PARQUET_CONVERSION_REVISION = 'refs/convert/parquet';

/** The files found and where: the revision they are read at, and whether the hub converted only part of the split. */
export interface HubParquetFiles {
  readonly revision: string;
  readonly files: readonly HubFileEntry[];
  readonly partial: boolean;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The split a `push_to_hub`-style file name belongs to ('data/test-00000-of-00001.parquet' -> 'test'). */
function splitOfPath(rel: string): string | undefined {
  const parts = rel.split('/');
  const base = parts[parts.length - 1] ?? '';
  const m = /^(.+?)-\d{5}-of-\d{5}\.parquet$/.exec(base) ?? /^(.+?)(?:-\d+)?\.parquet$/.exec(base);
  if (parts.length >= 2 && parts[parts.length - 2] !== 'data') return parts[parts.length - 2];
  return m?.[1];
}

export async function findHubParquetFiles(repo: string, config: string, split: string, opts: HubOptions = {}): Promise<HubParquetFiles> {
  const where = `dataset ${repo}, config '${config}', split '${split}'`;
  const dataset: HubOptions = { ...opts, repoType: 'dataset' };
  const revision = opts.revision ?? 'main';
  if (revision !== PARQUET_CONVERSION_REVISION) {
    const own = (await listHubFiles(repo, { ...dataset, revision })).filter((f) => f.path.endsWith('.parquet'));
    const prefix = config === 'default' ? '' : `${config}/`;
    const inConfig = own.filter((f) => f.path.startsWith(prefix));
    if (inConfig.length > 0) {
      const rel = (f: HubFileEntry): string => f.path.slice(prefix.length);
      // push_to_hub's names first; then the split as a word of the path, as datasets' default patterns match it
      const exact = inConfig.filter((f) => splitOfPath(rel(f)) === split);
      const word = new RegExp(`(^|[-._ /])${escape(split)}([-._ 0-9/]|$)`);
      const files = exact.length > 0 ? exact : inConfig.filter((f) => word.test(rel(f)));
      if (files.length > 0) return { revision, files, partial: false };
      const splits = [...new Set(inConfig.map((f) => splitOfPath(rel(f))).filter((s): s is string => s !== undefined))].sort();
      throw new Error(`${where}: no Parquet file of that split at revision '${revision}' (splits found: ${splits.join(', ') || 'none'})`);
    }
    if (opts.revision !== undefined) {
      throw new Error(`${where}: revision '${revision}' has no Parquet files${prefix === '' ? '' : ` under '${prefix}'`}; omit the revision to use the hub's Parquet conversion`);
    }
  }
  const conv: HubOptions = { ...dataset, revision: PARQUET_CONVERSION_REVISION };
  let inConfig: HubFileEntry[];
  try {
    inConfig = (await listHubFiles(repo, { ...conv, folder: config })).filter((f) => f.path.endsWith('.parquet'));
  } catch (e) {
    if (!(e instanceof HubListingNotFoundError)) throw e;
    const configs = await listHubFiles(repo, conv).then(
      (all) => [...new Set(all.map((f) => f.path.split('/')[0] ?? '').filter((c) => c !== '' && !c.startsWith('.')))].sort(),
      () => [],
    );
    throw new Error(`${where}: the hub's Parquet conversion has no config '${config}' (configs: ${configs.join(', ') || 'none found'}; the repository itself has no Parquet files)`);
  }
  for (const [folder, partial] of [[split, false], [`partial-${split}`, true]] as const) {
    const files = inConfig.filter((f) => f.path.startsWith(`${config}/${folder}/`));
    if (files.length > 0) return { revision: PARQUET_CONVERSION_REVISION, files, partial };
  }
  const splits = [...new Set(inConfig.map((f) => f.path.split('/')[1] ?? '').filter((s) => s !== ''))].sort();
  throw new Error(`${where}: no such split in the hub's Parquet conversion (splits: ${splits.join(', ') || 'none'})`);
}
