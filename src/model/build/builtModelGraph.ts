/**
 * A speech model's graph built from a checkpoint (`config.json` + `model.safetensors` or `pytorch_model.bin`),
 * cached beside the checkpoint by `cachedGraphBuild` (`-ffn..`, `-nolocal` in the name for the options); what
 * it outputs follows from config.json (`builtSpeechGraph`).
 */
import type { CheckpointFormat } from '../../checkpoint/readCheckpoint';
import type { GraphBuilder } from '../../onnx/GraphBuilder';
import type { LayerMap } from '../LayerMap';
import { buildConvEncoderGraph } from './buildConvEncoderGraph';
import { builtSpeechGraph, type BuildOptions, type BuiltGraphInput } from './BuiltSpeechGraph';
import { buildWhisperEncoderGraph } from './buildWhisperEncoderGraph';
import { cachedGraphBuild, readModelConfig } from './cachedGraphBuild';
import type { CheckpointWeights } from './CheckpointWeights';
import { readSpeechArchitecture, type SpeechArchitecture } from './speechArchitecture';

/** A built graph on disk and what it outputs. */
export interface BuiltModelGraph {
  /** The `.onnx` file to run (its weights beside it). */
  readonly runPath: string;
  /** sha256 (hex) of the checkpoint bytes and config.json: what the model's features depend on. */
  readonly hash: string;
  readonly map: LayerMap;
  readonly names: readonly string[];
  readonly input: BuiltGraphInput;
  readonly format: CheckpointFormat;
  /** Removes the graph when it was written to a temporary folder (cache off); call once the session is made. */
  readonly cleanup: () => void;
}

function readConfig(configFile: string): { text: string; architecture: SpeechArchitecture } {
  const { text, json } = readModelConfig(configFile, 'a model built from weights needs it');
  return { text, architecture: readSpeechArchitecture(json, configFile) };
}

function build(architecture: SpeechArchitecture, weights: CheckpointWeights, opts: BuildOptions, g: GraphBuilder): void {
  if (architecture.family === 'whisper') buildWhisperEncoderGraph(architecture, weights, opts, g);
  else buildConvEncoderGraph(architecture, weights, opts, g);
}

/** Where every activation of the graph built from `configFile`'s architecture is (no weights needed). */
export function builtLayerMap(configFile: string, opts: BuildOptions): LayerMap {
  return builtSpeechGraph(readConfig(configFile).architecture, opts, configFile).map;
}

function keySuffix(opts: BuildOptions): string {
  const ffn = opts.ffn.length > 0 ? `-ffn${[...opts.ffn].sort((a, b) => a - b).join('_')}` : '';
  return `${ffn}${opts.local ? '' : '-nolocal'}`;
}

/**
 * The graph of the model whose weights are `checkpointFile` and whose architecture `configFile` gives:
 * from the cache when built before, else built and (with `cache`) kept beside the checkpoint.
 */
export function builtModelGraph(checkpointFile: string, configFile: string, opts: BuildOptions & { readonly cache: boolean }): BuiltModelGraph {
  const { text, architecture } = readConfig(configFile);
  const { map, names, input } = builtSpeechGraph(architecture, opts, configFile);
  const whisper = architecture.family === 'whisper';
  const built = cachedGraphBuild(checkpointFile, configFile, text, {
    family: architecture.family,
    anchor: whisper ? 'encoder.conv1.weight' : 'feature_projection.projection.weight',
    encoderKeys: whisper ? /^encoder\./ : /^(feature_extractor|feature_projection|encoder)\./,
    suffix: keySuffix(opts),
    cache: opts.cache,
    build: (weights, g) => build(architecture, weights, opts, g),
  });
  return { ...built, map, names, input };
}
