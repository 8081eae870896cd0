/**
 * The layer-exposed copy of a model's graph, cached beside the original as
 * `<name>.layerwise-v<EXPOSED_GRAPH_VERSION>-<sha256 prefix>[-ffn..][-nolocal].onnx`, so a second load skips the
 * rewrite. The version changes whenever the rewrite or the activation names change, so a copy made by an older
 * layerwise is never reused. A model with
 * external data files must run from beside its weights, so for it the copy is required, not a cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeModelProto } from '../onnx/readModelProto';
import type { onnx } from 'onnx-proto';
import { errorMessage } from '../util/describeError';
import { writeFileAtomic } from '../util/writeFileAtomic';

/** Which exposure a cached copy holds (part of its file name). */
export interface ExposureKey {
  readonly ffn?: readonly number[];
  readonly local?: boolean;
}

/** What the session runs: a file path, or the encoded graph when it could not (or should not) be cached. */
export interface ExposedGraph {
  readonly target: string | Uint8Array;
  /** The file, or '(in memory)'. */
  readonly runPath: string;
}

/**
 * Version of the exposure rewrite and its output names (2: layers numbered from 1, `ffn.<i>` inside layer i;
 * 3: exposed tensors go through a Cast to float32, for fp16 exports, instead of an Identity; 4: Whisper
 * encoder exports get the log-mel front end in front of `input_features`).
 */
export const EXPOSED_GRAPH_VERSION = 4;

function exposedPath(onnxPath: string, hash: string, opts: ExposureKey): string {
  const base = path.basename(onnxPath).replace(/\.onnx$/i, '');
  const ffn = (opts.ffn ?? []).length > 0 ? `-ffn${[...(opts.ffn ?? [])].sort((a, b) => a - b).join('_')}` : '';
  const local = opts.local === false ? '-nolocal' : '';
  return path.join(path.dirname(onnxPath), `${base}.layerwise-v${EXPOSED_GRAPH_VERSION}-${hash.slice(0, 16)}${ffn}${local}.onnx`);
}

/**
 * The graph to run for `onnxPath` whose layer-exposed rewrite is `exposed`: the cached copy when there is one,
 * else `exposed` written beside the original (when `cache`), else `exposed` in memory.
 */
export function exposedGraph(onnxPath: string, hash: string, exposed: onnx.IModelProto, key: ExposureKey, cache: boolean, hasExternal: boolean): ExposedGraph {
  const target = exposedPath(onnxPath, hash, key);
  if (fs.existsSync(target)) return { target, runPath: target };
  const bytes = encodeModelProto(exposed);
  if (cache) {
    try {
      writeFileAtomic(target, bytes);
      return { target, runPath: target };
    } catch (e) {
      if (hasExternal) throw new Error(`${onnxPath}: cannot write the layer-exposed graph beside the model and its external data (${errorMessage(e)})`);
    }
  } else if (hasExternal) {
    throw new Error(`${onnxPath}: a model with external data files needs cacheExposed (the exposed graph must sit beside its weights)`);
  }
  return { target: bytes, runPath: '(in memory)' };
}
