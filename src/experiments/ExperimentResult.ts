/**
 * What a layerwise-analysis experiment returns: one score per layer, keyed by the peer's layer ids (`C1`..`C7`
 * for the conv layers, `T0`..`TL` for the transformer's hidden states; the peer keys its cca_mel results this
 * way and its other experiments by layer number, here every experiment uses the same ids so results line up in
 * one figure), with why a score is missing and the experiment's own details. `experimentJson` is the peer's
 * `{layer_id: score}` file; `writeExperimentResult` names it `{exp}_{split}_sample{n}.json` as the peer does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJSONFile } from '../util/jsonFile';

/** The experiments of seed 004. */
export const EXPERIMENTS = ['cca-mel', 'cca-intra', 'cca-phone', 'cca-word', 'cca-glove', 'cca-agwe', 'mi-phone', 'mi-word', 'wordsim'] as const;

/** One of `EXPERIMENTS`. */
export type ExperimentName = (typeof EXPERIMENTS)[number];

/** Per-layer scores of one experiment on one data sample. */
export interface ExperimentResult {
  readonly experiment: ExperimentName;
  /** The model the features came from (store's model id). */
  readonly model: string;
  /** Layer ids in layer order. */
  readonly layers: readonly string[];
  /** Layer id -> score (null when undefined; see `reasons`). */
  readonly scores: Readonly<Record<string, number | null>>;
  /** Layer id -> why its score is null. */
  readonly reasons: Readonly<Record<string, string>>;
  /** Rows scored per layer (frames, segments or word pairs). */
  readonly rows: Readonly<Record<string, number>>;
  /** Experiment-specific values per layer (CV splits, MI per iteration, per-benchmark rho, ...). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** The peer's id of an activation name: `local.3` -> `C3`, `hidden.6` -> `T6`. */
export function layerId(name: string): string {
  const m = /^(local|hidden)\.(\d+)$/.exec(name);
  if (m === null) throw new Error(`layerId: '${name}' is neither a conv layer (local.N) nor a hidden state (hidden.N)`);
  return `${m[1] === 'local' ? 'C' : 'T'}${m[2] ?? ''}`;
}

/** The peer's result file contents: `{layer_id: score}`. */
export function experimentJson(result: ExperimentResult): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const id of result.layers) out[id] = result.scores[id] ?? null;
  return out;
}

/** Write `{exp}_{split}_sample{n}.json` (underscores, as the peer names them) into `dir` (created if needed); returns its path. */
export function writeExperimentResult(result: ExperimentResult, dir: string, opts: { split?: string; sample?: number } = {}): string {
  const split = opts.split ?? 'dev';
  const sample = opts.sample ?? 0;
  if (!/^[A-Za-z0-9._-]+$/.test(split)) throw new Error(`writeExperimentResult: split '${split}' must be a plain name`);
  if (!(Number.isInteger(sample) && sample >= 0)) throw new Error(`writeExperimentResult: sample must be a non-negative integer, got ${sample}`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.experiment.replace(/-/g, '_')}_${split}_sample${sample}.json`);
  writeJSONFile(file, experimentJson(result));
  return file;
}
