/**
 * A model graph built from a checkpoint (`config.json` + `model.safetensors` or `pytorch_model.bin`), cached
 * beside the checkpoint as `<name>.layerwise-built-v<BUILDER_VERSION>-<sha256 prefix>[-ffn..][-nolocal].onnx`
 * with its weights in `<that>.data`, so a second load does not decode the checkpoint again. The key hashes
 * the checkpoint's bytes and config.json; the version changes whenever a builder's graph changes. The data
 * file is complete before the graph file appears (`GraphBuilder.writeWithExternalData`), so a graph file
 * means a finished build; what it outputs follows from config.json (`builtSpeechGraph`).
 *
 * Memory: the checkpoint's bytes (its float32 tensors are views of them), and one weight at a time while it is
 * transposed and written to the data file (`GraphBuilder.streamConstants`); onnxruntime then maps the data
 * file. At most about two copies of the weights at any time (bench/README.md, "Models from weights").
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkpointFormat, readCheckpoint, type CheckpointFormat } from '../../checkpoint/readCheckpoint';
import { errorMessage } from '../../util/describeError';
import { GraphBuilder } from '../../onnx/GraphBuilder';
import type { LayerMap } from '../mapLayers';
import { buildConvEncoderGraph } from './buildConvEncoderGraph';
import { builtSpeechGraph, type BuildOptions, type BuiltGraphInput } from './BuiltSpeechGraph';
import { buildWhisperEncoderGraph } from './buildWhisperEncoderGraph';
import { CheckpointWeights } from './CheckpointWeights';
import { readSpeechArchitecture, type SpeechArchitecture } from './speechArchitecture';

/** Version of the graph builders (1: wav2vec2, HuBERT, WavLM, data2vec-audio, Whisper encoder). */
export const BUILDER_VERSION = 1;

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
  let text: string;
  try {
    text = fs.readFileSync(configFile, 'utf8');
  } catch (e) {
    throw new Error(`${configFile}: cannot read the model's config.json (${errorMessage(e)}); a model built from weights needs it`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${configFile} is not valid JSON: ${errorMessage(e)}`);
  }
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

/** Keys of the encoder itself that no builder step took: a variant the builder does not know. */
function leftover(weights: CheckpointWeights, architecture: SpeechArchitecture): string[] {
  const parts = architecture.family === 'whisper' ? /^encoder\./ : /^(feature_extractor|feature_projection|encoder)\./;
  return weights.remaining().filter((k) => k.startsWith(weights.prefix) && parts.test(k.slice(weights.prefix.length)));
}

/**
 * sha256 of the checkpoint (read in chunks: a cached graph's load never holds the weights) and config.json,
 * and the file's first bytes (its format).
 */
export function hashCheckpoint(file: string, config: string, chunkBytes = 1 << 24): { hash: string; head: Uint8Array } {
  const h = crypto.createHash('sha256');
  const chunk = Buffer.alloc(chunkBytes);
  let head: Uint8Array = new Uint8Array(0);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new Error(`${file}: cannot read the checkpoint (${errorMessage(e)})`);
  }
  try {
    for (let n = fs.readSync(fd, chunk); n > 0; n = fs.readSync(fd, chunk)) {
      // A copy: `chunk` is reused (and a Buffer's slice would be a view of it).
      if (head.length === 0) head = Uint8Array.from(chunk.subarray(0, Math.min(n, 16)));
      h.update(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return { hash: h.update('\0config\0').update(config).digest('hex'), head };
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
  const { hash, head } = hashCheckpoint(checkpointFile, text);
  const format = checkpointFormat(head);
  const base = path.basename(checkpointFile).replace(/\.(safetensors|bin|pt|pth)$/i, '');
  const name = `${base}.layerwise-built-v${BUILDER_VERSION}-${hash.slice(0, 16)}${keySuffix(opts)}.onnx`;
  const cachedPath = path.join(path.dirname(checkpointFile), name);
  const found = { runPath: cachedPath, hash, map, names, input, format };
  if (opts.cache && fs.existsSync(cachedPath) && fs.existsSync(`${cachedPath}.data`)) return { ...found, cleanup: () => undefined };
  let target = cachedPath;
  let cleanup = (): void => undefined;
  if (!opts.cache) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-built-'));
    target = path.join(dir, name);
    cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  }
  // Weights go to disk as the builder declares them: memory holds the checkpoint and one weight being transposed.
  const graph = new GraphBuilder(`layerwise-built-${architecture.family}`, 17);
  try {
    const checkpoint = readCheckpoint(checkpointFile, { nonFloat: 'skip' });
    const anchor = architecture.family === 'whisper' ? 'encoder.conv1.weight' : 'feature_projection.projection.weight';
    const weights = new CheckpointWeights(checkpoint.tensors, anchor, checkpointFile);
    graph.streamConstants(target);
    build(architecture, weights, opts, graph);
    const unused = leftover(weights, architecture);
    if (unused.length > 0) {
      throw new Error(
        `${checkpointFile}: ${unused.length} encoder weight(s) that the ${architecture.family} architecture in ${configFile} does not use (${unused.slice(0, 4).join(', ')}${unused.length > 4 ? ', ...' : ''}); ` +
          'the checkpoint is a variant the graph builder does not know',
      );
    }
    graph.writeWithExternalData(target);
  } catch (e) {
    graph.abandon();
    cleanup();
    throw e;
  }
  return { ...found, runPath: target, cleanup };
}
