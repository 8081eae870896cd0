/**
 * Mean pooling inside the graph: for each exposed activation, its mean over frames and its shape as two more
 * outputs. A mean-pooled extraction then fetches `[batch, features]` per layer instead of every frame:
 * onnxruntime-node copies each fetched output into a new JavaScript array (13 x [499, 768] floats, 20 MB, per
 * 10 s clip of wav2vec2-base) and the mean then walks all of it again in JavaScript. onnxruntime computes every
 * output of a graph whether it is fetched or not, so the means cost every run one pass over the tensors they
 * average: nothing measurable for the transformer layers, but 15-20 % of a frame-level run of the bundled tiny
 * model for its conv layers (seven outputs of up to [1, 9599, 32] per 3 s clip, 2026-12-04). So only the
 * transformer layers get them (`meanPooledInGraph`); conv layers are averaged in JavaScript.
 */
import { onnx } from 'onnx-proto';

/** The output holding the mean over frames of activation `name`, `[batch, features]`. */
export function meanOutputName(name: string): string {
  return `layerwise/mean/${name}`;
}

/** The output holding the shape of activation `name`, int64 `[3]`: batch, frames, features. */
export function shapeOutputName(name: string): string {
  return `layerwise/shape/${name}`;
}

/** The activations among `names` that get their means in the graph: hidden states and FFN activations. */
export function meanPooledInGraph(names: readonly string[]): string[] {
  return names.filter((n) => !n.startsWith('local.'));
}

/** The opset of the default domain (ReduceMean takes its axes as an input from 18 on). */
function defaultOpset(model: onnx.IModelProto): number {
  for (const o of model.opsetImport ?? []) {
    if (o.domain === undefined || o.domain === null || o.domain === '' || o.domain === 'ai.onnx') return Number(o.version ?? 0);
  }
  return 0;
}

/**
 * `model` with the mean and the shape of each activation in `names` (float32 outputs `[batch, frames,
 * features]` of the graph) as further outputs. The input model is not modified.
 */
export function addMeanOutputs(model: onnx.IModelProto, names: readonly string[]): onnx.IModelProto {
  const graph = model.graph;
  if (graph === null || graph === undefined) return model;
  const nodes = [...(graph.node ?? [])];
  const outputs = [...(graph.output ?? [])];
  const initializer = [...(graph.initializer ?? [])];
  const axesAsInput = defaultOpset(model) >= 18;
  const axesName = 'layerwise/mean/axes';
  if (axesAsInput) initializer.push(onnx.TensorProto.create({ name: axesName, dataType: onnx.TensorProto.DataType.INT64, dims: [1], int64Data: [1] }));
  const floatType = onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.FLOAT }) });
  const int64Type = onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.INT64 }) });
  for (const name of names) {
    const mean = meanOutputName(name);
    const shape = shapeOutputName(name);
    nodes.push(
      onnx.NodeProto.create({
        name: mean,
        opType: 'ReduceMean',
        input: axesAsInput ? [name, axesName] : [name],
        output: [mean],
        attribute: [
          onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }),
          ...(axesAsInput ? [] : [onnx.AttributeProto.create({ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] })]),
        ],
      }),
      onnx.NodeProto.create({ name: shape, opType: 'Shape', input: [name], output: [shape] }),
    );
    outputs.push(onnx.ValueInfoProto.create({ name: mean, type: floatType }), onnx.ValueInfoProto.create({ name: shape, type: int64Type }));
  }
  return { ...model, graph: { ...graph, node: nodes, output: outputs, initializer } };
}
