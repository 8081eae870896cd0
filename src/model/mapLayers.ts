/**
 * Finds, inside an ONNX speech model, the tensors that correspond to Hugging Face's `hidden_states`, the
 * convolutional feature-encoder ("local") layer outputs and the FFN intermediate activations.
 *
 * The mapping is structural, so it works whatever the exporter called things (transformers / optimum /
 * transformers.js exports, torchaudio exports, fp32 or dynamically int8-quantized):
 * - a transformer layer is two residual Adds `x + f(x)` whose branch `f` runs through a weight MatMul
 *   (attention, then FFN); the positional conv embedding is one more residual Add whose branch is a Conv;
 * - post-LN ("base") layers feed `LayerNorm(x + attn(x))` to the FFN and end in a LayerNorm; pre-LN
 *   ("stable layer norm", WavLM, large-lv60) layers feed the first Add's output straight to the second;
 * - layers are numbered from 1, as papers and the layerwise-analysis ids (C1-C7, T1-TL) count them, and
 *   every activation of a layer carries its number: `hidden.<i>` is Hugging Face `hidden_states[i]`, the
 *   output of transformer layer i (`encoder.layers[i - 1]`), with `hidden.0` the transformer's input after the
 *   positional embedding (and, for post-LN, the encoder LayerNorm); the last is the last layer's output, with
 *   the encoder's final LayerNorm for pre-LN models, as transformers returns it; `ffn.<i>` is the FFN
 *   activation inside that same layer i (what the FFN's second MatMul reads); `local.<i>` is the output of
 *   conv layer i (`feature_extractor.conv_layers[i - 1]`, what the next conv reads; the last one is what the
 *   transpose before the feature projection reads);
 * torch.onnx's scoped node names (`/wav2vec2/encoder/layers.3/...`) only serve to check and describe the
 * result. Models that already output every hidden state (`hidden_states.0..L`) keep those outputs.
 */
import type { onnx } from 'onnx-proto';
import { CONV_OPS, GraphIndex, MATMUL_OPS, type IndexedNode } from '../onnx/GraphIndex';
import { at, atNum } from '../util/at';
import type { ConvGeometry, LayerMap, MappedTensor } from './LayerMap';

interface ResidualAdd {
  readonly node: IndexedNode;
  readonly skip: string;
  readonly branch: string;
  readonly out: string;
  /** The branch runs through a Conv / a MatMul. */
  readonly viaConv: boolean;
  readonly viaMatMul: boolean;
}

const HIDDEN_OUTPUT = /^(?:hidden_states|hidden|all_hidden_states)[._](\d+)$/;

/** Map a model's layers; throws (listing candidate tensors) when it cannot. */
export function mapLayers(model: onnx.IModelProto, what = 'model'): LayerMap {
  const graph = model.graph;
  if (graph === null || graph === undefined) throw new Error(`${what}: the ONNX model has no graph`);
  const g = new GraphIndex(graph, what);
  const input = g.inputs[0];
  if (input === undefined) throw new Error(`${what}: the graph has no inputs`);
  const fromOutputs = hiddenFromOutputs(g);
  let structural: Omit<LayerMap, 'source' | 'input' | 'conv' | 'local'> | undefined;
  let structureError: Error | undefined;
  try {
    structural = mapStructure(g, what);
  } catch (e) {
    structureError = e instanceof Error ? e : new Error(String(e));
  }
  const conv = convLayers(g);
  if (fromOutputs !== undefined) {
    const notes: string[] = [];
    if (structural !== undefined && structural.numLayers !== fromOutputs.length - 1) {
      notes.push(`the graph has ${structural.numLayers} layers by structure but outputs ${fromOutputs.length} hidden states`);
    }
    if (structureError !== undefined) notes.push(`no FFN activations: ${firstLine(structureError.message)}`);
    return {
      source: 'outputs',
      norm: structural?.norm ?? 'unknown',
      numLayers: fromOutputs.length - 1,
      hidden: fromOutputs,
      local: conv.local,
      ffn: structural?.ffn ?? [],
      conv: conv.geometry,
      input,
      notes: [...notes, ...conv.notes, ...(structural?.notes ?? [])],
    };
  }
  if (structural === undefined) throw structureError ?? new Error(`${what}: could not map the layers`);
  return { source: 'structure', ...structural, local: conv.local, conv: conv.geometry, input, notes: [...structural.notes, ...conv.notes] };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function hiddenFromOutputs(g: GraphIndex): MappedTensor[] | undefined {
  const found = new Map<number, string>();
  for (const o of g.outputs) {
    const m = HIDDEN_OUTPUT.exec(o);
    if (m !== null) found.set(Number(m[1]), o);
  }
  if (found.size < 2) return undefined;
  const out: MappedTensor[] = [];
  for (let i = 0; i < found.size; i++) {
    const t = found.get(i);
    if (t === undefined) return undefined;
    out.push({ name: `hidden.${i}`, tensor: t, channelsFirst: false, how: `model output '${t}'` });
  }
  return out;
}

/** Label a node for messages: its name, else its op type and first output. */
function label(n: IndexedNode | undefined): string {
  if (n === undefined) return '(graph input)';
  return n.name !== '' ? n.name : `${n.opType} -> ${n.outputs[0] ?? '?'}`;
}

/**
 * Whether `from` reaches `to` backwards along data tensors; returns which weight ops the paths ran through
 * (bit 1: Conv, bit 2: MatMul), 0 when no path exists or no path runs through either.
 */
function pathKinds(g: GraphIndex, from: string, to: string): number {
  const floor = g.producer(from)?.index ?? -1;
  let kinds = 0;
  const seen = new Set<string>();
  const stack: [string, number][] = [[to, 0]];
  while (stack.length > 0) {
    const [t, k] = stack.pop() as [string, number];
    if (t === from) {
      kinds |= k;
      continue;
    }
    const key = `${k}|${t}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const p = g.producer(t);
    if (p === undefined || p.index <= floor) continue;
    const k2 = k | (CONV_OPS.has(p.opType) ? 1 : 0) | (MATMUL_OPS.has(p.opType) ? 2 : 0);
    for (const i of g.dataInputs(p)) stack.push([i, k2]);
  }
  return kinds;
}

function residualAdds(g: GraphIndex): ResidualAdd[] {
  const out: ResidualAdd[] = [];
  for (const n of g.nodes) {
    if (n.opType !== 'Add' || n.inputs.length !== 2) continue;
    const [a, b] = n.inputs as [string, string];
    if (!g.isData(a) || !g.isData(b) || a === b) continue;
    for (const [skip, branch] of [
      [a, b],
      [b, a],
    ] as [string, string][]) {
      // The skip carries the residual stream, which starts at the first input (an attention mask added to
      // the scores of layer 2 also reaches them through layer 1, but is no stream).
      if (!g.isMainData(skip)) continue;
      const kinds = pathKinds(g, skip, branch);
      if (kinds !== 0) {
        out.push({ node: n, skip, branch, out: n.outputs[0] ?? '', viaConv: (kinds & 1) !== 0, viaMatMul: (kinds & 2) !== 0 });
        break;
      }
    }
  }
  return out;
}

/** The output of a LayerNorm applied to `t` (fused LayerNormalization or torch's decomposition), if any. */
function layerNormAfter(g: GraphIndex, t: string): { out: string; node: IndexedNode } | undefined {
  for (const c of g.consumers(t)) {
    if (c.opType === 'LayerNormalization' && c.inputs[0] === t && c.outputs[0]) return { out: c.outputs[0], node: c };
  }
  // torch.onnx below opset 17: ReduceMean, Sub, Pow, ReduceMean, Add(eps), Sqrt, Div, Mul(gamma), Add(beta)
  const sub = g.consumers(t).find((c) => {
    if (c.opType !== 'Sub' || c.inputs[0] !== t) return false;
    const mean = g.producer(c.inputs[1] ?? '');
    return mean !== undefined && mean.opType === 'ReduceMean' && mean.inputs[0] === t;
  });
  const centered = sub?.outputs[0];
  if (sub === undefined || centered === undefined) return undefined;
  const div = g.consumers(centered).find((c) => c.opType === 'Div' && c.inputs[0] === centered);
  let node = div;
  let out = div?.outputs[0];
  if (div === undefined || out === undefined) return undefined;
  for (const op of ['Mul', 'Add']) {
    const cs: IndexedNode[] = g.consumers(out);
    const next = cs.length === 1 ? cs[0] : undefined;
    if (next === undefined || next.opType !== op) break;
    const other = next.inputs[0] === out ? next.inputs[1] : next.inputs[0];
    if (other === undefined || g.isData(other) || next.outputs[0] === undefined) break;
    node = next;
    out = next.outputs[0];
  }
  return node === undefined || out === undefined ? undefined : { out, node };
}

function layerOfScope(n: IndexedNode): number | undefined {
  const m = /(?:^|\/)layers\.(\d+)(?:\/|$)/.exec(GraphIndex.scope(n));
  return m === null ? undefined : Number(m[1]);
}

function describeCandidates(g: GraphIndex, adds: readonly ResidualAdd[]): string {
  const lines: string[] = [];
  for (const a of adds) {
    lines.push(`  residual Add ${label(a.node)}: ${a.skip} + [${a.viaConv ? 'conv' : ''}${a.viaConv && a.viaMatMul ? '+' : ''}${a.viaMatMul ? 'matmul' : ''} branch] -> ${a.out}`);
  }
  for (const n of g.nodes) {
    if (lines.length >= 40) break;
    if (n.opType === 'LayerNormalization' || n.opType === 'SkipLayerNormalization') lines.push(`  ${n.opType} ${label(n)} -> ${n.outputs[0] ?? '?'}`);
  }
  if (lines.length === 0) lines.push('  (no residual Adds or LayerNorms found)');
  return lines.join('\n');
}

function mapStructure(g: GraphIndex, what: string): Omit<LayerMap, 'source' | 'input' | 'conv' | 'local'> {
  const adds = residualAdds(g);
  const fail = (why: string): never => {
    throw new Error(`${what}: cannot map the encoder layers: ${why}\ncandidate tensors:\n${describeCandidates(g, adds)}`);
  };
  let layerAdds = adds;
  const first = adds[0];
  if (first !== undefined && first.viaConv && !first.viaMatMul) layerAdds = adds.slice(1);
  if (layerAdds.length < 2) fail(`found ${layerAdds.length} residual Adds with a weight (MatMul) branch; a transformer layer has two`);
  if (layerAdds.some((a) => !a.viaMatMul)) fail('a residual Add between transformer layers has no MatMul in its branch');
  if (layerAdds.length % 2 !== 0) fail(`found ${layerAdds.length} residual Adds; transformer layers come in pairs (attention, FFN)`);
  const L = layerAdds.length / 2;
  const attn = (j: number) => at(layerAdds, 2 * j);
  const ffnAdd = (j: number) => at(layerAdds, 2 * j + 1);

  const first0 = attn(0);
  const second0 = ffnAdd(0);
  const norm: 'post' | 'pre' =
    second0.skip === first0.out
      ? 'pre'
      : layerNormAfter(g, first0.out)?.out === second0.skip
        ? 'post'
        : fail(`layer 0's FFN residual reads ${second0.skip}, which is neither the attention residual ${first0.out} nor a LayerNorm of it`);

  const notes: string[] = [];
  const layerOut = (j: number): { tensor: string; how: string } | undefined => {
    const a = ffnAdd(j);
    if (norm === 'pre') return { tensor: a.out, how: `residual Add ${label(a.node)}` };
    const ln = layerNormAfter(g, a.out);
    return ln === undefined ? undefined : { tensor: ln.out, how: `LayerNorm ${label(ln.node)} after residual Add ${label(a.node)}` };
  };
  for (let j = 0; j < L; j++) {
    const a1 = attn(j);
    const a2 = ffnAdd(j);
    const mid = norm === 'pre' ? a1.out : layerNormAfter(g, a1.out)?.out;
    if (a2.skip !== mid) fail(`layer ${j}'s FFN residual reads ${a2.skip}, expected ${mid ?? `a LayerNorm of ${a1.out}`} (${norm}-LN)`);
    if (j > 0) {
      const prev = layerOut(j - 1);
      if (prev === undefined || prev.tensor !== a1.skip) {
        fail(`layer ${j} reads ${a1.skip} but layer ${j - 1} ends in ${prev?.tensor ?? `no LayerNorm after ${ffnAdd(j - 1).out}`}`);
      }
    }
    for (const a of [a1, a2]) {
      const s = layerOfScope(a.node);
      if (s !== undefined && s !== j) notes.push(`residual Add ${label(a.node)} is scoped to layer ${s} but is layer ${j} by structure`);
    }
  }

  const hidden: MappedTensor[] = [];
  const pos = adds[0] !== undefined && adds[0] !== attn(0) ? adds[0] : undefined;
  hidden.push({
    name: 'hidden.0',
    tensor: attn(0).skip,
    channelsFirst: false,
    how: `input of layer 0 (${pos === undefined ? 'no positional conv found' : `after positional conv Add ${label(pos.node)}`}${norm === 'post' ? ' and the encoder LayerNorm' : ''})`,
  });
  for (let j = 1; j < L; j++) {
    const o = layerOut(j - 1) as { tensor: string; how: string };
    hidden.push({ name: `hidden.${j}`, tensor: o.tensor, channelsFirst: false, how: o.how });
  }
  const lastAdd = ffnAdd(L - 1);
  const lastNorm = layerNormAfter(g, lastAdd.out);
  if (lastNorm !== undefined) {
    hidden.push({
      name: `hidden.${L}`,
      tensor: lastNorm.out,
      channelsFirst: false,
      how: `${norm === 'pre' ? 'final encoder ' : ''}LayerNorm ${label(lastNorm.node)} after residual Add ${label(lastAdd.node)}`,
    });
  } else if (norm === 'pre') {
    notes.push('no final encoder LayerNorm after the last layer; the last hidden state is the raw residual stream');
    hidden.push({ name: `hidden.${L}`, tensor: lastAdd.out, channelsFirst: false, how: `residual Add ${label(lastAdd.node)}` });
  } else {
    fail(`no LayerNorm after the last layer's residual Add ${label(lastAdd.node)} in a post-LN model`);
  }

  const ffn: MappedTensor[] = [];
  for (let j = 0; j < L; j++) {
    const f = ffnActivation(g, ffnAdd(j), attn(j));
    if (f === undefined) notes.push(`layer ${j + 1}: no FFN activation found`);
    else ffn.push({ name: `ffn.${j + 1}`, tensor: f.tensor, channelsFirst: false, how: `input of the FFN output MatMul ${label(f.node)}` });
  }
  return { norm, numLayers: L, hidden, ffn, notes };
}

/** The FFN activation of a layer: the float input of the nearest weight MatMul on the FFN branch. */
function ffnActivation(g: GraphIndex, add: ResidualAdd, attnAdd: ResidualAdd): { tensor: string; node: IndexedNode } | undefined {
  const floor = g.producer(attnAdd.out)?.index ?? -1;
  const start = g.producer(add.branch);
  if (start === undefined) return undefined;
  const queue: IndexedNode[] = [start];
  const seen = new Set<number>([start.index]);
  while (queue.length > 0) {
    const n = queue.shift() as IndexedNode;
    if (MATMUL_OPS.has(n.opType) && n.opType !== 'Attention' && n.opType !== 'MultiHeadAttention') {
      const x = n.inputs[0];
      if (x === undefined || !g.isData(x)) return undefined;
      return { tensor: g.floatSource(x), node: n };
    }
    for (const i of g.dataInputs(n)) {
      const p = g.producer(i);
      if (p !== undefined && p.index > floor && !seen.has(p.index)) {
        seen.add(p.index);
        queue.push(p);
      }
    }
  }
  return undefined;
}

/** Conv feature-encoder layers: the Convs that run before any weight MatMul, in graph order. */
function convLayers(g: GraphIndex): { local: MappedTensor[]; geometry: ConvGeometry | undefined; notes: string[] } {
  const afterMatMul = new Set<string>();
  const convs: IndexedNode[] = [];
  for (const n of g.nodes) {
    const late = MATMUL_OPS.has(n.opType) || n.inputs.some((t) => afterMatMul.has(t));
    if (late) for (const o of n.outputs) afterMatMul.add(o);
    else if (CONV_OPS.has(n.opType) && n.inputs[0] !== undefined && g.isData(n.inputs[0])) convs.push(n);
  }
  if (convs.length === 0) return { local: [], geometry: undefined, notes: [] };
  const kernels: number[] = [];
  const strides: number[] = [];
  const pads: number[] = [];
  for (const c of convs) {
    const k = GraphIndex.ints(c, 'kernel_shape');
    const s = GraphIndex.ints(c, 'strides');
    const p = GraphIndex.ints(c, 'pads');
    if (k === undefined || k.length !== 1) return { local: [], geometry: undefined, notes: [`conv ${label(c)} is not a 1-D conv with a kernel_shape`] };
    kernels.push(atNum(k, 0));
    strides.push(s?.[0] ?? 1);
    pads.push(p === undefined ? 0 : p.reduce((a, b) => a + b, 0));
  }
  const geometry: ConvGeometry = { kernels, strides, pads };
  const local: MappedTensor[] = [];
  for (let k = 0; k + 1 < convs.length; k++) {
    const next = at(convs, k + 1);
    const t = g.floatSource(at(next.inputs, 0));
    local.push({ name: `local.${k + 1}`, tensor: t, channelsFirst: true, how: `input of conv ${label(next)}` });
  }
  const last = lastConvOutput(g, at(convs, convs.length - 1));
  if (last === undefined) {
    return { local: [], geometry, notes: ['could not find the end of the last conv layer (no transpose before the feature projection)'] };
  }
  local.push({ name: `local.${convs.length}`, tensor: last.tensor, channelsFirst: true, how: `input of ${label(last.node)} before the feature projection` });
  return { local, geometry, notes: [] };
}

/** The last conv layer ends where the `[batch, channels, frames]` to `[batch, frames, channels]` transpose starts. */
function lastConvOutput(g: GraphIndex, conv: IndexedNode): { tensor: string; node: IndexedNode } | undefined {
  const out = conv.outputs[0];
  if (out === undefined) return undefined;
  let projection: IndexedNode | undefined;
  const queue = [out];
  const seen = new Set<string>(queue);
  while (queue.length > 0 && projection === undefined) {
    const t = queue.shift() as string;
    for (const c of g.consumers(t)) {
      if (MATMUL_OPS.has(c.opType)) {
        projection = c;
        break;
      }
      for (const o of c.outputs) {
        if (o && g.isData(o) && !seen.has(o)) {
          seen.add(o);
          queue.push(o);
        }
      }
    }
  }
  const x = projection?.inputs[0];
  if (projection === undefined || x === undefined) return undefined;
  const start = g.producer(g.floatSource(x));
  if (start === undefined) return undefined;
  const back: IndexedNode[] = [start];
  const visited = new Set<number>([start.index]);
  while (back.length > 0) {
    const n = back.shift() as IndexedNode;
    if (n.opType === 'Transpose') {
      const perm = GraphIndex.ints(n, 'perm');
      const src = n.inputs[0];
      if (src !== undefined && (perm === undefined || perm.join(',') === '0,2,1')) return { tensor: src, node: n };
    }
    for (const i of g.dataInputs(n)) {
      const p = g.producer(i);
      if (p !== undefined && p.index > conv.index && !visited.has(p.index)) {
        visited.add(p.index);
        back.push(p);
      }
    }
  }
  return undefined;
}
