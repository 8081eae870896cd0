/**
 * The CTC tokenizer vocabulary of a `*ForCTC` export, which lets a loaded model transcribe.
 */
import { downloadOptionalHubFile, type HubOptions } from '../hub/downloadHubFile';
import { findConfigFile } from './resolveModelSource';

/** The graph output holding CTC logits, as optimum and transformers.js name it in `*ForCTC` exports. */
export const CTC_OUTPUT = 'logits';

/**
 * The `vocab.json` of a CTC model: only a graph with a `logits` output looks for one (so other models fetch
 * nothing more); from the hub it comes with the tokenizer files that name its special tokens.
 */
export async function findCTCVocab(outputs: readonly { name?: string | null }[], configDirs: readonly string[], repo: string | undefined, opts: HubOptions): Promise<string | undefined> {
  if (!outputs.some((o) => o.name === CTC_OUTPUT)) return undefined;
  if (repo !== undefined) {
    const vocab = await downloadOptionalHubFile(repo, 'vocab.json', opts);
    if (vocab === undefined) return undefined;
    await downloadOptionalHubFile(repo, 'special_tokens_map.json', opts);
    await downloadOptionalHubFile(repo, 'tokenizer_config.json', opts);
    return vocab;
  }
  return findConfigFile(configDirs, 'vocab.json');
}
