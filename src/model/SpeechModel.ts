/**
 * What extraction, notebooks and SAE inspection need from a loaded speech model. `loadModel` returns one;
 * tests may implement it with a deterministic stand-in.
 */
import type { ActivationCache } from './ActivationCache';

/** Options of `SpeechModel.run`. */
export interface RunOptions {
  /** Activation names to keep (default: every `hidden.<i>`); see `SpeechModel.layerNames`. */
  layers?: readonly string[];
  /** The samples are already normalised (a window of a clip normalised as a whole): do not normalise again. */
  prenormalized?: boolean;
}

/** One clip's activations averaged over its frames (`SpeechModel.runMeans`). */
export interface ClipMeans {
  /** Frames of each requested activation that the means are over, as `run` would return them. */
  readonly frames: ReadonlyMap<string, number>;
  /** Per requested activation: the mean over frames, `[features]`. */
  readonly means: ReadonlyMap<string, Float32Array>;
}

/** Where a layer's frames sit in the input: frame t covers samples `[t * stride, t * stride + field)`. */
export interface FrameGeometry {
  readonly stride: number;
  readonly field: number;
}

/** What extraction and the notebooks need of a speech model: its identity, input rate, frame rate, layer names, and a forward pass returning an `ActivationCache`. */
export interface SpeechModel {
  /** Repo id or file path the model came from. */
  readonly id: string;
  /** sha256 of the ONNX file (hex), so feature stores can tell models apart. */
  readonly hash: string;
  /** Sample rate the model expects (16000 for wav2vec2-family models). */
  readonly sampleRate: number;
  /** Seconds between transformer frames, from the conv strides (0.02 for wav2vec2). */
  readonly frameSeconds: number;
  /**
   * Whether `run` normalises each clip to zero mean and unit variance first (the feature extractor's
   * `do_normalize`). Part of what a feature store records: the same weights give other features without it.
   */
  readonly normalize: boolean;
  /**
   * Optional: how the frames `run` returns relate to what the network computed, when not one to one (Whisper's
   * encoder reads 30 s and only the frames covering the clip are kept). Feature stores record it.
   */
  readonly frameNote?: string;
  /** Shortest input, in samples, that yields at least one frame. */
  readonly minSamples: number;
  /** Every activation `run` can return: `hidden.<i>`, `local.<i>`, `ffn.<i>`. */
  readonly layerNames: readonly string[];
  /**
   * Run one clip (mono, at `sampleRate`, not yet normalised: the model applies its feature-extractor
   * normalisation) and return the requested activations, each `[frames, features]`.
   */
  run(samples: Float32Array, opts?: RunOptions): Promise<ActivationCache>;
  /**
   * Optional: run several clips of equal length in one batch; the result equals `run` on each clip, in
   * order. Models that implement it let extraction batch fixed-length datasets.
   */
  runBatch?(clips: readonly Float32Array[], opts?: RunOptions): Promise<ActivationCache[]>;
  /**
   * Optional: each clip's activations averaged over their frames, computed inside the runtime where the graph
   * has the means (transformer layers: their frames never reach JavaScript); clips of one call have equal
   * length. Equals the mean over the frames `run` returns, up to float32 rounding. Mean-pooled extraction uses
   * it when the model has it.
   */
  readonly runMeans?: (clips: readonly Float32Array[], opts?: RunOptions) => Promise<ClipMeans[]>;
  /**
   * Optional: the model's own transcript of a clip (greedy CTC decoding), for models with a CTC head and
   * a tokenizer vocabulary.
   */
  transcribe?(samples: Float32Array): Promise<string>;
  /**
   * Optional: the estimated peak memory in bytes of one `run` over `numSamples` samples; extraction refuses
   * clips whose estimate is above its limit instead of letting the machine run out of memory.
   */
  estimateRunBytes?(numSamples: number): number;
  /** Optional: the frame geometry of activation `layer`; models that have it can run long clips in windows. */
  frameGeometry?(layer: string): FrameGeometry;
  /** Free the runtime session. */
  release(): Promise<void>;
}
