/**
 * Rewrites an ONNX speech model so that every layer's activations are graph outputs, named like the
 * activation cache names them (layers numbered from 1; see `mapLayers`): `hidden.<i>` (Hugging Face
 * hidden_states[i], the output of layer i, `[batch, frames, hidden]`), `local.<i>` (conv feature-encoder
 * layer i, transposed to `[batch, frames, channels]`) and, on request, `ffn.<i>` (FFN activation inside
 * layer i, `[batch, frames, intermediate]`). Only nodes and outputs are added (and fused SkipLayerNormalizations
 * split back into Add + LayerNormalization, `unfuseSkipLayerNorm`);
 * the weights are untouched, so external data files keep working when the output sits beside them.
 * Every exposed tensor goes through a Cast to float32: in fp16 exports (transformers.js `model_fp16.onnx`, every
 * intermediate tensor float16) the layers are float16, and for float32 tensors the Cast is a copy, like the
 * Identity it replaces.
 */
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { linkExternalData, readModelProto, writeModelProto, externalDataLocations } from '../onnx/readModelProto';
import { mapLayers, type LayerMap, type MappedTensor } from './mapLayers';
import { unfuseSkipLayerNorm } from './unfuseSkipLayerNorm';

/** Options of `exposeLayers`: which activations besides the hidden states become graph outputs. */
export interface ExposeLayersOptions {
  /** Transformer layers (1..L, the layer whose output is `hidden.<i>`) whose FFN activation to expose as `ffn.<i>` (default none). */
  ffn?: readonly number[];
  /** Expose the conv feature-encoder outputs as `local.<i>` (default true). */
  local?: boolean;
}

/** What `exposeLayers` did: where each activation was found, the output names, linked external data. */
export interface ExposeLayersResult {
  /** Where each activation was found. */
  readonly map: LayerMap;
  /** The activation names the rewritten model outputs, hidden states first. */
  readonly names: readonly string[];
  /** External data files linked beside the output (empty when none were needed). */
  readonly linkedData: readonly string[];
}

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

/**
 * Read `inputOnnx`, expose its layers and write `outputOnnx`. External data files of the input are linked
 * (or copied) beside the output so that it loads.
 */
export function exposeLayers(inputOnnx: string, outputOnnx: string, opts: ExposeLayersOptions = {}): ExposeLayersResult {
  if (path.resolve(inputOnnx) === path.resolve(outputOnnx)) {
    throw new Error(`exposeLayers: output ${outputOnnx} would overwrite the input model; choose another path`);
  }
  const model = readModelProto(inputOnnx);
  const { model: exposed, map, names } = exposeLayersInModel(model, opts, inputOnnx);
  const linkedData = externalDataLocations(model).length > 0 ? linkExternalData(model, inputOnnx, outputOnnx) : [];
  writeModelProto(exposed, outputOnnx);
  return { map, names, linkedData };
}
