/**
 * The ONNX graph of Whisper's encoder from its checkpoint (`WhisperModel` / `WhisperForConditionalGeneration`,
 * keys `model.encoder.*`), with the log-mel front end inside the graph, so the model reads audio like every
 * other speech model:
 *
 * - front end (`whisperLogMel`, `../whisperFrontEnd.ts`): the log-mel spectrogram of the clip zero-padded to 30 s;
 * - conv1 (k 3, padding 1) + GELU, conv2 (k 3, stride 2, padding 1) + GELU: 1500 frames, 20 ms apart;
 * - plus `embed_positions` (the checkpoint's table; Whisper's sinusoids when it has none);
 * - pre-LN layers (k_proj without bias), the final `layer_norm` applied to the last hidden state, so that
 *   `hidden.<i>` is transformers' `encoder_hidden_states[i]`.
 *
 * Outputs `hidden.0..L`, `local.1` (conv1, 100 frames/s) and `local.2` (conv2), and the requested `ffn.<i>`.
 */
import { ints, type GraphBuilder } from '../../onnx/GraphBuilder';
import { MEL_FRAMES, WHISPER_SAMPLES, whisperLogMel } from '../whisperFrontEnd';
import { BUILT_INPUT, type BuildOptions } from './BuiltSpeechGraph';
import type { CheckpointWeights } from './CheckpointWeights';
import { EncoderGraph } from './EncoderGraph';
import type { WhisperEncoderArchitecture } from './speechArchitecture';

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

/** Build the graph into `g` (outputs as `builtSpeechGraph` lists them). */
export function buildWhisperEncoderGraph(a: WhisperEncoderArchitecture, w: CheckpointWeights, opts: BuildOptions, g: GraphBuilder): void {
  const e = new EncoderGraph(g, w);
  const D = a.hidden;
  if (a.maxSourcePositions * 2 !== MEL_FRAMES) throw new Error(`${w.where}: max_source_positions ${a.maxSourcePositions}; Whisper's encoder reads ${MEL_FRAMES} mel frames (1500 positions)`);
  const input = g.input(BUILT_INPUT, 'float32', ['batch', WHISPER_SAMPLES]);
  const features = whisperLogMel(g, input, a.melBins);
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
}
