/**
 * The in-memory half of `exposeLayers`: a decoded ONNX model with the selected activations added as graph
 * outputs (cast to float32), for `exposeLayers` and for the loaders that expose a model on the fly.
 */
import { onnx } from 'onnx-proto';
import type { ExposeLayersOptions } from './ExposeLayersOptions';
import type { LayerMap, MappedTensor } from './LayerMap';
import { mapLayers } from './mapLayers';
import { unfuseSkipLayerNorm } from './unfuseSkipLayerNorm';

/** The activations a model exposes under `opts`, checked against what the mapping found. */
function selectTensors(map: LayerMap, opts: ExposeLayersOptions, what: string): MappedTensor[] {
  const picked: MappedTensor[] = [...map.hidden];
  if (opts.local ?? true) picked.push(...map.local);
  for (const i of [...new Set(opts.ffn ?? [])].sort((a, b) => a - b)) {
    if (!Number.isInteger(i) || i < 1 || i > map.numLayers) {
      throw new Error(`${what}: ffn layer ${i} does not exist; the model has transformer layers 1..${map.numLayers} (layer i outputs hidden.<i>)`);
    }
    const f = map.ffn.find((m) => m.name === `ffn.${i}`);
    if (f === undefined) throw new Error(`${what}: no FFN activation was found in layer ${i}; found: ${map.ffn.map((m) => m.name).join(', ') || 'none'}`);
    picked.push(f);
  }
  return picked;
}

/**
 * Add the selected activations as graph outputs of a decoded model. The input model is not modified: the
 * result shares its weights and copies only the lists it extends.
 */
export function exposeLayersInModel(
  model: onnx.IModelProto,
  opts: ExposeLayersOptions = {},
  what = 'model',
): { model: onnx.ModelProto; map: LayerMap; names: string[] } {
  // ORT-fused graphs hide the residual stream inside SkipLayerNormalization: split those back first.
  const source = unfuseSkipLayerNorm(model, what);
  const map = mapLayers(source, what);
  const graph = source.graph as onnx.IGraphProto;
  const outputs = [...(graph.output ?? [])];
  const nodes = [...(graph.node ?? [])];
  const existing = new Set(outputs.map((o) => o.name ?? ''));
  const names: string[] = [];
  for (const m of selectTensors(map, opts, what)) {
    names.push(m.name);
    if (existing.has(m.name)) continue;
    let source = m.tensor;
    if (m.channelsFirst) {
      source = `layerwise/expose/${m.name}/transposed`;
      nodes.push(
        onnx.NodeProto.create({
          name: `layerwise/expose/${m.name}/transpose`,
          opType: 'Transpose',
          input: [m.tensor],
          output: [source],
          attribute: [onnx.AttributeProto.create({ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] })],
        }),
      );
    }
    nodes.push(
      onnx.NodeProto.create({
        name: `layerwise/expose/${m.name}`,
        opType: 'Cast',
        input: [source],
        output: [m.name],
        attribute: [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT })],
      }),
    );
    outputs.push(
      onnx.ValueInfoProto.create({
        name: m.name,
        type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.FLOAT }) }),
      }),
    );
    existing.add(m.name);
  }
  const newGraph = onnx.GraphProto.create({ ...graph, node: nodes, output: outputs });
  return { model: onnx.ModelProto.create({ ...source, graph: newGraph }), map, names };
}
