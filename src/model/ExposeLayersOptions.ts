/**
 * Which activations `exposeLayers` and `exposeLayersInModel` add as graph outputs: a file of its own, since the
 * two (the public file-to-file rewrite and the in-memory one with ONNX types) both take it.
 */
/** Options of `exposeLayers`: which activations besides the hidden states become graph outputs. */
export interface ExposeLayersOptions {
  /** Transformer layers (1..L, the layer whose output is `hidden.<i>`) whose FFN activation to expose as `ffn.<i>` (default none). */
  ffn?: readonly number[];
  /** Expose the conv feature-encoder outputs as `local.<i>` (default true). */
  local?: boolean;
}
