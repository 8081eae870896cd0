/**
 * The Hugging Face hub client that models and datasets share: file downloads into a local cache (resume,
 * size and sha256 checks, `HF_ENDPOINT`, `HF_TOKEN`), directory listings, and byte ranges of remote files.
 */
export type { HubOptions, HubRepoType } from './downloadHubFile';
