/**
 * Where every activation of a speech model sits in its ONNX graph (found by `mapLayers`, or given by a graph
 * built from weights): plain data, so that the public declarations need no ONNX types.
 */
/** One activation located in the graph. */
export interface MappedTensor {
  /** Activation name: `hidden.<i>` (i = 0..L), `local.<i>` (conv layer i = 1..C) or `ffn.<i>` (inside layer i = 1..L). */
  readonly name: string;
  /** The ONNX tensor holding it. */
  readonly tensor: string;
  /** True when the tensor is `[batch, features, frames]` (conv outputs) and must be transposed. */
  readonly channelsFirst: boolean;
  /** How it was found, for listings and errors. */
  readonly how: string;
}

/** Kernel, stride and padding of the conv feature encoder, first layer first. */
export interface ConvGeometry {
  readonly kernels: readonly number[];
  readonly strides: readonly number[];
  /** Total padding (begin + end) per layer; 0 for wav2vec2-family encoders. */
  readonly pads: readonly number[];
}

/** Where every activation of a speech model sits in its ONNX graph, found by structure (see `mapLayers`). */
export interface LayerMap {
  /**
   * 'outputs' when the model already outputs every hidden state, 'structure' when found in the graph, 'built'
   * when layerwise built the graph from checkpoint weights (every activation an output from the start).
   */
  readonly source: 'outputs' | 'structure' | 'built';
  /** 'post' (LayerNorm after each residual block), 'pre' (LayerNorm first), or 'unknown' (outputs only). */
  readonly norm: 'post' | 'pre' | 'unknown';
  /** Transformer layers (hidden states are 0..numLayers). */
  readonly numLayers: number;
  readonly hidden: readonly MappedTensor[];
  readonly local: readonly MappedTensor[];
  /** FFN activations of every layer where one was found. */
  readonly ffn: readonly MappedTensor[];
  /** Conv feature-encoder geometry read from the graph, if it has one. */
  readonly conv: ConvGeometry | undefined;
  /** The audio input's name. */
  readonly input: string;
  /** Things that looked odd but did not stop the mapping. */
  readonly notes: readonly string[];
}
