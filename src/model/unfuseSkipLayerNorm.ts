/**
 * onnxruntime's transformer optimizer fuses each residual Add and the LayerNorm after it into one com.microsoft
 * `SkipLayerNormalization` (outputs: the normalised sum, mean, inverse std, and optionally the sum itself). The
 * residual stream a layer map needs then has no Add of its own, so such graphs are rewritten back into `Add`
 * (+ `Add` of the optional bias) and `LayerNormalization` before mapping: same arithmetic, and the tensors keep
 * their names (the sum takes the fused node's 4th output name when it has one). A fused node whose mean or
 * inverse-std output is read cannot be rewritten this way and is an error naming it.
 */
import { onnx } from 'onnx-proto';

/** The model with every SkipLayerNormalization split into Add + LayerNormalization (the same model when it has none). */
export function unfuseSkipLayerNorm(model: onnx.IModelProto, what = 'model'): onnx.IModelProto {
  const graph = model.graph;
  const nodes = graph?.node ?? [];
  if (graph === null || graph === undefined || !nodes.some((n) => n.opType === 'SkipLayerNormalization')) return model;
  const read = new Set<string>();
  for (const n of nodes) for (const i of n.input ?? []) read.add(i);
  for (const o of graph.output ?? []) read.add(o.name ?? '');
  const out: onnx.INodeProto[] = [];
  nodes.forEach((n, k) => {
    if (n.opType !== 'SkipLayerNormalization') {
      out.push(n);
      return;
    }
    const name = n.name ?? `SkipLayerNormalization_${k}`;
    const [input, skip, gamma, beta, bias] = n.input ?? [];
    const outputs = n.output ?? [];
    for (const o of [outputs[1], outputs[2]]) {
      if (o !== undefined && o !== '' && read.has(o)) throw new Error(`${what}: SkipLayerNormalization ${name} has its mean or inverse-std output '${o}' read; it cannot be split into Add + LayerNormalization`);
    }
    if (input === undefined || skip === undefined || gamma === undefined || outputs[0] === undefined) throw new Error(`${what}: SkipLayerNormalization ${name} lacks its input, skip, gamma or output`);
    const sum = outputs[3] !== undefined && outputs[3] !== '' ? outputs[3] : `${name}/layerwise/sum`;
    const eps = (n.attribute ?? []).find((a) => a.name === 'epsilon')?.f ?? 1e-12;
    const withBias = bias !== undefined && bias !== '';
    const raw = withBias ? `${name}/layerwise/skip_sum` : sum;
    out.push(onnx.NodeProto.create({ name: `${name}/layerwise/add`, opType: 'Add', input: [input, skip], output: [raw] }));
    if (withBias) out.push(onnx.NodeProto.create({ name: `${name}/layerwise/bias`, opType: 'Add', input: [raw, bias], output: [sum] }));
    out.push(
      onnx.NodeProto.create({
        name: `${name}/layerwise/layernorm`,
        opType: 'LayerNormalization',
        input: beta !== undefined && beta !== '' ? [sum, gamma, beta] : [sum, gamma],
        output: [outputs[0]],
        attribute: [
          onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }),
          onnx.AttributeProto.create({ name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: eps }),
        ],
      }),
    );
  });
  // LayerNormalization is a standard op from opset 17; onnxruntime also registers it for earlier opsets as its
  // own kernel, so the opset is left as it is (raising it would change other ops' signatures). Tested at opset 17.
  return onnx.ModelProto.create({ ...model, graph: onnx.GraphProto.create({ ...graph, node: out }) });
}
