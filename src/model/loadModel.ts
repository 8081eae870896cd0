/**
 * `loadModel(source)`: a speech model (a local `.onnx` file, checkpoint or directory, or a Hugging Face-style
 * repo id downloaded into the cache) ready to return every layer's activations.
 *
 * A repository or folder without an ONNX export is built from its weights (`model.safetensors`, else
 * `pytorch_model.bin`) and `config.json`: wav2vec2, HuBERT, WavLM, data2vec-audio and Whisper's encoder, any
 * size (`build/`); the built graph outputs every layer from the start and is cached beside the checkpoint.
 * `resolveModelSource` has the order in which files are tried.
 *
 * An ONNX graph is rewritten with `exposeLayers` so that one run yields all hidden states (and the conv layers,
 * and FFN activations on request); the rewritten graph is cached next to the original file, keyed by the
 * original's sha256 and the options, and reads its weights from the original (external-data references into
 * it), so the cache holds the graph's structure only. Audio is normalised as the model's `preprocessor_config.json` says
 * (wav2vec2-base defaults when there is none), and the frame rate and shortest input follow from the conv
 * feature encoder (`config.json` `conv_kernel`/`conv_stride`, else the graph's own Conv nodes).
 *
 * A CTC model (a graph output named `logits`, as exports of `*ForCTC` models have) with the tokenizer's
 * `vocab.json` beside it (or in the repository) also transcribes: greedy CTC decoding of its logits.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Session } from '../backend/ort';
import { decodeModelProto, externalDataLocations } from '../onnx/readModelProto';
import { readCTCVocab } from './ctcDecode';
import { downloadHubFile } from '../hub/downloadHubFile';
import { exposedGraph } from './exposedGraphCache';
import { exposeLayersInModel } from './exposeLayersInModel';
import { addMeanOutputs, meanPooledInGraph } from './addMeanOutputs';
import { findCTCVocab } from './findCTCVocab';
import { OnnxSpeechModel, type LoadedModelInfo, type LoadedSpeechModel } from './OnnxSpeechModel';
import { readSpeechModelConfig, type SpeechModelConfig } from './readSpeechModelConfig';
import { resolveModelSource, type ModelSource, type ModelSourceOptions } from './resolveModelSource';
import { builtModelGraph } from './build/builtModelGraph';
import type { LayerMap } from './LayerMap';
import { prependWhisperFrontEnd, WHISPER_CONV, whisperInputBins } from './whisperFrontEnd';

export type { LoadedModelInfo, LoadedSpeechModel } from './OnnxSpeechModel';

/** How `loadModel` finds, rewrites and runs a model; every field is optional. */
export interface LoadModelOptions extends ModelSourceOptions {
  /** Override the feature extractor's `do_normalize` (zero mean, unit variance per clip). */
  normalize?: boolean;
  /** Override the feature extractor's `sampling_rate`. */
  sampleRate?: number;
  /** Transformer layers (1..L) whose FFN activation to expose as `ffn.<i>`: the FFN inside the layer that outputs `hidden.<i>` (default none). */
  ffn?: readonly number[];
  /**
   * Expose the conv feature-encoder layers as `local.<i>`, i = 1..C (default true). Exposed outputs are
   * computed in every run whether fetched or not: a model used for hidden states only runs faster with
   * `local: false` (wav2vec2-base, 10 s clips: 8 %; `layerwise extract` and `analyzeLayers` set it when the
   * selected layers include no conv layer).
   */
  local?: boolean;
  /** Intra-op threads for onnxruntime (default: all cores). */
  threads?: number;
  /**
   * Run the model on 'cpu' (default) or 'cuda' (onnxruntime's CUDA provider; needs its CUDA build, see
   * environment/README.md); a clear error says what is missing when it is not installed.
   */
  device?: 'cpu' | 'cuda';
  /** Keep the layer-exposed graph beside the original ONNX file for the next load (default true). */
  cacheExposed?: boolean;
  /** Where warnings go, e.g. defaults assumed for a missing preprocessor_config.json (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/** Load a speech model from a local `.onnx` file, checkpoint or directory, or a repo id on the hub. */
export async function loadModel(source: string, opts: LoadModelOptions = {}): Promise<LoadedSpeechModel> {
  const src = await resolveModelSource(source, opts);
  return src.kind === 'weights' ? loadBuilt(src, opts) : loadOnnx(src, opts);
}

/** What both paths hand to the model: the graph to run and where its layers are. */
interface Runnable {
  readonly target: string | Uint8Array;
  readonly runPath: string;
  readonly hash: string;
  readonly map: LayerMap;
  readonly names: readonly string[];
  readonly frontEnd: 'waveform' | 'whisper';
  readonly builtFrom: LoadedModelInfo['builtFrom'];
  readonly vocabFile: string | undefined;
}

function warnOnDefaults(id: string, cfg: SpeechModelConfig, opts: LoadModelOptions): void {
  if (cfg.preprocessorFile !== undefined) return;
  const assumed = [
    ...(opts.sampleRate === undefined ? [`sampling_rate ${cfg.sampleRate}`] : []),
    ...(opts.normalize === undefined ? [`do_normalize ${String(cfg.normalize)}`] : []),
  ];
  if (assumed.length > 0) {
    (opts.onWarning ?? ((m: string) => console.warn(m)))(
      `${id}: no preprocessor_config.json beside the model; assuming wav2vec2-base's feature extractor: ${assumed.join(', ')}. ` +
        "HuBERT and some other exports do not normalise: pass normalize: false (--no-normalize) if this model's does not",
    );
  }
}

async function loadOnnx(src: ModelSource, opts: LoadModelOptions): Promise<LoadedSpeechModel> {
  const { id, file: onnxPath, configDirs, hub } = src;
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
  const exposeOptions = { ffn: opts.ffn ?? [], local: opts.local ?? true };
  const exposed = exposeLayersInModel(proto, exposeOptions, onnxPath);
  // Whisper's encoder_model.onnx reads the log-mel spectrogram: the front end goes in front, so it reads audio.
  const mels = whisperInputBins(proto);
  const map = mels === undefined ? exposed.map : { ...exposed.map, conv: WHISPER_CONV };
  const changed = mels !== undefined || (exposed.model.graph?.output ?? []).length > (proto.graph?.output ?? []).length;
  // A graph that is rewritten anyway also pools: mean-pooled extraction then fetches one row per layer. Not
  // for Whisper, whose encoder runs 30 s of which only the frames covering the clip are kept.
  const model = mels !== undefined ? prependWhisperFrontEnd(exposed.model, mels, onnxPath) : changed ? addMeanOutputs(exposed.model, meanPooledInGraph(exposed.names)) : exposed.model;
  const run = changed
    ? exposedGraph(onnxPath, hash, model, exposeOptions, opts.cacheExposed ?? true, external.length > 0, bytes)
    : { target: onnxPath, runPath: onnxPath };
  const frontEnd = mels === undefined ? 'waveform' : 'whisper';
  return open(src, opts, readSpeechModelConfig(configDirs), { ...run, hash, map, names: exposed.names, frontEnd, builtFrom: undefined, vocabFile });
}

async function loadBuilt(src: ModelSource, opts: LoadModelOptions): Promise<LoadedSpeechModel> {
  const cfg = readSpeechModelConfig(src.configDirs);
  if (cfg.configFile === undefined) throw new Error(`${src.id}: ${src.file} is a checkpoint, and building its graph needs the model's config.json beside it`);
  const built = builtModelGraph(src.file, cfg.configFile, { ffn: opts.ffn ?? [], local: opts.local ?? true, cache: opts.cacheExposed ?? true });
  const run: Runnable = {
    target: built.runPath,
    runPath: built.runPath,
    hash: built.hash,
    map: built.map,
    names: built.names,
    frontEnd: built.input.kind,
    builtFrom: built.format,
    vocabFile: undefined,
  };
  try {
    return await open(src, opts, cfg, run);
  } finally {
    // onnxruntime has read the graph (or failed to): a temporary build can go.
    built.cleanup();
  }
}

async function open(src: ModelSource, opts: LoadModelOptions, cfg: SpeechModelConfig, run: Runnable): Promise<LoadedSpeechModel> {
  const { id, file } = src;
  const whisper = run.frontEnd === 'whisper';
  if (whisper && opts.normalize === true) throw new Error(`${id}: Whisper's encoder reads its log-mel spectrogram, not a normalised waveform; drop normalize: true`);
  if (!whisper) warnOnDefaults(id, cfg, opts);
  const sampleRate = opts.sampleRate ?? cfg.sampleRate;
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new Error(`loadModel: sampleRate must be a positive integer, got ${sampleRate}`);
  if (whisper && sampleRate !== 16000) throw new Error(`${id}: Whisper's log-mel front end is defined at 16 kHz, got sampleRate ${sampleRate}`);
  const mapped = run.map.conv;
  // config.json's conv_kernel / conv_stride describe wav2vec2-style encoders; Whisper's geometry comes from its builder.
  const conv = whisper ? mapped : cfg.conv ?? mapped;
  if (conv === undefined) {
    throw new Error(`${file}: cannot tell the frame rate: no conv_kernel/conv_stride in config.json and no conv feature encoder in the graph`);
  }
  if (!whisper && cfg.conv !== undefined && mapped !== undefined && cfg.conv.strides.join(',') !== mapped.strides.join(',')) {
    throw new Error(`${file}: config.json conv_stride [${cfg.conv.strides.join(', ')}] disagrees with the graph's conv strides [${mapped.strides.join(', ')}]`);
  }
  const session = await Session.create(run.target, { ...(opts.threads === undefined ? {} : { threads: opts.threads }), ...(opts.device === undefined ? {} : { device: opts.device }) });
  const info: LoadedModelInfo = {
    onnxPath: file,
    runPath: run.runPath,
    map: run.map,
    conv,
    normalize: whisper ? false : opts.normalize ?? cfg.normalize,
    randomWeights: cfg.randomWeights,
    trainedOn: cfg.trainedOn,
    caveat: cfg.randomWeights ? 'random weights' : cfg.trainedOn !== undefined ? `trained on ${cfg.trainedOn}` : undefined,
    configFile: cfg.configFile,
    preprocessorFile: cfg.preprocessorFile,
    vocabFile: run.vocabFile,
    builtFrom: run.builtFrom,
    frontEnd: run.frontEnd,
  };
  try {
    const vocab = run.vocabFile === undefined ? undefined : readCTCVocab(run.vocabFile);
    const memory = {
      conv,
      layers: run.map.numLayers,
      ffnOutputs: (opts.ffn ?? []).length,
      ...(cfg.numAttentionHeads !== undefined ? { heads: cfg.numAttentionHeads } : {}),
      ...(cfg.hiddenSize !== undefined ? { hidden: cfg.hiddenSize } : {}),
      ...(cfg.intermediateSize !== undefined ? { intermediate: cfg.intermediateSize } : {}),
      ...(cfg.convDim?.[0] !== undefined ? { convChannels: cfg.convDim[0] } : {}),
    };
    return new OnnxSpeechModel(id, run.hash, sampleRate, session, run.names, info, vocab, memory);
  } catch (e) {
    await session.release();
    throw e;
  }
}
