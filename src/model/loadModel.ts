/**
 * `loadModel(source)`: an ONNX speech model (a local `.onnx` file or directory, or a Hugging Face-style repo
 * id downloaded into the cache) ready to return every layer's activations.
 *
 * The graph is rewritten with `exposeLayers` so that one run yields all hidden states (and the conv layers,
 * and FFN activations on request); the rewritten graph is cached next to the original file, keyed by the
 * original's sha256 and the options. Audio is normalised as the model's `preprocessor_config.json` says
 * (wav2vec2-base defaults when there is none), and the frame rate and shortest input follow from the conv
 * feature encoder (`config.json` `conv_kernel`/`conv_stride`, else the graph's own Conv nodes).
 *
 * A CTC model (a graph output named `logits`, as exports of `*ForCTC` models have) with the tokenizer's
 * `vocab.json` beside it (or in the repository) also transcribes: greedy CTC decoding of its logits.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Session, tensor, type TensorValue } from '../backend/ort';
import { decodeModelProto, encodeModelProto, externalDataLocations } from '../onnx/readModelProto';
import { ActivationCache, parseActivationName, type ActivationEntry } from './ActivationCache';
import type { RunOptions, SpeechModel } from './SpeechModel';
import { convHop, convMinSamples } from './convGeometry';
import { greedyCTCDecode, readCTCVocab, type CTCVocab } from './ctcDecode';
import { downloadHubFile, downloadOptionalHubFile, isRepoId, type HubOptions } from './downloadHubFile';
import { exposeLayersInModel } from './exposeLayers';
import type { ConvGeometry, LayerMap } from './mapLayers';
import { normalizeWaveform } from './normalizeWaveform';
import { readSpeechModelConfig } from './readSpeechModelConfig';

export interface LoadModelOptions extends HubOptions {
  /**
   * The ONNX file: inside a repository (default `onnx/model.onnx`) or a local directory (default
   * `onnx/model.onnx`, else `model.onnx`).
   */
  file?: string;
  /** Shorthand for `file: 'onnx/model_quantized.onnx'` (the transformers.js int8 export). */
  quantized?: boolean;
  /** Override the feature extractor's `do_normalize` (zero mean, unit variance per clip). */
  normalize?: boolean;
  /** Override the feature extractor's `sampling_rate`. */
  sampleRate?: number;
  /** Transformer layers whose FFN activation to expose as `ffn.<i>` (default none). */
  ffn?: readonly number[];
  /** Expose the conv feature-encoder layers as `local.<i>` (default true). */
  local?: boolean;
  /** Intra-op threads for onnxruntime (default: all cores). */
  threads?: number;
  /** Keep the layer-exposed graph beside the original ONNX file for the next load (default true). */
  cacheExposed?: boolean;
}

/** What `loadModel` found, for listings (`layerwise layers`) and feature-store metadata. */
export interface LoadedModelInfo {
  /** The ONNX file the model came from. */
  readonly onnxPath: string;
  /** The graph the session runs (the cached exposed graph, the original, or '(in memory)'). */
  readonly runPath: string;
  readonly map: LayerMap;
  readonly conv: ConvGeometry;
  readonly normalize: boolean;
  readonly configFile: string | undefined;
  readonly preprocessorFile: string | undefined;
  /** The CTC tokenizer vocabulary `transcribe` decodes with (absent when the model cannot transcribe). */
  readonly vocabFile: string | undefined;
}

/** A loaded model: a `SpeechModel` plus what was found while loading it. */
export interface LoadedSpeechModel extends SpeechModel {
  readonly info: LoadedModelInfo;
  runBatch(clips: readonly Float32Array[], opts?: RunOptions): Promise<ActivationCache[]>;
}

interface Resolved {
  id: string;
  onnxPath: string;
  configDirs: string[];
  /** For hub sources: the repo and the ONNX file's path in it (external data files are fetched beside it). */
  hub?: { repo: string; file: string };
}

function configDirsFor(onnxPath: string): string[] {
  const dir = path.dirname(path.resolve(onnxPath));
  return path.basename(dir) === 'onnx' ? [dir, path.dirname(dir)] : [dir];
}

async function resolveSource(source: string, opts: LoadModelOptions): Promise<Resolved> {
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

function exposedPath(onnxPath: string, hash: string, opts: LoadModelOptions): string {
  const base = path.basename(onnxPath).replace(/\.onnx$/i, '');
  const ffn = (opts.ffn ?? []).length > 0 ? `-ffn${[...(opts.ffn ?? [])].sort((a, b) => a - b).join('_')}` : '';
  const local = opts.local === false ? '-nolocal' : '';
  return path.join(path.dirname(onnxPath), `${base}.layerwise-${hash.slice(0, 16)}${ffn}${local}.onnx`);
}

function writeAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** The graph output holding CTC logits, as optimum and transformers.js name it in `*ForCTC` exports. */
const CTC_OUTPUT = 'logits';

/**
 * The `vocab.json` of a CTC model: only a graph with a `logits` output looks for one (so other models fetch
 * nothing more); from the hub it comes with the tokenizer files that name its special tokens.
 */
async function findCTCVocab(outputs: readonly { name?: string | null }[], configDirs: readonly string[], repo: string | undefined, opts: LoadModelOptions): Promise<string | undefined> {
  if (!outputs.some((o) => o.name === CTC_OUTPUT)) return undefined;
  if (repo !== undefined) {
    const vocab = await downloadOptionalHubFile(repo, 'vocab.json', opts);
    if (vocab === undefined) return undefined;
    await downloadOptionalHubFile(repo, 'special_tokens_map.json', opts);
    await downloadOptionalHubFile(repo, 'tokenizer_config.json', opts);
    return vocab;
  }
  return configDirs.map((d) => path.join(d, 'vocab.json')).find((f) => fs.existsSync(f));
}

/** Load a speech model from a local `.onnx` file or directory, or a repo id on the hub. */
export async function loadModel(source: string, opts: LoadModelOptions = {}): Promise<LoadedSpeechModel> {
  const { id, onnxPath, configDirs, hub } = await resolveSource(source, opts);
  const bytes = fs.readFileSync(onnxPath);
  const hash = crypto.createHash('sha256').update(bytes).digest('hex');
  const proto = decodeModelProto(bytes, onnxPath);
  const external = externalDataLocations(proto);
  if (hub !== undefined) {
    // Models over 2 GB keep their weights in files next to the graph (`model.onnx_data`); fetch them too.
    const dir = path.posix.dirname(hub.file);
    for (const loc of external) {
      if (path.isAbsolute(loc) || loc.split(/[\\/]/).includes('..')) throw new Error(`${id}: external data location '${loc}' leaves the repository`);
      await downloadHubFile(hub.repo, dir === '.' ? loc : `${dir}/${loc}`, opts);
    }
  }
  const vocabFile = await findCTCVocab(proto.graph?.output ?? [], configDirs, hub?.repo, opts);
  const exposed = exposeLayersInModel(proto, { ffn: opts.ffn ?? [], local: opts.local ?? true }, onnxPath);
  const added = (exposed.model.graph?.output ?? []).length > (proto.graph?.output ?? []).length;
  const hasExternal = external.length > 0;

  let runTarget: string | Uint8Array = onnxPath;
  let runPath = onnxPath;
  if (added) {
    const target = exposedPath(onnxPath, hash, opts);
    if (fs.existsSync(target)) {
      runTarget = runPath = target;
    } else {
      const outBytes = encodeModelProto(exposed.model);
      let written = false;
      if (opts.cacheExposed ?? true) {
        try {
          writeAtomic(target, outBytes);
          written = true;
        } catch (e) {
          if (hasExternal) throw new Error(`${onnxPath}: cannot write the layer-exposed graph beside the model and its external data (${(e as Error).message})`);
        }
      } else if (hasExternal) {
        throw new Error(`${onnxPath}: a model with external data files needs cacheExposed (the exposed graph must sit beside its weights)`);
      }
      if (written) runTarget = runPath = target;
      else {
        runTarget = outBytes;
        runPath = '(in memory)';
      }
    }
  }

  const cfg = readSpeechModelConfig(configDirs);
  const sampleRate = opts.sampleRate ?? cfg.sampleRate;
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new Error(`loadModel: sampleRate must be a positive integer, got ${sampleRate}`);
  const conv = cfg.conv ?? exposed.map.conv;
  if (conv === undefined) {
    throw new Error(`${onnxPath}: cannot tell the frame rate: no conv_kernel/conv_stride in config.json and no conv feature encoder in the graph`);
  }
  if (cfg.conv !== undefined && exposed.map.conv !== undefined && cfg.conv.strides.join(',') !== exposed.map.conv.strides.join(',')) {
    throw new Error(`${onnxPath}: config.json conv_stride [${cfg.conv.strides.join(', ')}] disagrees with the graph's conv strides [${exposed.map.conv.strides.join(', ')}]`);
  }
  const session = await Session.create(runTarget, opts.threads === undefined ? {} : { threads: opts.threads });
  const info: LoadedModelInfo = {
    onnxPath,
    runPath,
    map: exposed.map,
    conv,
    normalize: opts.normalize ?? cfg.normalize,
    configFile: cfg.configFile,
    preprocessorFile: cfg.preprocessorFile,
    vocabFile,
  };
  try {
    const vocab = vocabFile === undefined ? undefined : readCTCVocab(vocabFile);
    return new OnnxSpeechModel(id, hash, sampleRate, session, exposed.names, info, vocab);
  } catch (e) {
    await session.release();
    throw e;
  }
}

class OnnxSpeechModel implements LoadedSpeechModel {
  readonly frameSeconds: number;
  readonly minSamples: number;
  readonly layerNames: readonly string[];
  readonly normalize: boolean;
  private readonly audioInput: string;
  private readonly maskInput: string | undefined;
  /** Greedy CTC transcript of one clip; present only for a CTC model with a vocabulary. */
  readonly transcribe?: (samples: Float32Array) => Promise<string>;

  constructor(
    readonly id: string,
    readonly hash: string,
    readonly sampleRate: number,
    private readonly session: Session,
    names: readonly string[],
    readonly info: LoadedModelInfo,
    vocab: CTCVocab | undefined,
  ) {
    this.frameSeconds = convHop(info.conv, id) / sampleRate;
    this.minSamples = convMinSamples(info.conv, id);
    this.layerNames = [...names];
    const floats = session.inputs.filter((v) => v.type === 'float32');
    const audio = floats[0];
    if (audio === undefined || floats.length > 1) {
      throw new Error(`${id}: expected one float32 audio input, the graph has ${session.inputs.map((v) => `${v.name}: ${v.type}`).join(', ')}`);
    }
    this.audioInput = audio.name;
    this.normalize = info.normalize;
    const rest = session.inputs.filter((v) => v !== audio);
    const mask = rest.find((v) => v.name === 'attention_mask');
    const unknown = rest.filter((v) => v !== mask);
    if (unknown.length > 0) throw new Error(`${id}: cannot feed graph input(s) ${unknown.map((v) => v.name).join(', ')} (layerwise feeds audio and attention_mask)`);
    this.maskInput = mask?.name;
    const outputs = new Set(session.outputNames);
    for (const n of this.layerNames) if (!outputs.has(n)) throw new Error(`${id}: the graph lost output '${n}'`);
    if (vocab !== undefined && outputs.has(CTC_OUTPUT)) this.transcribe = (samples) => this.transcribeWith(samples, vocab);
  }

  private async transcribeWith(samples: Float32Array, vocab: CTCVocab): Promise<string> {
    const x = this.prepare(samples, 'samples');
    const t = (await this.forward(x, 1, x.length, [CTC_OUTPUT]))[CTC_OUTPUT] as TensorValue;
    if (t.type !== 'float32' || t.dims.length !== 3 || t.dims[0] !== 1) {
      throw new Error(`${this.id}: output '${CTC_OUTPUT}' is ${t.type} [${t.dims.join(', ')}], expected float32 [1, frames, vocab]`);
    }
    return greedyCTCDecode({ rows: t.dims[1] as number, cols: t.dims[2] as number, data: t.data as Float32Array }, vocab);
  }

  private select(opts: RunOptions | undefined): string[] {
    const wanted = opts?.layers ?? this.layerNames.filter((n) => n.startsWith('hidden.'));
    if (wanted.length === 0) throw new Error(`${this.id}: run: 'layers' is empty; the model offers ${this.layerNames.join(', ')}`);
    for (const n of wanted) {
      if (!this.layerNames.includes(n)) throw new Error(`${this.id}: the model has no activation '${n}'; it offers ${this.layerNames.join(', ')}`);
    }
    return [...new Set(wanted)];
  }

  private prepare(samples: Float32Array, what: string): Float32Array {
    if (!(samples instanceof Float32Array)) throw new Error(`${this.id}: ${what} must be a Float32Array of mono samples at ${this.sampleRate} Hz`);
    if (samples.length < this.minSamples) {
      throw new Error(
        `${this.id}: ${what} has ${samples.length} samples (${(samples.length / this.sampleRate).toFixed(4)} s at ${this.sampleRate} Hz) but the model needs at least ${this.minSamples} samples for one frame`,
      );
    }
    if (this.info.normalize) return normalizeWaveform(samples, `${this.id}: ${what}`);
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i] as number;
      if (!Number.isFinite(v)) throw new Error(`${this.id}: ${what} contains ${v} at sample ${i}`);
    }
    return samples;
  }

  private async forward(batch: Float32Array, rows: number, cols: number, names: string[]): Promise<Record<string, TensorValue>> {
    const feeds: Record<string, TensorValue> = { [this.audioInput]: tensor('float32', batch, [rows, cols]) };
    if (this.maskInput !== undefined) feeds[this.maskInput] = tensor('int64', new BigInt64Array(rows * cols).fill(1n), [rows, cols]);
    return this.session.run(feeds, names);
  }

  private caches(out: Record<string, TensorValue>, names: string[], rows: number, numSamples: number): ActivationCache[] {
    const entries: ActivationEntry[][] = Array.from({ length: rows }, () => []);
    for (const name of names) {
      const t = out[name] as TensorValue;
      if (t.type !== 'float32' || t.dims.length !== 3 || t.dims[0] !== rows) {
        throw new Error(`${this.id}: output '${name}' is ${t.type} [${t.dims.join(', ')}], expected float32 [${rows}, frames, features]`);
      }
      const frames = t.dims[1] as number;
      const features = t.dims[2] as number;
      const size = frames * features;
      const data = t.data as Float32Array;
      const { kind, index } = parseActivationName(name);
      for (let b = 0; b < rows; b++) {
        // One clip owns its array outright; for a batch each clip gets its own copy, so that keeping one
        // clip's cache does not keep the whole batch alive.
        const value = rows === 1 ? data : data.slice(b * size, (b + 1) * size);
        (entries[b] as ActivationEntry[]).push({ name, kind, index, value: { rows: frames, cols: features, data: value } });
      }
    }
    const meta = { modelId: this.id, sampleRate: this.sampleRate, numSamples, frameSeconds: this.frameSeconds };
    return entries.map((e) => new ActivationCache(e, meta));
  }

  async run(samples: Float32Array, opts?: RunOptions): Promise<ActivationCache> {
    const names = this.select(opts);
    const x = this.prepare(samples, 'samples');
    const out = await this.forward(x, 1, x.length, names);
    return this.caches(out, names, 1, samples.length)[0] as ActivationCache;
  }

  async runBatch(clips: readonly Float32Array[], opts?: RunOptions): Promise<ActivationCache[]> {
    if (clips.length === 0) return [];
    const names = this.select(opts);
    const n = (clips[0] as Float32Array).length;
    const batch = new Float32Array(clips.length * n);
    clips.forEach((c, i) => {
      if (c.length !== n) throw new Error(`${this.id}: runBatch needs clips of equal length; clip 0 has ${n} samples, clip ${i} has ${c.length}`);
      batch.set(this.prepare(c, `clip ${i}`), i * n);
    });
    const out = await this.forward(batch, clips.length, n, names);
    return this.caches(out, names, clips.length, n);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
