/**
 * Whisper's log-mel front end as ONNX nodes, so a Whisper encoder reads audio like every other speech model:
 * built into graphs made from weights, and spliced in front of a published `encoder_model.onnx` (whose input
 * is `input_features` [batch, mels, 3000]) by `prependWhisperFrontEnd`.
 *
 * The spectrogram is HF's WhisperFeatureExtractor's, computed in float64 (as its NumPy code does): the clip
 * zero-padded to 30 s by the caller, reflect padding of 200 samples (center=True), 400-sample periodic Hann
 * frames every 160 samples (the DFT as three matrix products over 160-sample blocks of the signal), power
 * spectrum, the last frame dropped (3000 frames), Slaney mel bands over [0, 8000] Hz, log10 floored at 1e-10,
 * clamped to the clip's max - 8, then (x + 4) / 4.
 */
import { onnx } from 'onnx-proto';
import type { TensorValue } from '../backend/ort';
import { dftBasis, periodicHann, slaneyMelBasis } from '../data/audio/filterbanks';
import { GraphBuilder, int, ints, str } from '../onnx/GraphBuilder';

/** Samples Whisper's encoder always reads: 30 s at 16 kHz. */
export const WHISPER_SAMPLES = 480000;
const HOP = 160;
const WIN = 400;
export const MEL_FRAMES = WHISPER_SAMPLES / HOP;

const f64 = (data: Float64Array, dims: readonly number[]): TensorValue => ({ type: 'float64', data, dims });

/** Rows `from..to` of a row-major `[rows, cols]` float64 matrix. */
function rows(m: Float64Array, cols: number, from: number, to: number): Float64Array {
  return m.slice(from * cols, to * cols);
}

/** The log-mel spectrogram `[batch, mels, 3000]` (float32) of `[batch, 480000]` audio, computed in float64. */
export function whisperLogMel(g: GraphBuilder, audio: string, mels: number): string {
  const bins = WIN / 2 + 1;
  const y = g.op('Pad', [g.op('Cast', [audio], { to: int(11) }), g.int64s([0, WIN / 2, 0, WIN / 2])], { mode: str('reflect') });
  // Frame t = padded[160 t, 160 t + 400) = block t, block t + 1 and the first 80 samples of block t + 2.
  const blockCount = MEL_FRAMES + 2;
  const blocks = g.op('Reshape', [g.op('Slice', [y, g.int64s([0]), g.int64s([blockCount * HOP]), g.int64s([1])]), g.int64s([0, blockCount, HOP])]);
  const basis = dftBasis(WIN, bins, periodicHann(WIN)).data;
  const part = (first: number, taps: number): string => {
    const b = g.op('Slice', [blocks, g.int64s([first, 0]), g.int64s([first + MEL_FRAMES, taps]), g.int64s([1, 2])]);
    const start = first * HOP;
    return g.op('MatMul', [b, g.constant(f64(rows(basis, 2 * bins, start, start + taps), [taps, 2 * bins]))]);
  };
  const spec = g.op('Add', [g.op('Add', [part(0, HOP), part(1, HOP)]), part(2, WIN - 2 * HOP)]);
  const re = g.op('Slice', [spec, g.int64s([0]), g.int64s([bins]), g.int64s([2])]);
  const im = g.op('Slice', [spec, g.int64s([bins]), g.int64s([2 * bins]), g.int64s([2])]);
  const power = g.op('Add', [g.op('Mul', [re, re]), g.op('Mul', [im, im])]);
  const mel = g.op('MatMul', [power, g.constant(f64(slaneyMelBasis(16000, WIN, mels, 0, 8000).data, [bins, mels]))]);
  const log10 = g.op('Div', [g.op('Log', [g.op('Max', [mel, g.scalar(1e-10, 'float64')])]), g.scalar(Math.LN10, 'float64')]);
  const top = g.op('ReduceMax', [log10], { axes: ints([1, 2]), keepdims: int(1) });
  const clamped = g.op('Max', [log10, g.op('Sub', [top, g.scalar(8, 'float64')])]);
  const scaled = g.op('Div', [g.op('Add', [clamped, g.scalar(4, 'float64')]), g.scalar(4, 'float64')]);
  return g.op('Transpose', [g.op('Cast', [scaled], { to: int(1) })], { perm: ints([0, 2, 1]) });
}


/**
 * The frame geometry of a Whisper encoder in samples: the mel frames as the first "conv" (400-sample windows
 * every 160 samples, centred: padded 200 each side), then conv1 (k 3, padding 1) and conv2 (k 3, stride 2,
 * padding 1); 320 samples, 20 ms, between encoder frames.
 */
export const WHISPER_CONV = { kernels: [WIN, 3, 3], strides: [HOP, 1, 2], pads: [WIN, 2, 2] } as const;

/** The audio input a Whisper graph gets: `[batch, 480000]`, the clip zero-padded to 30 s. */
export const WHISPER_AUDIO_INPUT = 'input_values';

/** Whether `model` reads Whisper's log-mel spectrogram: a float input `input_features` of 3000 frames; gives its mel bins. */
export function whisperInputBins(model: onnx.IModelProto): number | undefined {
  const input = (model.graph?.input ?? []).find((i) => i.name === 'input_features');
  const dims = input?.type?.tensorType?.shape?.dim ?? [];
  const mels = dims[1]?.dimValue;
  const frames = dims[2]?.dimValue;
  if (dims.length !== 3 || Number(frames) !== MEL_FRAMES || mels === undefined || mels === null) return undefined;
  return Number(mels);
}

/**
 * `model` with the log-mel front end in front of its `input_features`: a new input `input_values` [batch,
 * 480000]. The front end's values are prefixed so that they cannot collide with the exporter's names.
 */
export function prependWhisperFrontEnd(model: onnx.IModelProto, mels: number, what: string): onnx.ModelProto {
  const graph = model.graph;
  if (graph === null || graph === undefined) throw new Error(`${what}: the ONNX model has no graph`);
  const front = new GraphBuilder('whisper-front-end');
  const audio = front.input(WHISPER_AUDIO_INPUT, 'float32', ['batch', WHISPER_SAMPLES]);
  front.output(whisperLogMel(front, audio, mels), 'input_features', 'float32', ['batch', mels, MEL_FRAMES]);
  const part = front.toModel().graph;
  const rename = (n: string): string => (n === '' || n === WHISPER_AUDIO_INPUT || n === 'input_features' ? n : `layerwise/whisper_front/${n}`);
  const nodes = (part?.node ?? []).map((n) => onnx.NodeProto.create({ ...n, name: rename(n.name ?? ''), input: (n.input ?? []).map(rename), output: (n.output ?? []).map(rename) }));
  const inits = (part?.initializer ?? []).map((t) => onnx.TensorProto.create({ ...t, name: rename(t.name ?? '') }));
  const inputs = [...(part?.input ?? []), ...(graph.input ?? []).filter((i) => i.name !== 'input_features')];
  const newGraph = onnx.GraphProto.create({ ...graph, node: [...nodes, ...(graph.node ?? [])], initializer: [...inits, ...(graph.initializer ?? [])], input: inputs });
  return onnx.ModelProto.create({ ...model, graph: newGraph });
}
