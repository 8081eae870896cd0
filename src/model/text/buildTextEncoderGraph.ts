/**
 * The ONNX graph of a BERT-family encoder from its weights (transformers' BertModel / RobertaModel, key names
 * below the `bert.` / `roberta.` prefix): embeddings (word + position + token type, then LayerNorm) and post-LN
 * layers (`attention.self.{query,key,value}`, `attention.output.{dense,LayerNorm}`, `intermediate.dense`, GELU,
 * `output.{dense,LayerNorm}`). Inputs `input_ids`, `position_ids`, `token_type_ids` (int64 `[batch, tokens]`,
 * one unpadded sequence per row: no attention mask); outputs `hidden.0` (the embeddings' output, Hugging Face
 * `hidden_states[0]`) to `hidden.L`, each `[batch, tokens, hidden]`.
 */
import type { GraphBuilder } from '../../onnx/GraphBuilder';
import { int } from '../../onnx/GraphBuilder';
import type { CheckpointWeights } from '../build/CheckpointWeights';
import { EncoderGraph } from '../build/EncoderGraph';
import type { TextArchitecture } from './textArchitecture';

/** Writes the encoder into `g` (opset 17), taking every weight it uses from `w`. */
export function buildTextEncoderGraph(a: TextArchitecture, w: CheckpointWeights, g: GraphBuilder): void {
  const e = new EncoderGraph(g, w);
  const D = a.hidden;
  const ids = g.input('input_ids', 'int64', ['batch', 'tokens']);
  const positions = g.input('position_ids', 'int64', ['batch', 'tokens']);
  const types = g.input('token_type_ids', 'int64', ['batch', 'tokens']);
  const table = (name: string, rows: number, index: string): string => g.op('Gather', [e.weight(`embeddings.${name}.weight`, [rows, D]), index], { axis: int(0) });
  const summed = g.op('Add', [g.op('Add', [table('word_embeddings', a.vocabSize, ids), table('position_embeddings', a.maxPositions, positions)]), table('token_type_embeddings', a.typeVocab, types)]);
  let h = e.layerNorm(summed, 'embeddings.LayerNorm', D, a.layerNormEps);
  g.output(h, 'hidden.0', 'float32', ['batch', 'tokens', D]);
  const projections = { q: 'self.query', k: 'self.key', v: 'self.value', out: 'output.dense' };
  for (let i = 0; i < a.layers; i++) {
    const name = `encoder.layer.${i}`;
    const attn = e.attention(h, `${name}.attention`, D, a.heads, { projections });
    h = e.layerNorm(g.op('Add', [h, attn]), `${name}.attention.output.LayerNorm`, D, a.layerNormEps);
    const f = e.ffn(h, `${name}.intermediate.dense`, `${name}.output.dense`, D, a.intermediate);
    h = e.layerNorm(g.op('Add', [h, f.out]), `${name}.output.LayerNorm`, D, a.layerNormEps);
    g.output(h, `hidden.${i + 1}`, 'float32', ['batch', 'tokens', D]);
  }
}
