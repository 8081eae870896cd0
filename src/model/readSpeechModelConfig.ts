/**
 * The parts of a Hugging Face model's `config.json` and `preprocessor_config.json` that running it needs:
 * sample rate and normalisation (feature extractor) and the conv feature encoder's kernels and strides
 * (frame rate, shortest input). Absent files fall back to the wav2vec2-base defaults: 16 kHz, normalise.
 */
import * as fs from 'node:fs';
import { findConfigFile } from './resolveModelSource';
import { errorMessage } from '../util/describeError';
import type { ConvGeometry } from './LayerMap';

export const DEFAULT_SAMPLE_RATE = 16000;

export interface SpeechModelConfig {
  /** `sampling_rate` of the feature extractor (default 16000). */
  readonly sampleRate: number;
  /** `do_normalize` of the feature extractor (default true). */
  readonly normalize: boolean;
  /** `conv_kernel` / `conv_stride` of config.json, when present. */
  readonly conv: ConvGeometry | undefined;
  readonly modelType: string | undefined;
  readonly numHiddenLayers: number | undefined;
  /** `num_attention_heads`, `hidden_size`, `intermediate_size` and the first `conv_dim` of config.json, when present (memory estimates). */
  readonly numAttentionHeads: number | undefined;
  readonly hiddenSize: number | undefined;
  readonly intermediateSize: number | undefined;
  readonly convDim: readonly number[] | undefined;
  /**
   * `layerwise_random_weights` of config.json (default false): the checkpoint has untrained weights, as the
   * bundled demo model does, so figures made with it must say so.
   */
  readonly randomWeights: boolean;
  /**
   * `layerwise_trained_on` of config.json: what a demo checkpoint was trained on when it is not a published
   * model (the bundled `wav2vec2-tiny-synthetic`: 'synthetic speech'), so figures made with it can say so.
   */
  readonly trainedOn: string | undefined;
  /** The files the values came from (absent when defaults were used). */
  readonly configFile: string | undefined;
  readonly preprocessorFile: string | undefined;
}

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${errorMessage(e)}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${errorMessage(e)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: expected a JSON object`);
  return v as Json;
}

function positiveInts(v: unknown, file: string, key: string): number[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => !Number.isInteger(x) || (x as number) < 1)) {
    throw new Error(`${file}: '${key}' must be a non-empty list of positive integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

/** Parse the two config objects (either may be absent); errors name `configFile` / `preprocessorFile`. */
export function parseSpeechModelConfig(
  config: Json | undefined,
  preprocessor: Json | undefined,
  configFile?: string,
  preprocessorFile?: string,
): SpeechModelConfig {
  let sampleRate = DEFAULT_SAMPLE_RATE;
  let normalize = true;
  const pf = preprocessorFile ?? 'preprocessor_config.json';
  const cf = configFile ?? 'config.json';
  if (preprocessor !== undefined) {
    const sr = preprocessor['sampling_rate'];
    if (sr !== undefined) {
      if (!Number.isInteger(sr) || (sr as number) < 1) throw new Error(`${pf}: 'sampling_rate' must be a positive integer, got ${JSON.stringify(sr)}`);
      sampleRate = sr as number;
    }
    const dn = preprocessor['do_normalize'];
    if (dn !== undefined) {
      if (typeof dn !== 'boolean') throw new Error(`${pf}: 'do_normalize' must be true or false, got ${JSON.stringify(dn)}`);
      normalize = dn;
    }
  }
  let conv: ConvGeometry | undefined;
  let modelType: string | undefined;
  let numHiddenLayers: number | undefined;
  let numAttentionHeads: number | undefined;
  let hiddenSize: number | undefined;
  let intermediateSize: number | undefined;
  let convDim: number[] | undefined;
  let randomWeights = false;
  let trainedOn: string | undefined;
  if (config !== undefined) {
    const k = config['conv_kernel'];
    const s = config['conv_stride'];
    if (k !== undefined || s !== undefined) {
      const kernels = positiveInts(k, cf, 'conv_kernel');
      const strides = positiveInts(s, cf, 'conv_stride');
      if (kernels.length !== strides.length) {
        throw new Error(`${cf}: 'conv_kernel' has ${kernels.length} entries but 'conv_stride' has ${strides.length}`);
      }
      conv = { kernels, strides, pads: kernels.map(() => 0) };
    }
    if (typeof config['model_type'] === 'string') modelType = config['model_type'];
    const nl = config['num_hidden_layers'];
    if (Number.isInteger(nl)) numHiddenLayers = nl as number;
    const positive = (key: string): number | undefined => {
      const v = config[key];
      return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
    };
    numAttentionHeads = positive('num_attention_heads');
    hiddenSize = positive('hidden_size');
    intermediateSize = positive('intermediate_size');
    const cd = config['conv_dim'];
    if (Array.isArray(cd) && cd.length > 0 && cd.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0)) convDim = cd.filter((x): x is number => typeof x === 'number');
    const rw = config['layerwise_random_weights'];
    if (rw !== undefined) {
      if (typeof rw !== 'boolean') throw new Error(`${cf}: 'layerwise_random_weights' must be true or false, got ${JSON.stringify(rw)}`);
      randomWeights = rw;
    }
    const on = config['layerwise_trained_on'];
    if (on !== undefined) {
      if (typeof on !== 'string' || on === '') throw new Error(`${cf}: 'layerwise_trained_on' must be a non-empty string, got ${JSON.stringify(on)}`);
      trainedOn = on;
    }
  }
  return { sampleRate, normalize, conv, modelType, numHiddenLayers, numAttentionHeads, hiddenSize, intermediateSize, convDim, randomWeights, trainedOn, configFile, preprocessorFile };
}

/**
 * Read `config.json` and `preprocessor_config.json` from the first of `dirs` that has each (a local
 * `.onnx` file's own directory, then, for `repo/onnx/model.onnx` layouts, the repository root).
 */
export function readSpeechModelConfig(dirs: readonly string[]): SpeechModelConfig {
  const cf = findConfigFile(dirs, 'config.json');
  const pf = findConfigFile(dirs, 'preprocessor_config.json');
  return parseSpeechModelConfig(cf === undefined ? undefined : readJson(cf), pf === undefined ? undefined : readJson(pf), cf, pf);
}
