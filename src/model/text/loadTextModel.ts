/**
 * `loadTextModel(source)`: a BERT-family text encoder (BERT, RoBERTa) from a local folder, file, or a Hugging
 * Face-style repo id downloaded into the cache, with its tokenizer, ready to return every hidden state.
 *
 * Files are found as for speech models (`resolveModelSource`: `onnx/model.onnx` or `model.onnx`, else
 * `model.safetensors`, else `pytorch_model.bin`), plus `config.json` and `tokenizer.json` (the `tokenizers`
 * library's format, which @huggingface/tokenizers runs; `tokenizer_config.json` when present). A checkpoint is
 * built into a graph (`buildTextEncoderGraph`, cached beside it like the speech builds); an ONNX export (as
 * optimum writes it: `input_ids`, `attention_mask`, `token_type_ids` in, `last_hidden_state` out) gets every
 * hidden state exposed by the same structural mapping as speech exports (`exposeLayers`).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { Session } from '../../backend/ort';
import { decodeModelProto, externalDataLocations } from '../../onnx/readModelProto';
import { errorMessage } from '../../util/describeError';
import { cachedGraphBuild, readModelConfig } from '../build/cachedGraphBuild';
import { readJSONFile } from '../../util/jsonFile';
import { downloadHubFile, downloadOptionalHubFile } from '../../hub/downloadHubFile';
import { exposedGraph } from '../exposedGraphCache';
import { exposeLayersInModel } from '../exposeLayersInModel';
import { findConfigFile, resolveModelSource, type ModelSourceOptions } from '../resolveModelSource';
import { buildTextEncoderGraph } from './buildTextEncoderGraph';
import { readTextArchitecture, type TextArchitecture } from './textArchitecture';
import { TextModel, type TextGraphInputs } from './TextModel';

/** Options of `loadTextModel`; every field is optional. */
export interface LoadTextModelOptions extends ModelSourceOptions {
  /** Intra-op threads for onnxruntime (default: all cores). */
  threads?: number;
  /** Keep the built or layer-exposed graph beside the original file for the next load (default true). */
  cacheExposed?: boolean;
}

function loadTokenizer(file: string, configFile: string | undefined): Tokenizer {
  const json = readJSONFile(file, 'the tokenizer');
  const config = configFile === undefined ? {} : readJSONFile(configFile, 'the tokenizer config');
  if (typeof json !== 'object' || json === null || typeof config !== 'object' || config === null) throw new Error(`${file}: the tokenizer must be a JSON object`);
  try {
    return new Tokenizer(json, config);
  } catch (e) {
    throw new Error(`${file}: @huggingface/tokenizers cannot read this tokenizer (${errorMessage(e)})`);
  }
}

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids', 'position_ids']);

function graphInputs(names: readonly string[], file: string): TextGraphInputs {
  if (!names.includes('input_ids')) throw new Error(`${file}: the graph has no 'input_ids' input (inputs: ${names.join(', ')}); not a text encoder export`);
  const unknown = names.filter((n) => !KNOWN_INPUTS.has(n));
  if (unknown.length > 0) throw new Error(`${file}: the graph reads ${unknown.join(', ')}, which a text encoder's run does not provide (it feeds ${[...KNOWN_INPUTS].join(', ')})`);
  return { positionIds: names.includes('position_ids'), tokenTypeIds: names.includes('token_type_ids'), attentionMask: names.includes('attention_mask') };
}

/** Load a text encoder (see the file comment). */
export async function loadTextModel(source: string, opts: LoadTextModelOptions = {}): Promise<TextModel> {
  const src = await resolveModelSource(source, opts);
  if (src.hub !== undefined) {
    await downloadHubFile(src.hub.repo, 'config.json', opts);
    await downloadHubFile(src.hub.repo, 'tokenizer.json', opts);
    await downloadOptionalHubFile(src.hub.repo, 'tokenizer_config.json', opts);
  }
  const configFile = findConfigFile(src.configDirs, 'config.json');
  if (configFile === undefined) throw new Error(`${src.id}: no config.json beside ${src.file}; a text model needs it (layers, positions, vocabulary)`);
  const config = readModelConfig(configFile, 'a text model needs it');
  const arch: TextArchitecture = readTextArchitecture(config.json, configFile);
  const tokenizerFile = findConfigFile(src.configDirs, 'tokenizer.json');
  if (tokenizerFile === undefined) {
    throw new Error(`${src.id}: no tokenizer.json beside ${src.file}; save the tokenizer in the tokenizers library's format (tokenizer.save_pretrained writes it for fast tokenizers)`);
  }
  const tokenizer = loadTokenizer(tokenizerFile, findConfigFile(src.configDirs, 'tokenizer_config.json'));
  const cache = opts.cacheExposed ?? true;
  let runTarget: string | Uint8Array;
  let runPath: string;
  let hash: string;
  let cleanup = (): void => undefined;
  if (src.kind === 'weights') {
    const built = cachedGraphBuild(src.file, configFile, config.text, {
      family: arch.family,
      anchor: 'embeddings.word_embeddings.weight',
      encoderKeys: /^(embeddings|encoder)\./,
      suffix: '',
      cache,
      build: (w, g) => buildTextEncoderGraph(arch, w, g),
    });
    runTarget = built.runPath;
    runPath = built.runPath;
    hash = built.hash;
    cleanup = built.cleanup;
  } else {
    const bytes = fs.readFileSync(src.file);
    hash = crypto.createHash('sha256').update(bytes).digest('hex');
    const proto = decodeModelProto(bytes, src.file);
    const exposed = exposeLayersInModel(proto, { local: false }, src.file);
    if (exposed.map.numLayers !== arch.layers) {
      throw new Error(`${src.file}: the graph has ${exposed.map.numLayers} transformer layers by structure, ${configFile} says num_hidden_layers ${arch.layers}`);
    }
    const run = exposedGraph(src.file, hash, exposed.model, { local: false }, cache, externalDataLocations(proto).length > 0, bytes);
    runTarget = run.target;
    runPath = run.runPath;
  }
  let session: Session;
  try {
    session = await Session.create(runTarget, opts.threads === undefined ? {} : { threads: opts.threads });
  } finally {
    cleanup();
  }
  try {
    const inputs = graphInputs(session.inputNames, src.file);
    const info = {
      family: arch.family,
      layers: arch.layers,
      hidden: arch.hidden,
      maxTokens: arch.maxTokens,
      randomWeights: arch.randomWeights,
      caveat: arch.randomWeights ? 'random weights' : undefined,
      source: src.kind,
      file: src.file,
      runPath,
      configFile,
      tokenizerFile,
    };
    return new TextModel(src.id, hash, info, tokenizer, session, inputs, arch.firstPosition, arch.vocabSize);
  } catch (e) {
    await session.release();
    throw e;
  }
}
