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
import { linkExternalData, readModelProto, writeModelProto, externalDataLocations } from '../onnx/readModelProto';
import { exposeLayersInModel } from './exposeLayersInModel';
import type { ExposeLayersOptions } from './ExposeLayersOptions';
import type { LayerMap } from './LayerMap';

/** What `exposeLayers` did: where each activation was found, the output names, linked external data. */
export interface ExposeLayersResult {
  /** Where each activation was found. */
  readonly map: LayerMap;
  /** The activation names the rewritten model outputs, hidden states first. */
  readonly names: readonly string[];
  /** External data files linked beside the output (empty when none were needed). */
  readonly linkedData: readonly string[];
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
