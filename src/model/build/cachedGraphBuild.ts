/**
 * A graph built from a checkpoint, cached beside it as
 * `<name>.layerwise-built-v<BUILDER_VERSION>-<sha256 prefix><suffix>.onnx` with its weights in `<that>.data`, so
 * a second load does not decode the checkpoint again. The key hashes the checkpoint's bytes and config.json;
 * the version changes whenever a builder's graph changes. The data file is complete before the graph file
 * appears (`GraphBuilder.writeWithExternalData`), so a graph file means a finished build. The speech builders
 * (`builtModelGraph`) and the text encoder builder (`loadTextModel`) share it.
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
import { CheckpointWeights } from './CheckpointWeights';

/**
 * Version of the graph builders (1: wav2vec2, HuBERT, WavLM, data2vec-audio, Whisper encoder, and the BERT /
 * RoBERTa encoders, whose addition changed no earlier graph; 2: the conv-encoder graphs also output each
 * activation's mean over frames and its shape). Raise it when a builder's graph changes.
 */
export const BUILDER_VERSION = 2;

/** What to build: the family's anchor key, the builder, and which leftover weights mean an unknown variant. */
export interface GraphBuildSpec {
  /** Names the graph (`layerwise-built-<family>`). */
  readonly family: string;
  /** A key every checkpoint of the family has, below its prefix (finds the prefix). */
  readonly anchor: string;
  /** Weights below the prefix that the builder must take: any left over is reported. */
  readonly encoderKeys: RegExp;
  /** Part of the cache file name for options that change the graph (`-ffn2`, `-nolocal`). */
  readonly suffix: string;
  /** Keep the build beside the checkpoint (default true); otherwise it goes to a temporary folder. */
  readonly cache: boolean;
  readonly build: (weights: CheckpointWeights, g: GraphBuilder) => void;
}

/**
 * A model's config.json as text (what the cache key hashes) and parsed; errors name the file, `why` says what
 * needs it ('a model built from weights needs it').
 */
export function readModelConfig(file: string, why: string): { text: string; json: unknown } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the model's config.json (${errorMessage(e)}); ${why}`);
  }
  try {
    return { text, json: JSON.parse(text) };
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${errorMessage(e)}`);
  }
}

/** A built graph on disk. */
export interface CachedGraph {
  /** The `.onnx` file to run (its weights beside it). */
  readonly runPath: string;
  /** sha256 (hex) of the checkpoint bytes and config.json: what the model's outputs depend on. */
  readonly hash: string;
  readonly format: CheckpointFormat;
  /** Removes the graph when it was written to a temporary folder (cache off); call once the session is made. */
  readonly cleanup: () => void;
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

/** The graph `spec` builds from `checkpointFile` (config.json's text `configText`): cached when built before. */
export function cachedGraphBuild(checkpointFile: string, configFile: string, configText: string, spec: GraphBuildSpec): CachedGraph {
  const { hash, head } = hashCheckpoint(checkpointFile, configText);
  const format = checkpointFormat(head);
  const base = path.basename(checkpointFile).replace(/\.(safetensors|bin|pt|pth)$/i, '');
  const name = `${base}.layerwise-built-v${BUILDER_VERSION}-${hash.slice(0, 16)}${spec.suffix}.onnx`;
  const cachedPath = path.join(path.dirname(checkpointFile), name);
  if (spec.cache && fs.existsSync(cachedPath) && fs.existsSync(`${cachedPath}.data`)) return { runPath: cachedPath, hash, format, cleanup: () => undefined };
  let target = cachedPath;
  let cleanup = (): void => undefined;
  if (!spec.cache) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-built-'));
    target = path.join(dir, name);
    cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  }
  // Weights go to disk as the builder declares them: memory holds the checkpoint and one weight being transposed.
  const graph = new GraphBuilder(`layerwise-built-${spec.family}`, 17);
  try {
    const checkpoint = readCheckpoint(checkpointFile, { nonFloat: 'skip' });
    const weights = new CheckpointWeights(checkpoint.tensors, spec.anchor, checkpointFile);
    graph.streamConstants(target);
    spec.build(weights, graph);
    const unused = weights.remaining().filter((k) => k.startsWith(weights.prefix) && spec.encoderKeys.test(k.slice(weights.prefix.length)));
    if (unused.length > 0) {
      throw new Error(
        `${checkpointFile}: ${unused.length} encoder weight(s) that the ${spec.family} architecture in ${configFile} does not use (${unused.slice(0, 4).join(', ')}${unused.length > 4 ? ', ...' : ''}); ` +
          'the checkpoint is a variant the graph builder does not know',
      );
    }
    graph.writeWithExternalData(target);
  } catch (e) {
    graph.abandon();
    cleanup();
    throw e;
  }
  return { runPath: target, hash, format, cleanup };
}
