/**
 * The ONNX graph of a wav2vec2-family model (wav2vec2, HuBERT, WavLM, data2vec-audio, any size) from its
 * checkpoint, following transformers' modules (`modeling_wav2vec2.py` and the files that copy it):
 *
 * - feature encoder: Conv1d layers, GroupNorm after the first ('group') or LayerNorm after each ('layer'), GELU;
 * - feature projection: LayerNorm (HuBERT: only with `feat_proj_layer_norm`), Linear to `hidden_size`;
 * - positional embedding added to its input: one grouped Conv1d with weight norm (`weight_g`/`weight_v`, or
 *   the `parametrizations.weight.original0/1` keys of newer torch; w = g v / ||v||, norm over dims 0 and 1),
 *   the last frame dropped for an even kernel, GELU; data2vec-audio: five grouped convs, each with a LayerNorm
 *   without affine parameters and GELU, no weight norm;
 * - post-LN layers (encoder LayerNorm first, `x = LN(x + attn(x))`, `x = LN(x + ffn(x))`) or, with
 *   `do_stable_layer_norm`, pre-LN layers and a final encoder LayerNorm on the last hidden state;
 * - WavLM: layer 0's relative position embedding gives every layer the same ungated bias over T5-style
 *   buckets of key - query; each layer gates it from its attention input (model-families.md has the formula).
 *
 * Every hidden state, every conv layer's output and the requested FFN activations are graph outputs, named
 * as the activation cache names them (`hidden.<i>`, `local.<i>`, `ffn.<i>`).
 */
import { float, int, ints, type GraphBuilder } from '../../onnx/GraphBuilder';
import type { CheckpointWeights } from './CheckpointWeights';
import { BUILT_INPUT, type BuildOptions } from './BuiltSpeechGraph';
import { EncoderGraph } from './EncoderGraph';
import { meanOutputName, meanPooledInGraph, shapeOutputName } from '../addMeanOutputs';
import type { ConvEncoderArchitecture } from './speechArchitecture';
import { at, atNum } from '../../util/at';

/** The positional conv's effective weight `[D, D / G, K]` from whichever of the three key styles the checkpoint uses. */
function positionalConvWeight(w: CheckpointWeights, a: ConvEncoderArchitecture): Float32Array {
  const D = a.hidden;
  const K = a.posConvKernel;
  const shape = [D, D / a.posConvGroups, K];
  const base = 'encoder.pos_conv_embed.conv';
  const styles: [string, string][] = [
    [`${base}.weight_g`, `${base}.weight_v`],
    [`${base}.parametrizations.weight.original0`, `${base}.parametrizations.weight.original1`],
  ];
  for (const [gName, vName] of styles) {
    if (!w.has(gName)) continue;
    const g = w.take(gName, [1, 1, K]);
    const v = w.take(vName, shape);
    // weight_norm(dim=2): one norm per kernel tap, over the output and input channels.
    const norms = new Float64Array(K);
    for (let i = 0; i < v.length; i++) norms[i % K] += (v[i] ?? 0) ** 2;
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const n = Math.sqrt(norms[i % K] ?? 0);
      out[i] = n > 0 ? ((g[i % K] ?? 0) * (v[i] ?? 0)) / n : 0;
    }
    return out;
  }
  return w.take(`${base}.weight`, shape);
}

/** Build the graph into `g` (outputs as `builtSpeechGraph` lists them). */
export function buildConvEncoderGraph(a: ConvEncoderArchitecture, w: CheckpointWeights, opts: BuildOptions, g: GraphBuilder): void {
  const e = new EncoderGraph(g, w);
  const input = g.input(BUILT_INPUT, 'float32', ['batch', 'samples']);
  const outputs: { tensor: string; name: string; dim: number }[] = [];

  // Feature encoder.
  let x = g.op('Unsqueeze', [input, g.int64s([1])]);
  let framesFirst = '';
  const C = a.convDim.length;
  for (let i = 0; i < C; i++) {
    const cin = i === 0 ? 1 : atNum(a.convDim, i - 1);
    const cout = atNum(a.convDim, i);
    const k = atNum(a.convKernel, i);
    const name = `feature_extractor.conv_layers.${i}`;
    const convInputs = [x, e.weight(`${name}.conv.weight`, [cout, cin, k])];
    if (a.convBias) convInputs.push(e.weight(`${name}.conv.bias`, [cout]));
    const conv = g.op('Conv', convInputs, { kernel_shape: ints([k]), strides: ints([atNum(a.convStride, i)]) });
    if (a.featExtractNorm === 'layer') {
      framesFirst = e.gelu(e.layerNorm(e.transpose(conv, [0, 2, 1]), `${name}.layer_norm`, cout, 1e-5));
      x = i + 1 < C ? e.transpose(framesFirst, [0, 2, 1]) : '';
    } else {
      const normed = i === 0
        ? g.op('InstanceNormalization', [conv, e.weight(`${name}.layer_norm.weight`, [cout]), e.weight(`${name}.layer_norm.bias`, [cout])], { epsilon: float(1e-5) })
        : conv;
      x = e.gelu(normed);
      // Frames first only where something reads it: a conv layer output's transpose is a full copy.
      if (opts.local || i + 1 === C) framesFirst = e.transpose(x, [0, 2, 1]);
    }
    if (opts.local) outputs.push({ tensor: framesFirst, name: `local.${i + 1}`, dim: cout });
  }

  // Feature projection.
  const convOut = atNum(a.convDim, C - 1);
  const projIn = a.featProjLayerNorm ? e.layerNorm(framesFirst, 'feature_projection.layer_norm', convOut, a.layerNormEps) : framesFirst;
  let h = e.linear(projIn, 'feature_projection.projection', convOut, a.hidden);

  // Positional embedding.
  const D = a.hidden;
  const K = a.posConvKernel;
  const convAttrs = { kernel_shape: ints([K]), pads: ints([Math.floor(K / 2), Math.floor(K / 2)]), group: int(a.posConvGroups) };
  const dropLast = (t: string): string => (K % 2 === 0 ? g.op('Slice', [t, g.int64s([0]), g.int64s([-1]), g.int64s([2])]) : t);
  let pos = e.transpose(h, [0, 2, 1]);
  if (a.family === 'data2vec-audio') {
    for (let j = 0; j < a.posConvLayers; j++) {
      const name = `encoder.pos_conv_embed.layers.${j}`;
      const conv = dropLast(g.op('Conv', [pos, e.weight(`${name}.conv.weight`, [D, D / a.posConvGroups, K]), e.weight(`${name}.conv.bias`, [D])], convAttrs));
      const act = e.gelu(e.layerNorm(e.transpose(conv, [0, 2, 1]), undefined, D, 1e-5));
      pos = j + 1 < a.posConvLayers ? e.transpose(act, [0, 2, 1]) : act;
    }
  } else {
    const weight = g.constant({ type: 'float32', data: positionalConvWeight(w, a), dims: [D, D / a.posConvGroups, K] });
    const conv = dropLast(g.op('Conv', [pos, weight, e.weight('encoder.pos_conv_embed.conv.bias', [D])], convAttrs));
    pos = e.transpose(e.gelu(conv), [0, 2, 1]);
  }
  h = g.op('Add', [h, pos]);
  if (!a.stableLayerNorm) h = e.layerNorm(h, 'encoder.layer_norm', D, a.layerNormEps);
  outputs.push({ tensor: h, name: 'hidden.0', dim: D });

  // WavLM's relative position bias, [heads, T, T], shared (ungated) by every layer.
  const H = a.heads;
  const headDim = D / H;
  let positionBias: string | undefined;
  if (a.family === 'wavlm') positionBias = relativePositionBias(e, h, a);

  const ffnWanted = new Set(opts.ffn);
  for (let i = 0; i < a.layers; i++) {
    const name = `encoder.layers.${i}`;
    const attnIn = a.stableLayerNorm ? e.layerNorm(h, `${name}.layer_norm`, D, a.layerNormEps) : h;
    const bias = positionBias === undefined ? undefined : gatedBias(e, attnIn, positionBias, `${name}.attention`, H, headDim);
    const attn = e.attention(attnIn, `${name}.attention`, D, H, bias === undefined ? {} : { bias });
    let f: { act: string; out: string };
    if (a.stableLayerNorm) {
      h = g.op('Add', [h, attn]);
      f = e.ffn(e.layerNorm(h, `${name}.final_layer_norm`, D, a.layerNormEps), `${name}.feed_forward.intermediate_dense`, `${name}.feed_forward.output_dense`, D, a.intermediate);
      h = g.op('Add', [h, f.out]);
    } else {
      h = e.layerNorm(g.op('Add', [h, attn]), `${name}.layer_norm`, D, a.layerNormEps);
      f = e.ffn(h, `${name}.feed_forward.intermediate_dense`, `${name}.feed_forward.output_dense`, D, a.intermediate);
      h = e.layerNorm(g.op('Add', [h, f.out]), `${name}.final_layer_norm`, D, a.layerNormEps);
    }
    if (ffnWanted.has(i + 1)) outputs.push({ tensor: f.act, name: `ffn.${i + 1}`, dim: a.intermediate });
    const last = i + 1 === a.layers;
    const out = last && a.stableLayerNorm ? e.layerNorm(h, 'encoder.layer_norm', D, a.layerNormEps) : h;
    outputs.push({ tensor: out, name: `hidden.${i + 1}`, dim: D });
  }
  // Hidden states first, then conv layers, then FFN activations: the order builtSpeechGraph lists.
  const rank = (n: string): number => (n.startsWith('hidden.') ? 0 : n.startsWith('local.') ? 1 : 2);
  for (const o of [...outputs].sort((x, y) => rank(x.name) - rank(y.name))) g.output(o.tensor, o.name, 'float32', ['batch', 'frames', o.dim]);
  // The transformer layers' means over frames and shapes as well (as `addMeanOutputs` adds them to exported
  // graphs): mean-pooled extraction fetches one row per layer instead of every frame.
  const pooled = new Set(meanPooledInGraph(outputs.map((o) => o.name)));
  for (const o of outputs) {
    if (!pooled.has(o.name)) continue;
    // ReduceMean reads its axes from an input from opset 18 on
    const mean =
      g.opset >= 18
        ? g.op('ReduceMean', [o.name, g.int64s([1])], { keepdims: int(0) }, { name: meanOutputName(o.name) })
        : g.op('ReduceMean', [o.name], { axes: ints([1]), keepdims: int(0) }, { name: meanOutputName(o.name) });
    g.output(mean, mean, 'float32', ['batch', o.dim]);
    const shape = g.op('Shape', [o.name], {}, { name: shapeOutputName(o.name) });
    g.output(shape, shape, 'int64', [3]);
  }
}

/**
 * WavLM's `compute_bias`: buckets of rel = key - query (half the buckets per sign; exact below a quarter,
 * logarithmic up to `max_bucket_distance`), looked up in layer 0's `rel_attn_embed`, as `[heads, T, T]`.
 */
function relativePositionBias(e: EncoderGraph, h: string, a: ConvEncoderArchitecture): string {
  const g = e.g;
  const half = Math.floor(a.numBuckets / 2);
  const exact = Math.floor(half / 2);
  const T = g.op('Gather', [g.op('Shape', [h]), g.int64s([1], true)], { axis: int(0) });
  const positions = g.op('Range', [g.int64s([0], true), T, g.int64s([1], true)]);
  const rel = g.op('Sub', [g.op('Unsqueeze', [positions, g.int64s([0])]), g.op('Unsqueeze', [positions, g.int64s([1])])]);
  const sign = g.op('Mul', [g.op('Cast', [g.op('Greater', [rel, g.int64s([0], true)])], { to: int(7) }), g.int64s([half], true)]);
  const dist = g.op('Abs', [rel]);
  // torch: (exact + log(d / exact) / log(max / exact) * (half - exact)).to(long), in float32; d >= 1 keeps log finite where it is unused.
  const df = g.op('Cast', [g.op('Max', [dist, g.int64s([1], true)])], { to: int(1) });
  const logRatio = g.op('Div', [g.op('Log', [g.op('Div', [df, g.scalar(exact)])]), g.scalar(Math.fround(Math.log(a.maxBucketDistance / exact)))]);
  const large = g.op('Cast', [g.op('Add', [g.scalar(exact), g.op('Mul', [logRatio, g.scalar(half - exact)])])], { to: int(7) });
  const capped = g.op('Min', [large, g.int64s([half - 1], true)]);
  const bucket = g.op('Add', [sign, g.op('Where', [g.op('Less', [dist, g.int64s([exact], true)]), dist, capped])]);
  const table = e.weight('encoder.layers.0.attention.rel_attn_embed.weight', [a.numBuckets, a.heads]);
  const values = g.op('Gather', [table, bucket], { axis: int(0) });
  return e.transpose(values, [2, 0, 1]);
}

/** A WavLM layer's gate on the shared bias: from its attention input, `[batch, heads, T, 1]` times `[heads, T, T]`. */
function gatedBias(e: EncoderGraph, x: string, bias: string, name: string, heads: number, headDim: number): string {
  const g = e.g;
  const proj = e.linear(e.splitHeads(x, heads, headDim), `${name}.gru_rel_pos_linear`, headDim, 8);
  const summed = g.op('ReduceSum', [g.op('Reshape', [proj, g.int64s([0, 0, 0, 2, 4])]), g.int64s([-1])], { keepdims: int(0) });
  const parts = g.opN('Split', [g.op('Sigmoid', [summed]), g.int64s([1, 1])], { axis: int(-1) }, { outputs: 2 });
  const constant = e.weight(`${name}.gru_rel_pos_const`, [1, heads, 1, 1]);
  const gate = g.op('Add', [g.op('Mul', [at(parts, 0), g.op('Sub', [g.op('Mul', [at(parts, 1), constant]), g.scalar(1)])]), g.scalar(2)]);
  return g.op('Mul', [gate, bias]);
}
