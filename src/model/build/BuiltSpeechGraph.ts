/**
 * What a built graph outputs, which follows from the architecture and the options alone (so a cached graph
 * needs neither its checkpoint nor its builder): `hidden.0..L`, the conv layers as `local.<i>`, the requested
 * `ffn.<i>`, every one `[batch, frames, features]` float32 and named as the activation cache names it.
 */
import type { LayerMap, MappedTensor } from '../LayerMap';
import type { SpeechArchitecture } from './speechArchitecture';
import { WHISPER_CONV } from '../whisperFrontEnd';

/** Which activations besides the hidden states a built graph outputs (as `ExposeLayersOptions`). */
export interface BuildOptions {
  /** Layers 1..L whose FFN activation becomes `ffn.<i>`. */
  readonly ffn: readonly number[];
  /** Output the conv layers as `local.<i>`. */
  readonly local: boolean;
}

/** The graph's input: raw audio, or Whisper's log-mel spectrogram computed inside the graph from raw audio. */
export interface BuiltGraphInput {
  readonly name: string;
  /** 'waveform': `[batch, samples]` of any length; 'whisper': `[batch, 480000]`, the clip zero-padded to 30 s. */
  readonly kind: 'waveform' | 'whisper';
}

/** Where everything is in a built graph. */
export interface BuiltSpeechGraph {
  readonly map: LayerMap;
  /** Activation names the graph outputs, hidden states first. */
  readonly names: readonly string[];
  readonly input: BuiltGraphInput;
}

/** The graph input every builder declares. */
export const BUILT_INPUT = 'input_values';


const built = (name: string, how: string): MappedTensor => ({ name, tensor: name, channelsFirst: false, how: `built: ${how}` });

/** The map, output names and input of the graph built for `a` under `opts`; checks the FFN layers asked for. */
export function builtSpeechGraph(a: SpeechArchitecture, opts: BuildOptions, where: string): BuiltSpeechGraph {
  for (const i of opts.ffn) {
    if (!Number.isInteger(i) || i < 1 || i > a.layers) throw new Error(`${where}: ffn layer ${i} does not exist; the model has transformer layers 1..${a.layers} (layer i outputs hidden.<i>)`);
  }
  const whisper = a.family === 'whisper';
  const hidden = Array.from({ length: a.layers + 1 }, (_, i) => built(`hidden.${i}`, i === 0 ? 'transformer input' : `encoder.layers.${i - 1}`));
  const convNames = whisper ? ['encoder.conv1', 'encoder.conv2'] : a.convDim.map((_, i) => `feature_extractor.conv_layers.${i}`);
  const local = opts.local ? convNames.map((n, i) => built(`local.${i + 1}`, n)) : [];
  const ffn = [...new Set(opts.ffn)].sort((x, y) => x - y).map((i) => built(`ffn.${i}`, `encoder.layers.${i - 1} FFN activation`));
  const map: LayerMap = {
    source: 'built',
    norm: whisper || a.stableLayerNorm ? 'pre' : 'post',
    numLayers: a.layers,
    hidden,
    local,
    ffn,
    conv: whisper ? WHISPER_CONV : { kernels: a.convKernel, strides: a.convStride, pads: a.convKernel.map(() => 0) },
    input: BUILT_INPUT,
    notes: whisper ? ['Whisper: the encoder always reads 30 s; only the frames covering the audio are kept'] : [],
  };
  return { map, names: [...hidden, ...local, ...ffn].map((m) => m.name), input: { name: BUILT_INPUT, kind: whisper ? 'whisper' : 'waveform' } };
}
