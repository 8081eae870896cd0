/**
 * The ONNX pieces of a speech transformer, written from checkpoint weights: linear layers, LayerNorm, GELU,
 * multi-head self-attention (with an optional additive bias, WavLM's), the FFN. The patterns are the ones
 * torch.onnx writes for the same modules (MatMul by the transposed weight then Add; GELU as
 * x * 0.5 * (1 + erf(x / sqrt 2)); LayerNormalization at opset 17), so onnxruntime fuses them the same way and
 * a built graph runs as fast as an export. Activations are `[batch, frames, features]`.
 */
import type { TensorValue } from '../../backend/ort';
import { float, int, ints, type GraphBuilder } from '../../onnx/GraphBuilder';
import type { CheckpointWeights } from './CheckpointWeights';

/** `[rows, cols]` row-major to `[cols, rows]`: torch's Linear keeps `[out, in]`, MatMul wants `[in, out]`. */
function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c] ?? 0;
  return out;
}

/** Names of an attention module's query, key, value and output projections, below the module. */
export interface AttentionProjections {
  readonly q: string;
  readonly k: string;
  readonly v: string;
  readonly out: string;
}

const f32 = (data: Float32Array, dims: readonly number[]): TensorValue => ({ type: 'float32', data, dims });

export class EncoderGraph {
  /** `g` at opset 17 (LayerNormalization); its constants may stream to disk (`GraphBuilder.streamConstants`). */
  constructor(readonly g: GraphBuilder, readonly w: CheckpointWeights) {
    if (g.opset < 17) throw new Error(`EncoderGraph: needs opset 17 or later (LayerNormalization), got ${g.opset}`);
  }

  weight(name: string, shape: readonly number[]): string {
    return this.g.constant(f32(this.w.take(name, shape), shape));
  }

  /** `x W^T + b` for torch Linear `name` ([out, in]); `bias: false` for the layers that have none (Whisper's k_proj). */
  linear(x: string, name: string, inDim: number, outDim: number, bias = true): string {
    // Transposed here rather than by a Transpose node that onnxruntime would fold: measured on wav2vec2-base,
    // the node cost 120 MiB more peak memory at session creation (bench/README.md, "Models from weights").
    const wt = this.g.constant(f32(transposed(this.w.take(`${name}.weight`, [outDim, inDim]), outDim, inDim), [inDim, outDim]));
    const y = this.g.op('MatMul', [x, wt]);
    return bias ? this.g.op('Add', [y, this.weight(`${name}.bias`, [outDim])]) : y;
  }

  /** LayerNorm over the last axis; `name` undefined for one without affine parameters (data2vec-audio's positional convs). */
  layerNorm(x: string, name: string | undefined, dim: number, eps: number): string {
    const scale = name === undefined ? this.g.constant(f32(new Float32Array(dim).fill(1), [dim])) : this.weight(`${name}.weight`, [dim]);
    const bias = name === undefined ? this.g.constant(f32(new Float32Array(dim), [dim])) : this.weight(`${name}.bias`, [dim]);
    return this.g.op('LayerNormalization', [x, scale, bias], { axis: int(-1), epsilon: float(eps) });
  }

  gelu(x: string): string {
    const e = this.g.op('Erf', [this.g.op('Div', [x, this.g.scalar(Math.SQRT2)])]);
    return this.g.op('Mul', [this.g.op('Mul', [x, this.g.op('Add', [e, this.g.scalar(1)])]), this.g.scalar(0.5)]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.g.op('Transpose', [x], { perm: ints(perm) });
  }

  /** `[batch, frames, heads * d]` -> `[batch, heads, frames, d]` (or `[batch, heads, d, frames]` for keys). */
  splitHeads(x: string, heads: number, headDim: number, keys = false): string {
    const r = this.g.op('Reshape', [x, this.g.int64s([0, 0, heads, headDim])]);
    return this.transpose(r, keys ? [0, 2, 3, 1] : [0, 2, 1, 3]);
  }

  /**
   * Self-attention of module `name` (q/k/v/out_proj) over `x`: softmax(q k^T / sqrt(d) + bias) v, then out_proj.
   * `bias` is an additive `[batch or 1, heads, frames, frames]` term (WavLM's gated relative position bias).
   * `projections` names the four linear layers below `name` when they are not q_proj, k_proj, v_proj and
   * out_proj (BERT's `self.query`, `self.key`, `self.value`, `output.dense`).
   */
  attention(
    x: string,
    name: string,
    hidden: number,
    heads: number,
    opts: { kBias?: boolean; bias?: string; projections?: AttentionProjections } = {},
  ): string {
    const d = hidden / heads;
    const names = opts.projections ?? { q: 'q_proj', k: 'k_proj', v: 'v_proj', out: 'out_proj' };
    const q = this.g.op('Mul', [this.linear(x, `${name}.${names.q}`, hidden, hidden), this.g.scalar(d ** -0.5)]);
    const k = this.linear(x, `${name}.${names.k}`, hidden, hidden, opts.kBias ?? true);
    const v = this.linear(x, `${name}.${names.v}`, hidden, hidden);
    let scores = this.g.op('MatMul', [this.splitHeads(q, heads, d), this.splitHeads(k, heads, d, true)]);
    if (opts.bias !== undefined) scores = this.g.op('Add', [scores, opts.bias]);
    const p = this.g.op('Softmax', [scores], { axis: int(-1) });
    const ctx = this.transpose(this.g.op('MatMul', [p, this.splitHeads(v, heads, d)]), [0, 2, 1, 3]);
    const merged = this.g.op('Reshape', [ctx, this.g.int64s([0, 0, hidden])]);
    return this.linear(merged, `${name}.${names.out}`, hidden, hidden);
  }

  /** Two linear layers with GELU between; returns the activation (the `ffn.<i>` tensor) and the output. */
  ffn(x: string, first: string, second: string, hidden: number, intermediate: number): { act: string; out: string } {
    const act = this.gelu(this.linear(x, first, hidden, intermediate));
    return { act, out: this.linear(act, second, intermediate, hidden) };
  }
}
