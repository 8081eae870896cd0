/**
 * Where a model comes from: a local `.onnx` file, a local checkpoint (`model.safetensors`, `pytorch_model.bin`)
 * with its `config.json`, a local folder holding either, or a Hugging Face-style repo id whose files are
 * downloaded into the cache. Gives the file and the folders in which to look for `config.json`,
 * `preprocessor_config.json` and `vocab.json`.
 *
 * Resolution order, in a folder and on the hub alike (unless `file` names one):
 * 1. the ONNX export, `onnx/model.onnx` (`onnx/model_quantized.onnx` with `quantized`), locally also `model.onnx`;
 * 2. else `model.safetensors`;
 * 3. else `pytorch_model.bin`;
 * the last two are built into a graph from `config.json` (`from: 'weights'` skips the ONNX step, `from: 'onnx'`
 * stops after it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadHubFile, downloadOptionalHubFile, isRepoId, type HubOptions } from '../hub/downloadHubFile';
import { describePath, resolveDemo } from '../util/packagePaths';

/** The parts of `LoadModelOptions` that choose the file. */
export interface ModelSourceOptions extends HubOptions {
  /**
   * The file inside the repository or folder: an ONNX file (default `onnx/model.onnx`, locally also
   * `model.onnx`; e.g. `onnx/model_fp16.onnx` for the float16 export, whose layers come out as float32) or a
   * checkpoint (`model.safetensors`, `pytorch_model.bin`).
   */
  readonly file?: string;
  /** Shorthand for `file: 'onnx/model_quantized.onnx'` (the transformers.js int8 export). */
  readonly quantized?: boolean;
  /**
   * 'auto' (default): the ONNX export when there is one, else the checkpoint; 'onnx': only an ONNX export;
   * 'weights': build the graph from the checkpoint even when an ONNX export exists.
   */
  readonly from?: 'auto' | 'onnx' | 'weights';
}

/** A resolved model source. */
export interface ModelSource {
  /** The model's id as stores record it: the path as given, or `repo` / `repo@revision`. */
  readonly id: string;
  /** 'onnx': a graph to expose; 'weights': a checkpoint to build a graph from. */
  readonly kind: 'onnx' | 'weights';
  /** The ONNX file or the checkpoint. */
  readonly file: string;
  /** Folders to look for the configs in, nearest first. */
  readonly configDirs: readonly string[];
  /** For hub sources: the repo and the file's path in it (external data files are fetched beside it). */
  readonly hub?: { readonly repo: string; readonly file: string };
}

const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'];

/** The first `name` (config.json, tokenizer.json, vocab.json ...) in a source's `configDirs`, nearest first. */
export function findConfigFile(dirs: readonly string[], name: string): string | undefined {
  return dirs.map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
}

function kindOf(file: string): 'onnx' | 'weights' {
  return /\.onnx$/i.test(file) ? 'onnx' : 'weights';
}

function configDirsFor(file: string): string[] {
  const dir = path.dirname(path.resolve(file));
  return path.basename(dir) === 'onnx' ? [dir, path.dirname(dir)] : [dir];
}

function candidates(opts: ModelSourceOptions, local: boolean): string[] {
  if (opts.file !== undefined) return [opts.file];
  const from = opts.from ?? 'auto';
  const onnx = opts.quantized ? ['onnx/model_quantized.onnx', ...(local ? ['model_quantized.onnx'] : [])] : ['onnx/model.onnx', ...(local ? ['model.onnx'] : [])];
  if (from === 'onnx' || opts.quantized) return onnx;
  return from === 'weights' ? WEIGHT_FILES : [...onnx, ...WEIGHT_FILES];
}

/** Resolve `source` (a path or a repo id), downloading hub files as needed. */
export async function resolveModelSource(source: string, opts: ModelSourceOptions): Promise<ModelSource> {
  const demo = resolveDemo(source);
  if (demo !== undefined) return { ...(await resolveModelSource(demo, opts)), id: source };
  if (fs.existsSync(source)) {
    let file = source;
    if (fs.statSync(source).isDirectory()) {
      const tried = candidates(opts, true);
      const found = tried.map((c) => path.join(source, c)).find((f) => fs.existsSync(f));
      if (found === undefined) throw new Error(`loadModel: directory ${source} has none of ${tried.join(', ')}`);
      file = found;
    }
    return { id: source, kind: kindOf(file), file, configDirs: configDirsFor(file) };
  }
  if (!isRepoId(source)) {
    throw new Error(`loadModel: ${describePath(source)} is neither an existing file or directory nor a repository id like 'facebook/wav2vec2-base' (the bundled demos are demo:wav2vec2-tiny-synthetic and demo:wav2vec2-tiny-random)`);
  }
  const tried = candidates(opts, false);
  let found: { path: string; file: string } | undefined;
  const only = tried.length === 1 ? tried[0] : undefined;
  if (only !== undefined) found = { path: (await downloadHubFile(source, only, opts)).path, file: only };
  for (const file of only === undefined ? tried : []) {
    // A missing file moves on to the next in the order (remembered in the cache, so offline loads take the
    // same path); anything else (network, checksum) is an error.
    const got = await downloadOptionalHubFile(source, file, opts);
    if (got !== undefined) {
      found = { path: got, file };
      break;
    }
  }
  if (found === undefined) throw new Error(`${source}: the repository has none of ${tried.join(', ')} at revision ${opts.revision ?? 'main'}`);
  const dir = path.dirname(found.path);
  let root = dir;
  for (let i = 0; i < found.file.split('/').length - 1; i++) root = path.dirname(root);
  const kind = kindOf(found.file);
  // Configs live at the repository root; a missing one falls back to the defaults, like a local model, except
  // that a checkpoint cannot be built without its config.json.
  if (kind === 'weights') await downloadHubFile(source, 'config.json', opts);
  else await downloadOptionalHubFile(source, 'config.json', opts);
  await downloadOptionalHubFile(source, 'preprocessor_config.json', opts);
  const revision = opts.revision ?? 'main';
  return { id: revision === 'main' ? source : `${source}@${revision}`, kind, file: found.path, configDirs: [dir, root], hub: { repo: source, file: found.file } };
}
