/**
 * The ONNX graph of Whisper's encoder from its checkpoint (`WhisperModel` / `WhisperForConditionalGeneration`,
 * keys `model.encoder.*`), with the log-mel front end inside the graph, so the model reads audio like every
 * other speech model:
 *
 * - front end (`whisperLogMel`): the clip, zero-padded to 30 s by the caller, as HF's WhisperFeatureExtractor
 *   computes it, in float64: reflect padding of 200 samples (center=True), 400-sample periodic Hann frames every
 *   160 samples (the DFT as three matrix products over 160-sample blocks of the signal), power spectrum, the
 *   last frame dropped (3000 frames), Slaney mel bands over [0, 8000] Hz, log10 floored at 1e-10, clamped to
 *   the clip's max - 8, then (x + 4) / 4;
 * - conv1 (k 3, padding 1) + GELU, conv2 (k 3, stride 2, padding 1) + GELU: 1500 frames, 20 ms apart;
 * - plus `embed_positions` (the checkpoint's table; Whisper's sinusoids when it has none);
 * - pre-LN layers (k_proj without bias), the final `layer_norm` applied to the last hidden state, so that
 *   `hidden.<i>` is transformers' `encoder_hidden_states[i]`.
 *
 * Outputs `hidden.0..L`, `local.1` (conv1, 100 frames/s) and `local.2` (conv2), and the requested `ffn.<i>`.
 */
import type { TensorValue } from '../../backend/ort';
import { dftBasis, periodicHann, slaneyMelBasis } from '../../data/audio/filterbanks';
import { int, ints, str, type GraphBuilder } from '../../onnx/GraphBuilder';
import { BUILT_INPUT, type BuildOptions } from './BuiltSpeechGraph';
import type { CheckpointWeights } from './CheckpointWeights';
import { EncoderGraph } from './EncoderGraph';
import type { WhisperEncoderArchitecture } from './speechArchitecture';

/** Samples Whisper's encoder always reads: 30 s at 16 kHz. */
export const WHISPER_SAMPLES = 480000;
const HOP = 160;
const WIN = 400;
const MEL_FRAMES = WHISPER_SAMPLES / HOP;

const f64 = (data: Float64Array, dims: readonly number[]): TensorValue => ({ type: 'float64', data, dims });

/** Rows `from..to` of a row-major `[rows, cols]` float64 matrix. */
function rows(m: Float64Array, cols: number, from: number, to: number): Float64Array {
  return m.slice(from * cols, to * cols);
}

/** The log-mel spectrogram `[batch, mels, 3000]` (float32) of `[batch, 480000]` audio, computed in float64. */
export function whisperLogMel(e: EncoderGraph, audio: string, mels: number): string {
  const g = e.g;
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
  return e.transpose(g.op('Cast', [scaled], { to: int(1) }), [0, 2, 1]);
}

/** Whisper's `sinusoids(length, channels)`: [sin(t) | cos(t)], t = position * exp(-ln(10000) / (channels/2 - 1) * k). */
function sinusoids(length: number, channels: number): Float32Array {
  const half = channels / 2;
  const inc = Math.log(10000) / (half - 1);
  const out = new Float32Array(length * channels);
  for (let p = 0; p < length; p++) {
    for (let k = 0; k < half; k++) {
      const t = p * Math.exp(-inc * k);
      out[p * channels + k] = Math.sin(t);
      out[p * channels + half + k] = Math.cos(t);
    }
  }
  return out;
}

/** The graph (outputs as `builtSpeechGraph` lists them). */
export function buildWhisperEncoderGraph(a: WhisperEncoderArchitecture, w: CheckpointWeights, opts: BuildOptions): GraphBuilder {
  const e = new EncoderGraph('layerwise-built-whisper-encoder', w);
  const g = e.g;
  const D = a.hidden;
  if (a.maxSourcePositions * 2 !== MEL_FRAMES) throw new Error(`${w.where}: max_source_positions ${a.maxSourcePositions}; Whisper's encoder reads ${MEL_FRAMES} mel frames (1500 positions)`);
  const input = g.input(BUILT_INPUT, 'float32', ['batch', WHISPER_SAMPLES]);
  const features = whisperLogMel(e, input, a.melBins);
  const outputs: { tensor: string; name: string; dim: number }[] = [];
  const conv1 = e.gelu(g.op('Conv', [features, e.weight('encoder.conv1.weight', [D, a.melBins, 3]), e.weight('encoder.conv1.bias', [D])], { kernel_shape: ints([3]), pads: ints([1, 1]) }));
  const conv2 = e.gelu(g.op('Conv', [conv1, e.weight('encoder.conv2.weight', [D, D, 3]), e.weight('encoder.conv2.bias', [D])], { kernel_shape: ints([3]), pads: ints([1, 1]), strides: ints([2]) }));
  const frames = e.transpose(conv2, [0, 2, 1]);
  const local: { tensor: string; name: string; dim: number }[] = [];
  if (opts.local) local.push({ tensor: e.transpose(conv1, [0, 2, 1]), name: 'local.1', dim: D }, { tensor: frames, name: 'local.2', dim: D });
  const P = a.maxSourcePositions;
  const table = w.takeOptional('encoder.embed_positions.weight', [P, D]) ?? sinusoids(P, D);
  let h = g.op('Add', [frames, g.constant({ type: 'float32', data: table, dims: [P, D] })]);
  outputs.push({ tensor: h, name: 'hidden.0', dim: D });
  const ffnWanted = new Set(opts.ffn);
  const ffn: { tensor: string; name: string; dim: number }[] = [];
  for (let i = 0; i < a.layers; i++) {
    const name = `encoder.layers.${i}`;
    h = g.op('Add', [h, e.attention(e.layerNorm(h, `${name}.self_attn_layer_norm`, D, a.layerNormEps), `${name}.self_attn`, D, a.heads, { kBias: false })]);
    const f = e.ffn(e.layerNorm(h, `${name}.final_layer_norm`, D, a.layerNormEps), `${name}.fc1`, `${name}.fc2`, D, a.intermediate);
    h = g.op('Add', [h, f.out]);
    if (ffnWanted.has(i + 1)) ffn.push({ tensor: f.act, name: `ffn.${i + 1}`, dim: a.intermediate });
    const out = i + 1 === a.layers ? e.layerNorm(h, 'encoder.layer_norm', D, a.layerNormEps) : h;
    outputs.push({ tensor: out, name: `hidden.${i + 1}`, dim: D });
  }
  for (const o of [...outputs, ...local, ...ffn]) g.output(o.tensor, o.name, 'float32', ['batch', 'frames', o.dim]);
  return g;
}
