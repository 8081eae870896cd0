/**
 * The structural layer mapping: checked against torch.onnx's scoped node names (which the mapping does not
 * use to decide), against anonymised copies of the graphs (no names at all), against the int8-quantized
 * export, and on graphs it must refuse.
 */
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { GraphBuilder, ints } from '../../src/onnx/GraphBuilder';
import { GraphIndex } from '../../src/onnx/GraphIndex';
import { readModelProto } from '../../src/onnx/readModelProto';
import { mapLayers } from '../../src/model/mapLayers';
import type { LayerMap } from '../../src/model/LayerMap';
import { FIXTURES, refIndex } from './modelFixtures';

const load = (model: string, file = 'model.onnx') => readModelProto(path.join(FIXTURES, model, file));

/** The producing node's name of every mapped tensor. */
function producers(model: onnx.IModelProto, map: LayerMap): Record<string, string> {
  const g = new GraphIndex(model.graph as onnx.IGraphProto);
  const out: Record<string, string> = {};
  for (const m of [...map.hidden, ...map.local, ...map.ffn]) out[m.name] = g.producer(m.tensor)?.name ?? '(input)';
  return out;
}

test('hidden states, conv layers and FFN activations sit in the modules transformers names', () => {
  const expected: Record<string, { prefix: string; layers: string; post: boolean }> = {
    w2v2_postln: { prefix: '/wav2vec2/', layers: 'encoder/layers', post: true },
    hubert: { prefix: '/hubert/', layers: 'encoder/layers', post: true },
    w2v2_preln: { prefix: '/', layers: 'encoder/layers', post: false },
    torchaudio: { prefix: '/', layers: 'encoder/transformer/layers', post: true },
  };
  for (const [model, e] of Object.entries(expected)) {
    const proto = load(model);
    const map = mapLayers(proto, model);
    const info = refIndex().models[model];
    if (info === undefined) throw new Error(model);
    expect(map.numLayers).toBe(info.layers);
    expect(map.norm).toBe(e.post ? 'post' : 'pre');
    expect(map.conv).toEqual({ kernels: [10, 3, 3, 3, 3, 2, 2], strides: [5, 2, 2, 2, 2, 2, 2], pads: [0, 0, 0, 0, 0, 0, 0] });
    const p = producers(proto, map);
    const enc = e.layers.replace(/\/layers$/, '');
    // hidden.0: the encoder LayerNorm (post-LN) or the positional-embedding Add (pre-LN)
    expect(p['hidden.0']).toMatch(new RegExp(`^${e.prefix}${enc}/${e.post ? 'layer_norm/' : 'Add'}`));
    for (let i = 1; i < info.layers; i++) {
      expect(p[`hidden.${i}`]).toMatch(new RegExp(`^${e.prefix}${e.layers}\\.${i - 1}/${e.post ? 'final_layer_norm/' : 'Add_1$'}`));
    }
    const last = e.post ? `${e.layers}\\.${info.layers - 1}/final_layer_norm/` : `${enc}/layer_norm/`;
    expect(p[`hidden.${info.layers}`]).toMatch(new RegExp(`^${e.prefix}${last}`));
    for (let i = 0; i < info.convLayers; i++) expect(p[`local.${i + 1}`]).toMatch(new RegExp(`^${e.prefix}feature_extractor/conv_layers\\.${i}/`));
    for (let i = 0; i < info.layers; i++) expect(p[`ffn.${i + 1}`]).toMatch(new RegExp(`^${e.prefix}${e.layers}\\.${i}/feed_forward/`));
  }
});

/** A copy of the model with every node unnamed and every intermediate tensor renamed `t<k>`. */
function anonymise(model: onnx.ModelProto): onnx.ModelProto {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const graph = copy.graph as onnx.GraphProto;
  const keep = new Set<string>([...graph.input, ...graph.output, ...graph.initializer].map((v) => v.name ?? ''));
  const rename = new Map<string, string>();
  const to = (t: string) => {
    if (t === '' || keep.has(t)) return t;
    let r = rename.get(t);
    if (r === undefined) rename.set(t, (r = `t${rename.size}`));
    return r;
  };
  for (const n of graph.node) {
    n.name = '';
    n.input = (n.input ?? []).map(to);
    n.output = (n.output ?? []).map(to);
  }
  graph.valueInfo = [];
  return copy;
}

test.each(['w2v2_postln', 'hubert', 'w2v2_preln', 'torchaudio'])('%s: names play no part in the mapping (anonymised graph maps to the same nodes)', (model) => {
  const proto = load(model);
  const anon = anonymise(proto);
  const a = mapLayers(proto, model);
  const b = mapLayers(anon, model);
  const index = (m: onnx.IModelProto, map: LayerMap) => {
    const g = new GraphIndex(m.graph as onnx.IGraphProto);
    return [...map.hidden, ...map.local, ...map.ffn].map((t) => `${t.name}@${g.producer(t.tensor)?.index ?? -1}`);
  };
  expect(new Set(anon.graph?.node?.map((n) => n.name))).toEqual(new Set(['']));
  expect(index(anon, b)).toEqual(index(proto, a));
  expect(b.norm).toBe(a.norm);
});

test('the int8 dynamically quantized export maps to the same float tensors as its fp32 export', () => {
  const fp = load('w2v2_postln');
  const q = load('w2v2_postln', 'model_quantized.onnx');
  const ops = new Set(q.graph?.node?.map((n) => n.opType));
  for (const op of ['MatMulInteger', 'ConvInteger', 'DynamicQuantizeLinear']) expect(ops.has(op)).toBe(true);
  const weights = new Set(q.graph?.initializer?.map((t) => t.name));
  expect(q.graph?.node?.filter((n) => n.opType === 'MatMul' && weights.has(n.input?.[1] ?? ''))).toEqual([]);
  const a = mapLayers(fp, 'fp32');
  const b = mapLayers(q, 'int8');
  const tensors = (m: LayerMap) => [...m.hidden, ...m.local, ...m.ffn].map((t) => `${t.name}=${t.tensor}`);
  expect(tensors(b)).toEqual(tensors(a));
});

test('a model that outputs every hidden state keeps its outputs; local and FFN still come from the graph', () => {
  const map = mapLayers(load('hubert', 'model_all_hidden.onnx'), 'hubert');
  expect(map.source).toBe('outputs');
  expect(map.hidden.map((h) => h.tensor)).toEqual(['hidden_states.0', 'hidden_states.1', 'hidden_states.2']);
  expect(map.local).toHaveLength(7);
  expect(map.ffn.map((f) => f.name)).toEqual(['ffn.1', 'ffn.2']);
});

test('a graph without transformer layers is refused with the candidate tensors listed', () => {
  const g = new GraphBuilder('not-a-speech-model');
  const x = g.input('x', 'float32', [1, 'n', 4]);
  const w = g.constant({ type: 'float32', data: new Float32Array(16).fill(0.5), dims: [4, 4] });
  const h = g.op('MatMul', [x, w]);
  // one residual block only: a transformer layer needs two
  const r = g.op('Add', [x, h]);
  g.output(g.op('Transpose', [r], { perm: ints([0, 2, 1]) }), 'y', 'float32', [1, 4, 'n']);
  const model = onnx.ModelProto.decode(g.toBytes());
  expect(() => mapLayers(model, 'toy.onnx')).toThrow(/toy\.onnx: cannot map the encoder layers: found 1 residual Adds[\s\S]*candidate tensors:\n {2}residual Add n_Add_\d+: x \+ \[matmul branch\]/);
});

test('an unrecognised layer structure is refused, naming the tensors involved', () => {
  // Two residual blocks whose second block does not read the first one's output (or a LayerNorm of it).
  const g = new GraphBuilder('odd');
  const x = g.input('x', 'float32', [1, 'n', 4]);
  const w = g.constant({ type: 'float32', data: new Float32Array(16).fill(0.25), dims: [4, 4] });
  const a = g.op('Add', [x, g.op('MatMul', [x, w])]);
  const y = g.op('Relu', [a]);
  const b = g.op('Add', [y, g.op('MatMul', [y, w])]);
  g.output(b, 'y', 'float32', [1, 'n', 4]);
  expect(() => mapLayers(onnx.ModelProto.decode(g.toBytes()), 'odd.onnx')).toThrow(/odd\.onnx: cannot map the encoder layers: layer 0's FFN residual reads relu_\d+, which is neither the attention residual add_\d+ nor a LayerNorm of it/);
});
