/**
 * Where a model comes from: a local `.onnx` file, a local folder holding one, or a Hugging Face-style repo id
 * whose ONNX file (and configs) are downloaded into the cache. Gives the ONNX path and the folders in which to
 * look for `config.json`, `preprocessor_config.json` and `vocab.json`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadHubFile, downloadOptionalHubFile, isRepoId, type HubOptions } from './downloadHubFile';

/** The parts of `LoadModelOptions` that choose the file. */
export interface ModelSourceOptions extends HubOptions {
  /**
   * The ONNX file inside the repository or folder (default `onnx/model.onnx`, locally also `model.onnx`); e.g.
   * `onnx/model_fp16.onnx` for the float16 export (its layers come out as float32).
   */
  readonly file?: string;
  /** Shorthand for `file: 'onnx/model_quantized.onnx'` (the transformers.js int8 export). */
  readonly quantized?: boolean;
}

/** A resolved model source. */
export interface ModelSource {
  /** The model's id as stores record it: the path as given, or `repo` / `repo@revision`. */
  readonly id: string;
  readonly onnxPath: string;
  /** Folders to look for the configs in, nearest first. */
  readonly configDirs: readonly string[];
  /** For hub sources: the repo and the ONNX file's path in it (external data files are fetched beside it). */
  readonly hub?: { readonly repo: string; readonly file: string };
}

function configDirsFor(onnxPath: string): string[] {
  const dir = path.dirname(path.resolve(onnxPath));
  return path.basename(dir) === 'onnx' ? [dir, path.dirname(dir)] : [dir];
}

/** Resolve `source` (a path or a repo id), downloading hub files as needed. */
export async function resolveModelSource(source: string, opts: ModelSourceOptions): Promise<ModelSource> {
  if (fs.existsSync(source)) {
    let onnxPath = source;
    if (fs.statSync(source).isDirectory()) {
      const candidates = opts.file !== undefined ? [opts.file] : opts.quantized ? ['onnx/model_quantized.onnx', 'model_quantized.onnx'] : ['onnx/model.onnx', 'model.onnx'];
      const found = candidates.map((c) => path.join(source, c)).find((f) => fs.existsSync(f));
      if (found === undefined) throw new Error(`loadModel: directory ${source} has none of ${candidates.join(', ')}`);
      onnxPath = found;
    }
    return { id: source, onnxPath, configDirs: configDirsFor(onnxPath) };
  }
  if (!isRepoId(source)) {
    throw new Error(`loadModel: '${source}' is neither an existing file or directory nor a repository id like 'facebook/wav2vec2-base'`);
  }
  const file = opts.file ?? (opts.quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx');
  const onnx = await downloadHubFile(source, file, opts);
  const dir = path.dirname(onnx.path);
  const rootDepth = file.split('/').length - 1;
  let root = dir;
  for (let i = 0; i < rootDepth; i++) root = path.dirname(root);
  // Configs live at the repository root; a missing one falls back to the defaults, like a local model.
  await downloadOptionalHubFile(source, 'config.json', opts);
  await downloadOptionalHubFile(source, 'preprocessor_config.json', opts);
  const revision = opts.revision ?? 'main';
  return { id: revision === 'main' ? source : `${source}@${revision}`, onnxPath: onnx.path, configDirs: [dir, root], hub: { repo: source, file } };
}
