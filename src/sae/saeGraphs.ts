/**
 * Forward-only SAE graphs used by the fitted `SAE` and the measures: encoding, decoding, and per-chunk
 * statistics that never copy the `[frames, latents]` activations out of the runtime.
 *
 * Encoding of each variant (x already multiplied by the config's `inputScale`):
 * - relu-l1: f = ReLU(W_e x + b_e);
 * - topk: f = ReLU(TopK_k(W_e (x - b_d) + b_e)) per frame;
 * - batch-topk (inference): f = pre * (pre > threshold) with pre = W_e (x - b_d) + b_e, and threshold >= 0
 *   (a JumpReLU; Bussmann et al. 2024).
 */
import { GraphBuilder, int, ints } from '../onnx/GraphBuilder';
import type { SAEVariant } from './SAEConfig';

export interface EncodeSpec {
  readonly variant: SAEVariant;
  readonly preEncoderBias: boolean;
}

/**
 * Adds the encoder to `g`; inputs `X` `[n, d]`, `We`, `be`, `bd`, `scale` (scalar), and `k` (int64 `[1]`,
 * topk) or `threshold` (scalar, batch-topk). Returns the value names of `F` `[n, L]` and the boolean mask.
 */
function addEncoder(g: GraphBuilder, spec: EncodeSpec): { F: string; mask: string; X: string } {
  const X = g.input('X', 'float32', ['n', 'd']);
  const We = g.input('We', 'float32', ['L', 'd']);
  const be = g.input('be', 'float32', ['L']);
  const bd = g.input('bd', 'float32', ['d']);
  const scale = g.input('scale', 'float32', []);
  const zero = g.scalar(0);
  const Xs = g.op('Mul', [X, scale]);
  const Xc = spec.preEncoderBias ? g.op('Sub', [Xs, bd]) : Xs;
  const pre = g.op('Gemm', [Xc, We, be], { transB: int(1) });
  if (spec.variant === 'relu-l1') {
    // Mask from F rather than pre: pre keeps one consumer, so onnxruntime can fuse Gemm + Relu.
    const F = g.op('Relu', [pre]);
    return { F, mask: g.op('Greater', [F, zero]), X: Xs };
  }
  if (spec.variant === 'topk') {
    const k = g.input('k', 'int64', [1]);
    const [vals] = g.opN('TopK', [pre, k], { axis: int(1), largest: int(1), sorted: int(0) }, { outputs: 2 });
    const kth = g.op('ReduceMin', [vals as string], { axes: ints([1]), keepdims: int(1) });
    const mask = g.op('And', [g.op('GreaterOrEqual', [pre, kth]), g.op('Greater', [pre, zero])]);
    return { F: g.op('Where', [mask, pre, zero]), mask, X: Xs };
  }
  const threshold = g.input('threshold', 'float32', []);
  const mask = g.op('And', [g.op('Greater', [pre, threshold]), g.op('Greater', [pre, zero])]);
  return { F: g.op('Where', [mask, pre, zero]), mask, X: Xs };
}

export function encodeGraphKey(spec: EncodeSpec, scaled: boolean, select: boolean): string {
  return `sae-encode|${spec.variant}|pre=${spec.preEncoderBias}|scaled=${scaled}|select=${select}`;
}

/**
 * Encoder graph: output `F` `[n, L]`; when `scaled`, also reads `norms` `[L]` and outputs F * norms (the seed's
 * activations normalised by decoder norms); when `select`, reads `cols` (int64 `[c]`) and outputs only those
 * latents, `[n, c]` (the selection happens after TopK, which needs every latent).
 */
export function buildEncodeGraph(spec: EncodeSpec, scaled: boolean, select: boolean): Uint8Array {
  const g = new GraphBuilder('sae_encode');
  const { F } = addEncoder(g, spec);
  let out = scaled ? g.op('Mul', [F, g.input('norms', 'float32', ['L'])]) : F;
  if (select) out = g.op('Gather', [out, g.input('cols', 'int64', ['c'])], { axis: int(1) });
  g.output(out, 'F', 'float32', ['n', select ? 'c' : 'L']);
  return g.toBytes();
}

export const DECODE_GRAPH_KEY = 'sae-decode';

/** Decoder graph: inputs `F` `[n, L]`, `Wd` `[d, L]`, `bd`, `scale`; output `Xh` = (F W_d^T + b_d) / scale. */
export function buildDecodeGraph(): Uint8Array {
  const g = new GraphBuilder('sae_decode');
  const F = g.input('F', 'float32', ['n', 'L']);
  const Wd = g.input('Wd', 'float32', ['d', 'L']);
  const bd = g.input('bd', 'float32', ['d']);
  const scale = g.input('scale', 'float32', []);
  g.output(g.op('Div', [g.op('Gemm', [F, Wd, bd], { transB: int(1) }), scale]), 'Xh', 'float32', ['n', 'd']);
  return g.toBytes();
}

export function statsGraphKey(spec: EncodeSpec): string {
  return `sae-stats|${spec.variant}|pre=${spec.preEncoderBias}`;
}

/**
 * Per-chunk statistics in the input's units: `sse` (sum over the chunk of ||x - x_hat||^2, with x_hat
 * divided back by the scale), `counts` `[L]` (frames in which each latent fired) and `actSum` `[L]` (sum of
 * each latent's activations). Inputs as the encoder plus `Wd`.
 */
export function buildStatsGraph(spec: EncodeSpec): Uint8Array {
  const g = new GraphBuilder('sae_stats');
  const { F, mask, X: Xs } = addEncoder(g, spec);
  const Wd = g.input('Wd', 'float32', ['d', 'L']);
  const axis0 = g.int64s([0]);
  const Xh = g.op('Gemm', [F, Wd, 'bd'], { transB: int(1) });
  // Compare in the scaled space and divide the squared error by scale^2: the same as unscaling first.
  const E = g.op('Sub', [Xh, Xs]);
  const sse = g.op('Div', [g.op('ReduceSum', [g.op('Mul', [E, E])], { keepdims: int(0) }), g.op('Mul', ['scale', 'scale'])]);
  g.output(sse, 'sse', 'float32', []);
  g.output(g.op('ReduceSum', [g.op('Cast', [mask], { to: int(1) }), axis0], { keepdims: int(0) }), 'counts', 'float32', ['L']);
  g.output(g.op('ReduceSum', [F, axis0], { keepdims: int(0) }), 'actSum', 'float32', ['L']);
  return g.toBytes();
}
