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
import { onnx } from 'onnx-proto';
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
 * encoder exports get the log-mel front end in front of `input_features`; 5: the cached copy reads the original's
 * weights as external data instead of holding a copy; 6: each exposed activation's mean over frames and shape
 * are outputs too, `addMeanOutputs`).
 */
export const EXPOSED_GRAPH_VERSION = 6;

function exposedPath(onnxPath: string, hash: string, opts: ExposureKey): string {
  const base = path.basename(onnxPath).replace(/\.onnx$/i, '');
  const ffn = (opts.ffn ?? []).length > 0 ? `-ffn${[...(opts.ffn ?? [])].sort((a, b) => a - b).join('_')}` : '';
  const local = opts.local === false ? '-nolocal' : '';
  return path.join(path.dirname(onnxPath), `${base}.layerwise-v${EXPOSED_GRAPH_VERSION}-${hash.slice(0, 16)}${ffn}${local}.onnx`);
}

/**
 * `model` with every initializer whose bytes lie inside `source` (the original file's bytes, which the
 * decoder's raw_data fields are views of) turned into an external-data reference to that file at the same
 * offset. The cached graph is then a few hundred KB of structure that reads its weights from the original,
 * instead of a second copy of them: writing it takes milliseconds instead of seconds (wav2vec2-base: 361 MB),
 * and each exposure variant costs no disk. The cache file's name carries the original's hash, so a changed
 * original is never read through stale offsets. `model` is not modified.
 */
function referencingSource(model: onnx.IModelProto, source: Uint8Array, location: string): onnx.IModelProto {
  const graph = model.graph;
  if (graph === null || graph === undefined) return model;
  // Only a buffer of its own: a small file read into Node's shared pool could alias other values' bytes.
  if (source.byteOffset !== 0 || source.buffer.byteLength !== source.length) return model;
  const initializer = (graph.initializer ?? []).map((t): onnx.ITensorProto => {
    const raw = t.rawData;
    if (raw === null || raw === undefined || raw.length === 0 || raw.buffer !== source.buffer) return t;
    const offset = raw.byteOffset;
    if (offset + raw.length > source.length) return t;
    const { rawData: _inline, ...rest } = t;
    return {
      ...rest,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(raw.length) },
      ],
    };
  });
  return { ...model, graph: { ...graph, initializer } };
}

/**
 * Whether a graph beside `onnxPath` may read its weights from it: onnxruntime resolves symbolic links in
 * external-data paths and refuses data outside the model's directory, so a linked original (or a linked
 * folder that resolves elsewhere) keeps the weights inline in the cached copy.
 */
function referenceable(onnxPath: string): boolean {
  try {
    if (fs.lstatSync(onnxPath).isSymbolicLink()) return false;
    const dir = path.dirname(path.resolve(onnxPath));
    return fs.realpathSync(dir) === dir;
  } catch {
    return false;
  }
}

/**
 * The graph to run for `onnxPath` whose layer-exposed rewrite is `exposed`: the cached copy when there is one,
 * else `exposed` written beside the original (when `cache`), else `exposed` in memory. `source`, the bytes
 * `exposed` was decoded from, lets the cached copy reference the original's weights instead of copying them.
 */
export function exposedGraph(onnxPath: string, hash: string, exposed: onnx.IModelProto, key: ExposureKey, cache: boolean, hasExternal: boolean, source?: Uint8Array): ExposedGraph {
  const target = exposedPath(onnxPath, hash, key);
  if (fs.existsSync(target)) return { target, runPath: target };
  if (cache) {
    const written = source === undefined || !referenceable(onnxPath) ? exposed : referencingSource(exposed, source, path.basename(onnxPath));
    try {
      writeFileAtomic(target, encodeModelProto(written));
      return { target, runPath: target };
    } catch (e) {
      if (hasExternal) throw new Error(`${onnxPath}: cannot write the layer-exposed graph beside the model and its external data (${errorMessage(e)})`);
    }
  } else if (hasExternal) {
    throw new Error(`${onnxPath}: a model with external data files needs cacheExposed (the exposed graph must sit beside its weights)`);
  }
  return { target: encodeModelProto(exposed), runPath: '(in memory)' };
}
