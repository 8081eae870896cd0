/**
 * Reading and writing ONNX ModelProto files, including models whose weights live in external data files
 * (the ONNX format for models over protobuf's 2 GB limit): the graph file is small and names its weight
 * files by relative path, so a rewritten graph must sit beside those files to load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { errorMessage } from '../util/describeError';

/** Decode ONNX bytes; the error names `what` (a file path or description). */
export function decodeModelProto(bytes: Uint8Array, what = 'ONNX bytes'): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${what} is not an ONNX model: ${errorMessage(e)}`);
  }
  if (model.graph === null || model.graph === undefined || (model.graph.node ?? []).length === 0) {
    throw new Error(`${what} is not an ONNX model: it has no graph nodes`);
  }
  return model;
}

/** Read and decode an `.onnx` file. */
export function readModelProto(file: string): onnx.ModelProto {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read ONNX model ${file}: ${errorMessage(e)}`);
  }
  return decodeModelProto(bytes, file);
}

/** Encode a model to bytes. */
export function encodeModelProto(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** The relative paths of the external data files the model's initializers point to (empty for most models). */
export function externalDataLocations(model: onnx.IModelProto): string[] {
  const out = new Set<string>();
  const graph = model.graph;
  if (graph === null || graph === undefined) return [];
  for (const t of graph.initializer ?? []) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    for (const e of t.externalData ?? []) {
      if (e.key === 'location' && typeof e.value === 'string' && e.value.length > 0) out.add(e.value);
    }
  }
  return [...out];
}

/**
 * Make the external data files of a model read from `inputFile` reachable from `outputFile`'s directory:
 * nothing to do when both are in one directory; otherwise each file is
 * hard-linked (copied across file systems). Not symlinked: onnxruntime resolves links and refuses data
 * outside the model's directory. Throws, naming the file, when a data file is missing.
 */
export function linkExternalData(model: onnx.IModelProto, inputFile: string, outputFile: string): string[] {
  const locations = externalDataLocations(model);
  const inDir = path.dirname(path.resolve(inputFile));
  const outDir = path.dirname(path.resolve(outputFile));
  const linked: string[] = [];
  for (const loc of locations) {
    if (path.isAbsolute(loc) || loc.split(/[\\/]/).includes('..')) {
      throw new Error(`${inputFile}: external data location '${loc}' must be a relative path inside the model's directory`);
    }
    const src = path.join(inDir, loc);
    if (!fs.existsSync(src)) throw new Error(`${inputFile}: external data file ${src} is missing (keep it beside the .onnx file)`);
    if (inDir === outDir) continue;
    const dst = path.join(outDir, loc);
    if (fs.existsSync(dst)) {
      if (fs.statSync(dst).size !== fs.statSync(src).size) {
        throw new Error(`${outputFile}: ${dst} already exists and differs from the model's external data ${src}`);
      }
      continue;
    }
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    try {
      fs.linkSync(src, dst);
    } catch {
      fs.copyFileSync(src, dst);
    }
    linked.push(dst);
  }
  return linked;
}

/** Write a model atomically (`writeFileAtomic`), so a reader never sees half a file. */
export function writeModelProto(model: onnx.IModelProto, file: string): void {
  const bytes = encodeModelProto(model);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(file, bytes);
}
