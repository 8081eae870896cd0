import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtLayerMap } from '../model/build/builtModelGraph';
import { unfuseSkipLayerNorm } from '../model/unfuseSkipLayerNorm';
import { exposeLayers } from '../model/exposeLayers';
import { mapLayers } from '../model/mapLayers';
import type { LayerMap } from '../model/LayerMap';
import { resolveModelSource } from '../model/resolveModelSource';
import { readModelProto } from '../onnx/readModelProto';
import { parseArgs } from './parseArgs';

export const usage = `layerwise layers MODEL [--json]
  MODEL: an .onnx file, a checkpoint (model.safetensors, pytorch_model.bin) with its config.json, a folder
  holding either, or a hub repo id (as loadModel takes).
  List where each activation (hidden.<i> = Hugging Face hidden_states[i], the output of layer i;
  local.<i> = conv layer i, from 1; ffn.<i> = FFN activation inside layer i) sits in the ONNX graph (for a
  checkpoint: in the graph loadModel builds from it).
layerwise layers --expose IN OUT.onnx [--ffn 6[,7...]] [--no-local]
  Write a copy of IN whose graph outputs every hidden state and conv layer (and the FFN activations of the
  listed layers), named hidden.<i>, local.<i>, ffn.<i>. External data files are linked beside OUT.`;

function parseFfn(text: string | undefined): number[] {
  if (text === undefined) return [];
  return text.split(',').map((s) => {
    const t = s.trim();
    if (!/^\d+$/.test(t)) throw new Error(`--ffn: '${t}' is not a layer number (1..L; use e.g. --ffn 6 or --ffn 3,6)`);
    return Number(t);
  });
}

/** The mapping as text lines. */
export function describeLayerMap(map: LayerMap, file: string): string[] {
  const lines = [
    `${file}: ${map.numLayers} transformer layers (${map.norm === 'unknown' ? 'norm placement unknown' : `${map.norm}-LN`}), hidden states ${map.source === 'outputs' ? 'from the model outputs' : 'found by graph structure'}`,
  ];
  if (map.conv !== undefined) lines.push(`conv feature encoder: kernels [${map.conv.kernels.join(', ')}], strides [${map.conv.strides.join(', ')}]`);
  lines.push(`audio input: ${map.input}`);
  const width = Math.max(...[...map.hidden, ...map.local, ...map.ffn].map((m) => m.name.length));
  for (const m of [...map.hidden, ...map.local, ...map.ffn]) lines.push(`  ${m.name.padEnd(width)}  ${m.tensor}  (${m.how})`);
  for (const n of map.notes) lines.push(`note: ${n}`);
  return lines;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { strings: ['expose', 'ffn'], booleans: ['no-local', 'json'] });
  const input = args.strings['expose'];
  if (input !== undefined) {
    const output = args.positional[0];
    if (output === undefined || args.positional.length !== 1) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    const source = await resolveModelSource(input, {});
    if (source.kind === 'weights') throw new Error(`layers --expose: ${source.file} is a checkpoint; loadModel builds its graph with every layer exposed already`);
    const r = exposeLayers(source.file, output, { ffn: parseFfn(args.strings['ffn']), local: !args.booleans['no-local'] });
    process.stdout.write(`wrote ${output} with outputs ${r.names.join(', ')}\n`);
    for (const l of r.linkedData) process.stdout.write(`linked external data ${l}\n`);
    return 0;
  }
  const file = args.positional[0];
  if (file === undefined || args.positional.length !== 1 || args.strings['ffn'] !== undefined || args.booleans['no-local']) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const source = await resolveModelSource(file, {});
  const onnxPath = source.file;
  let map: LayerMap;
  if (source.kind === 'onnx') map = mapLayers(unfuseSkipLayerNorm(readModelProto(onnxPath), onnxPath), onnxPath);
  else {
    const config = source.configDirs.map((d) => path.join(d, 'config.json')).find((f) => fs.existsSync(f));
    if (config === undefined) throw new Error(`layers: ${onnxPath} is a checkpoint without a config.json beside it`);
    map = builtLayerMap(config, { ffn: [], local: true });
  }
  if (args.booleans['json']) process.stdout.write(`${JSON.stringify(map, null, 2)}\n`);
  else process.stdout.write(`${describeLayerMap(map, onnxPath).join('\n')}\n`);
  return 0;
}
