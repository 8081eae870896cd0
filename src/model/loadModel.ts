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
import { Session } from '../backend/ort';
import { decodeModelProto, externalDataLocations } from '../onnx/readModelProto';
import { readCTCVocab } from './ctcDecode';
import { downloadHubFile } from './downloadHubFile';
import { exposedGraph } from './exposedGraphCache';
import { exposeLayersInModel } from './exposeLayers';
import { findCTCVocab } from './findCTCVocab';
import { OnnxSpeechModel, type LoadedModelInfo, type LoadedSpeechModel } from './OnnxSpeechModel';
import { readSpeechModelConfig } from './readSpeechModelConfig';
import { resolveModelSource, type ModelSourceOptions } from './resolveModelSource';

export type { LoadedModelInfo, LoadedSpeechModel } from './OnnxSpeechModel';

/** How `loadModel` finds, rewrites and runs a model; every field is optional. */
export interface LoadModelOptions extends ModelSourceOptions {
  /** Override the feature extractor's `do_normalize` (zero mean, unit variance per clip). */
  normalize?: boolean;
  /** Override the feature extractor's `sampling_rate`. */
  sampleRate?: number;
  /** Transformer layers (1..L) whose FFN activation to expose as `ffn.<i>`: the FFN inside the layer that outputs `hidden.<i>` (default none). */
  ffn?: readonly number[];
  /** Expose the conv feature-encoder layers as `local.<i>`, i = 1..C (default true). */
  local?: boolean;
  /** Intra-op threads for onnxruntime (default: all cores). */
  threads?: number;
  /** Keep the layer-exposed graph beside the original ONNX file for the next load (default true). */
  cacheExposed?: boolean;
  /** Where warnings go, e.g. defaults assumed for a missing preprocessor_config.json (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/** Load a speech model from a local `.onnx` file or directory, or a repo id on the hub. */
export async function loadModel(source: string, opts: LoadModelOptions = {}): Promise<LoadedSpeechModel> {
  const { id, onnxPath, configDirs, hub } = await resolveModelSource(source, opts);
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
  const added = (exposed.model.graph?.output ?? []).length > (proto.graph?.output ?? []).length;
  const run = added
    ? exposedGraph(onnxPath, hash, exposed.model, exposeOptions, opts.cacheExposed ?? true, external.length > 0)
    : { target: onnxPath, runPath: onnxPath };

  const cfg = readSpeechModelConfig(configDirs);
  if (cfg.preprocessorFile === undefined) {
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
  const sampleRate = opts.sampleRate ?? cfg.sampleRate;
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new Error(`loadModel: sampleRate must be a positive integer, got ${sampleRate}`);
  const conv = cfg.conv ?? exposed.map.conv;
  if (conv === undefined) {
    throw new Error(`${onnxPath}: cannot tell the frame rate: no conv_kernel/conv_stride in config.json and no conv feature encoder in the graph`);
  }
  if (cfg.conv !== undefined && exposed.map.conv !== undefined && cfg.conv.strides.join(',') !== exposed.map.conv.strides.join(',')) {
    throw new Error(`${onnxPath}: config.json conv_stride [${cfg.conv.strides.join(', ')}] disagrees with the graph's conv strides [${exposed.map.conv.strides.join(', ')}]`);
  }
  const session = await Session.create(run.target, opts.threads === undefined ? {} : { threads: opts.threads });
  const info: LoadedModelInfo = {
    onnxPath,
    runPath: run.runPath,
    map: exposed.map,
    conv,
    normalize: opts.normalize ?? cfg.normalize,
    randomWeights: cfg.randomWeights,
    configFile: cfg.configFile,
    preprocessorFile: cfg.preprocessorFile,
    vocabFile,
  };
  try {
    const vocab = vocabFile === undefined ? undefined : readCTCVocab(vocabFile);
    const memory = {
      conv,
      layers: exposed.map.numLayers,
      ffnOutputs: (opts.ffn ?? []).length,
      ...(cfg.numAttentionHeads !== undefined ? { heads: cfg.numAttentionHeads } : {}),
      ...(cfg.hiddenSize !== undefined ? { hidden: cfg.hiddenSize } : {}),
      ...(cfg.intermediateSize !== undefined ? { intermediate: cfg.intermediateSize } : {}),
      ...(cfg.convDim?.[0] !== undefined ? { convChannels: cfg.convDim[0] } : {}),
    };
    return new OnnxSpeechModel(id, hash, sampleRate, session, exposed.names, info, vocab, memory);
  } catch (e) {
    await session.release();
    throw e;
  }
}
