/**
 * A speech model running in one onnxruntime session whose graph outputs every layer (as `exposeLayers`
 * makes it): feeds audio (and an all-ones attention mask where the graph takes one), checks the clip, and
 * returns the activations as an `ActivationCache`. Made by `loadModel`.
 */
import { Session, tensor, type TensorValue } from '../backend/ort';
import { ActivationCache, type ActivationEntry } from './ActivationCache';
import { parseActivationName } from './activationNames';
import type { ClipMeans, FrameGeometry, RunOptions, SpeechModel } from './SpeechModel';
import { meanOutputName, shapeOutputName } from './addMeanOutputs';
import { convHop, convMinSamples } from './convGeometry';
import { greedyCTCDecode, type CTCVocab } from './ctcDecode';
import { CTC_OUTPUT } from './findCTCVocab';
import type { ConvGeometry, LayerMap } from './LayerMap';
import { normalizeWaveform } from './normalizeWaveform';
import { estimateRunBytes, type RunMemoryShape } from './runMemory';
import { at, atF32, atKey, atNum } from '../util/at';
import { meanRowsInto } from '../matrix';
import type { CheckpointFormat } from '../checkpoint/readCheckpoint';
import { WHISPER_SAMPLES } from './whisperFrontEnd';

/** What `loadModel` found, for listings (`layerwise layers`) and feature-store metadata. */
export interface LoadedModelInfo {
  /** The file the model came from: its ONNX graph, or the checkpoint its graph was built from. */
  readonly onnxPath: string;
  /** For a graph built from weights, the checkpoint's format; undefined for an ONNX export. */
  readonly builtFrom: CheckpointFormat | undefined;
  /**
   * 'waveform': the graph reads audio of any length; 'whisper': the graph reads 30 s (its log-mel front end
   * inside), so clips are zero-padded to 30 s and only the frames that cover the audio are returned.
   */
  readonly frontEnd: 'waveform' | 'whisper';
  /** The graph the session runs (the cached exposed graph, the original, or '(in memory)'). */
  readonly runPath: string;
  readonly map: LayerMap;
  readonly conv: ConvGeometry;
  readonly normalize: boolean;
  /** The checkpoint's weights are untrained (config.json `layerwise_random_weights`, as in the bundled demo model). */
  readonly randomWeights: boolean;
  /** What a demo checkpoint was trained on (config.json `layerwise_trained_on`), e.g. 'synthetic speech'. */
  readonly trainedOn: string | undefined;
  /**
   * The caveat figures made with this model carry in their titles: 'random weights', 'trained on synthetic
   * speech', or undefined for a published model.
   */
  readonly caveat: string | undefined;
  readonly configFile: string | undefined;
  readonly preprocessorFile: string | undefined;
  /** The CTC tokenizer vocabulary `transcribe` decodes with (absent when the model cannot transcribe). */
  readonly vocabFile: string | undefined;
}

/** A loaded model: a `SpeechModel` plus what was found while loading it. */
export interface LoadedSpeechModel extends SpeechModel {
  readonly info: LoadedModelInfo;
  runBatch(clips: readonly Float32Array[], opts?: RunOptions): Promise<ActivationCache[]>;
  estimateRunBytes(numSamples: number): number;
}

/** The `LoadedSpeechModel` over an onnxruntime session. */
export class OnnxSpeechModel implements LoadedSpeechModel {
  readonly frameSeconds: number;
  readonly minSamples: number;
  readonly layerNames: readonly string[];
  readonly normalize: boolean;
  readonly frameNote?: string;
  private readonly audioInput: string;
  private readonly maskInput: string | undefined;
  /** Greedy CTC transcript of one clip; present only for a CTC model with a vocabulary. */
  readonly transcribe?: (samples: Float32Array) => Promise<string>;
  /** Means over frames, computed in the graph where it has the outputs (`addMeanOutputs`); present when it has any. */
  readonly runMeans?: (clips: readonly Float32Array[], opts?: RunOptions) => Promise<ClipMeans[]>;

  constructor(
    readonly id: string,
    readonly hash: string,
    readonly sampleRate: number,
    private readonly session: Session,
    names: readonly string[],
    readonly info: LoadedModelInfo,
    vocab: CTCVocab | undefined,
    private readonly memory: RunMemoryShape,
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
    if (info.frontEnd === 'whisper') {
      this.frameNote = 'whisper: every clip zero-padded to 30 s (1500 encoder frames); only the ceil(samples / 320) frames covering the audio are kept (conv1: ceil(samples / 160))';
    }
    const rest = session.inputs.filter((v) => v !== audio);
    const mask = rest.find((v) => v.name === 'attention_mask');
    const unknown = rest.filter((v) => v !== mask);
    if (unknown.length > 0) throw new Error(`${id}: cannot feed graph input(s) ${unknown.map((v) => v.name).join(', ')} (layerwise feeds audio and attention_mask)`);
    this.maskInput = mask?.name;
    const outputs = new Set(session.outputNames);
    for (const n of this.layerNames) if (!outputs.has(n)) throw new Error(`${id}: the graph lost output '${n}'`);
    if (vocab !== undefined && outputs.has(CTC_OUTPUT)) this.transcribe = (samples) => this.transcribeWith(samples, vocab);
    // Whisper's outputs cover 30 s of which only the clip's frames are kept: its means come from those, in JavaScript.
    this.inGraphMeans = new Set(info.frontEnd === 'whisper' ? [] : this.layerNames.filter((n) => outputs.has(meanOutputName(n)) && outputs.has(shapeOutputName(n))));
    if (this.inGraphMeans.size > 0) this.runMeans = (clips, opts) => this.meansOf(clips, opts);
  }

  /** Activations whose means the graph computes (`addMeanOutputs`); the others are averaged here. */
  private readonly inGraphMeans: ReadonlySet<string>;

  private async meansOf(clips: readonly Float32Array[], opts: RunOptions | undefined): Promise<ClipMeans[]> {
    if (clips.length === 0) return [];
    const names = this.select(opts);
    const rows = clips.length;
    const { batch, width } = this.batchOf(clips, 'runMeans', (i) => (rows === 1 ? 'samples' : `clip ${i}`), opts);
    const fetched = names.flatMap((name) => (this.inGraphMeans.has(name) ? [meanOutputName(name), shapeOutputName(name)] : [name]));
    const out = await this.forward(batch, rows, width, fetched);
    const frames = new Map<string, number>();
    const means: Map<string, Float32Array>[] = clips.map(() => new Map());
    for (const name of names) {
      if (!this.inGraphMeans.has(name)) {
        // no mean in the graph (conv layers): the frames, averaged here in float64
        const t = atKey(out, name, `${this.id}: the session's outputs`);
        if (t.type !== 'float32' || t.dims.length !== 3 || t.dims[0] !== rows) throw new Error(`${this.id}: output '${name}' is ${t.type} [${t.dims.join(', ')}], expected float32 [${rows}, frames, features]`);
        const [T, C] = [atNum(t.dims, 1), atNum(t.dims, 2)];
        const data = t.data as Float32Array;
        frames.set(name, T);
        means.forEach((m, b) => {
          const row = new Float32Array(C);
          if (T > 0) meanRowsInto({ rows: T, cols: C, data: data.subarray(b * T * C, (b + 1) * T * C) }, 0, T, row, 0);
          m.set(name, row);
        });
        continue;
      }
      const shape = atKey(out, shapeOutputName(name), `${this.id}: the session's outputs`);
      const mean = atKey(out, meanOutputName(name), `${this.id}: the session's outputs`);
      if (shape.type !== 'int64' || shape.dims.length !== 1 || shape.dims[0] !== 3) throw new Error(`${this.id}: output '${shapeOutputName(name)}' is ${shape.type} [${shape.dims.join(', ')}], expected int64 [3]`);
      const dims = Array.from(shape.data as BigInt64Array, Number);
      const features = atNum(dims, 2);
      if (dims[0] !== rows || mean.type !== 'float32' || mean.dims.length !== 2 || mean.dims[0] !== rows || mean.dims[1] !== features) {
        throw new Error(`${this.id}: output '${meanOutputName(name)}' is ${mean.type} [${mean.dims.join(', ')}] for an activation of [${dims.join(', ')}], expected float32 [${rows}, ${features}]`);
      }
      frames.set(name, atNum(dims, 1));
      const data = mean.data as Float32Array;
      // each clip its own array, so that keeping one clip's means does not keep the batch's alive
      means.forEach((m, b) => m.set(name, rows === 1 ? data : data.slice(b * features, (b + 1) * features)));
    }
    return means.map((m) => ({ frames, means: m }));
  }

  private async transcribeWith(samples: Float32Array, vocab: CTCVocab): Promise<string> {
    const x = this.prepare(samples, 'samples');
    const t = (await this.forward(x, 1, x.length, [CTC_OUTPUT]))[CTC_OUTPUT] as TensorValue;
    if (t.type !== 'float32' || t.dims.length !== 3 || t.dims[0] !== 1) {
      throw new Error(`${this.id}: output '${CTC_OUTPUT}' is ${t.type} [${t.dims.join(', ')}], expected float32 [1, frames, vocab]`);
    }
    return greedyCTCDecode({ rows: atNum(t.dims, 1), cols: atNum(t.dims, 2), data: t.data as Float32Array }, vocab);
  }

  private select(opts: RunOptions | undefined): string[] {
    const wanted = opts?.layers ?? this.layerNames.filter((n) => n.startsWith('hidden.'));
    if (wanted.length === 0) throw new Error(`${this.id}: run: 'layers' is empty; the model offers ${this.layerNames.join(', ')}`);
    for (const n of wanted) {
      if (!this.layerNames.includes(n)) throw new Error(`${this.id}: the model has no activation '${n}'; it offers ${this.layerNames.join(', ')}`);
    }
    return [...new Set(wanted)];
  }

  private prepare(samples: Float32Array, what: string, prenormalized = false): Float32Array {
    if (!(samples instanceof Float32Array)) throw new Error(`${this.id}: ${what} must be a Float32Array of mono samples at ${this.sampleRate} Hz`);
    if (samples.length < this.minSamples) {
      throw new Error(
        `${this.id}: ${what} has ${samples.length} samples (${(samples.length / this.sampleRate).toFixed(4)} s at ${this.sampleRate} Hz) but the model needs at least ${this.minSamples} samples for one frame`,
      );
    }
    if (this.info.normalize && !prenormalized) return normalizeWaveform(samples, `${this.id}: ${what}`);
    for (let i = 0; i < samples.length; i++) {
      const v = atF32(samples, i);
      if (!Number.isFinite(v)) throw new Error(`${this.id}: ${what} contains ${v} at sample ${i}`);
    }
    if (this.info.frontEnd === 'whisper') {
      if (samples.length > WHISPER_SAMPLES) {
        throw new Error(`${this.id}: ${what} is ${(samples.length / this.sampleRate).toFixed(2)} s; Whisper's encoder reads at most 30 s (split the clip, or extract with windows of at most 30 s)`);
      }
      const padded = new Float32Array(WHISPER_SAMPLES);
      padded.set(samples);
      return padded;
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
      const t = atKey(out, name, `${this.id}: the session's outputs`);
      if (t.type !== 'float32' || t.dims.length !== 3 || t.dims[0] !== rows) {
        throw new Error(`${this.id}: output '${name}' is ${t.type} [${t.dims.join(', ')}], expected float32 [${rows}, frames, features]`);
      }
      const frames = atNum(t.dims, 1);
      const features = atNum(t.dims, 2);
      const size = frames * features;
      const data = t.data as Float32Array;
      const { kind, index } = parseActivationName(name);
      const kept = Math.min(frames, this.coveringFrames(kind, index, numSamples));
      for (let b = 0; b < rows; b++) {
        // One clip owns its array outright; for a batch each clip gets its own copy, so that keeping one
        // clip's cache does not keep the whole batch alive.
        const value = rows === 1 && kept === frames ? data : data.slice(b * size, b * size + kept * features);
        (entries[b] as ActivationEntry[]).push({ name, kind, index, value: { rows: kept, cols: features, data: value } });
      }
    }
    const meta = { modelId: this.id, sampleRate: this.sampleRate, numSamples, frameSeconds: this.frameSeconds };
    return entries.map((e) => new ActivationCache(e, meta));
  }

  /**
   * Frames of activation `kind.index` that cover `numSamples` of audio: all of them for a waveform graph;
   * for Whisper, whose input is padded to 30 s, ceil(samples / hop), the hop being the product of the
   * strides up to that layer (160 for conv1, 320 for conv2 and the transformer: 1500 frames per 30 s).
   */
  private coveringFrames(kind: string, index: number, numSamples: number): number {
    if (this.info.frontEnd !== 'whisper') return Number.POSITIVE_INFINITY;
    const depth = kind === 'local' ? index + 1 : this.info.conv.strides.length;
    const hop = this.info.conv.strides.slice(0, depth).reduce((a, b) => a * b, 1);
    return Math.ceil(numSamples / hop);
  }

  async run(samples: Float32Array, opts?: RunOptions): Promise<ActivationCache> {
    const names = this.select(opts);
    const x = this.prepare(samples, 'samples', opts?.prenormalized ?? false);
    const out = await this.forward(x, 1, x.length, names);
    return at(this.caches(out, names, 1, samples.length), 0);
  }

  async runBatch(clips: readonly Float32Array[], opts?: RunOptions): Promise<ActivationCache[]> {
    if (clips.length === 0) return [];
    const names = this.select(opts);
    const { batch, width } = this.batchOf(clips, 'runBatch', (i) => `clip ${i}`, opts);
    const out = await this.forward(batch, clips.length, width, names);
    return this.caches(out, names, clips.length, at(clips, 0).length);
  }

  /**
   * Clips of equal length, each checked and prepared (`what(i)` names clip i in errors), in one row-major batch
   * `[clips, width]`; `width` is the graph's input length: the clip's, or 30 s for Whisper. One clip is its
   * prepared samples, uncopied.
   */
  private batchOf(clips: readonly Float32Array[], method: string, what: (i: number) => string, opts: RunOptions | undefined): { batch: Float32Array; width: number } {
    const n = at(clips, 0).length;
    const prepared = clips.map((c, i) => {
      if (c.length !== n) throw new Error(`${this.id}: ${method} needs clips of equal length; clip 0 has ${n} samples, clip ${i} has ${c.length}`);
      return this.prepare(c, what(i), opts?.prenormalized ?? false);
    });
    const width = at(prepared, 0).length;
    if (prepared.length === 1) return { batch: at(prepared, 0), width };
    const batch = new Float32Array(prepared.length * width);
    prepared.forEach((x, i) => batch.set(x, i * width));
    return { batch, width };
  }

  /** See `SpeechModel.frameGeometry`: from the conv feature encoder (transformer layers share its last layer's grid). */
  frameGeometry(layer: string): FrameGeometry {
    const { kind, index } = parseActivationName(layer);
    if (!this.layerNames.includes(layer)) throw new Error(`${this.id}: the model has no activation '${layer}'`);
    const conv = this.info.conv;
    if (conv.pads.some((p) => p !== 0)) throw new Error(`${this.id}: its conv feature encoder pads its input, so frames do not sit on a plain grid`);
    const depth = kind === 'local' ? index : conv.kernels.length;
    const part = { kernels: conv.kernels.slice(0, depth), strides: conv.strides.slice(0, depth), pads: conv.pads.slice(0, depth) };
    return { stride: convHop(part, this.id), field: convMinSamples(part, this.id) };
  }

  /** See `SpeechModel.estimateRunBytes` (`runMemory.ts` has the model). */
  estimateRunBytes(numSamples: number): number {
    return estimateRunBytes(this.memory, numSamples);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
