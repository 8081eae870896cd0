/**
 * A read-only index over an ONNX graph for structural queries: who produces and who consumes each tensor,
 * which tensors are constants, which depend on the audio (data) rather than only on shapes, and the
 * module scope torch.onnx writes into node names (`/wav2vec2/encoder/layers.3/final_layer_norm/Add_1`).
 */
import type { onnx } from 'onnx-proto';
import { at } from '../util/at';

/** Ops whose output depends only on their input's shape, never its values. */
const SHAPE_ONLY_OPS: ReadonlySet<string> = new Set(['Shape', 'Size']);

/** Ops that multiply by learned weights (plain, fused and quantized forms). */
export const MATMUL_OPS: ReadonlySet<string> = new Set([
  'MatMul', 'Gemm', 'MatMulInteger', 'FusedMatMul', 'QLinearMatMul', 'DynamicQuantizeMatMul', 'MatMulIntegerToFloat',
  // 4-bit weight MatMuls of com.microsoft (the transformers.js `_q4` and `_bnb4` exports).
  'MatMulNBits', 'MatMulBnb4',
  'Attention', 'MultiHeadAttention',
]);
export const CONV_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvInteger', 'QLinearConv']);
/** Ops that only (de)quantize a tensor: layer boundaries are looked for on the float side of them. */
export const QUANT_OPS: ReadonlySet<string> = new Set(['DynamicQuantizeLinear', 'QuantizeLinear', 'DequantizeLinear']);

function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

export interface IndexedNode {
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly proto: onnx.INodeProto;
}

export class GraphIndex {
  readonly nodes: readonly IndexedNode[];
  private readonly producerOf = new Map<string, number>();
  private readonly consumersOf = new Map<string, number[]>();
  readonly initializers: ReadonlySet<string>;
  /** Graph inputs that are fed at run time (not initializers). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  private readonly data = new Set<string>();
  private readonly mainData = new Set<string>();

  constructor(graph: onnx.IGraphProto, what = 'model') {
    const init = new Set<string>();
    for (const t of graph.initializer ?? []) if (t.name) init.add(t.name);
    this.initializers = init;
    this.inputs = (graph.input ?? []).map((v) => v.name ?? '').filter((n) => n !== '' && !init.has(n));
    this.outputs = (graph.output ?? []).map((v) => v.name ?? '');
    this.nodes = sortTopologically(
      (graph.node ?? []).map((proto, i) => ({
        index: i,
        name: proto.name ?? '',
        opType: proto.opType ?? '',
        inputs: proto.input ?? [],
        outputs: proto.output ?? [],
        proto,
      })),
      new Set([...init, ...this.inputs]),
      what,
    );
    this.nodes.forEach((n, i) => {
      for (const o of n.outputs) if (o) this.producerOf.set(o, i);
      for (const t of n.inputs) {
        if (!t) continue;
        const list = this.consumersOf.get(t);
        if (list === undefined) this.consumersOf.set(t, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    });
    for (const t of this.inputs) this.data.add(t);
    const first = this.inputs[0];
    if (first !== undefined) this.mainData.add(first);
    for (const n of this.nodes) {
      if (SHAPE_ONLY_OPS.has(n.opType) || n.opType === 'Constant') continue;
      if (n.inputs.some((t) => this.data.has(t))) for (const o of n.outputs) if (o) this.data.add(o);
      if (n.inputs.some((t) => this.mainData.has(t))) for (const o of n.outputs) if (o) this.mainData.add(o);
    }
  }

  /** The node producing `tensor` (undefined for graph inputs and initializers). */
  producer(tensor: string): IndexedNode | undefined {
    const i = this.producerOf.get(tensor);
    return i === undefined ? undefined : this.nodes[i];
  }

  /** Nodes reading `tensor`, in graph order. */
  consumers(tensor: string): IndexedNode[] {
    return (this.consumersOf.get(tensor) ?? []).map((i) => at(this.nodes, i));
  }

  /** Whether the tensor's values depend on the audio (not a weight, constant or shape computation). */
  isData(tensor: string): boolean {
    return this.data.has(tensor);
  }

  /**
   * Whether the tensor's values depend on the first graph input (the audio, or a text model's token ids), not
   * only on the others: a text export's attention mask is data, but no residual stream runs through it.
   */
  isMainData(tensor: string): boolean {
    return this.mainData.has(tensor);
  }

  has(tensor: string): boolean {
    return this.producerOf.has(tensor) || this.initializers.has(tensor) || this.inputs.includes(tensor);
  }

  /** The data inputs of a node (audio-dependent, non-empty names). */
  dataInputs(node: IndexedNode): string[] {
    return node.inputs.filter((t) => t !== '' && this.data.has(t));
  }

  /** Step back over (de)quantize nodes to the float tensor they were computed from. */
  floatSource(tensor: string): string {
    let t = tensor;
    for (let guard = 0; guard < 8; guard++) {
      const p = this.producer(t);
      if (p === undefined || !QUANT_OPS.has(p.opType)) return t;
      t = p.inputs[0] ?? t;
    }
    return t;
  }

  /** The module scope of a node from torch.onnx's scoped name: `/a/b.3/c/Add_1` gives `a/b.3/c`. */
  static scope(node: IndexedNode): string {
    if (!node.name.startsWith('/')) return '';
    const parts = node.name.slice(1).split('/');
    parts.pop();
    return parts.join('/');
  }

  /** An integer-list attribute (`kernel_shape`, `strides`, `perm`). */
  static ints(node: IndexedNode, name: string): number[] | undefined {
    const a = (node.proto.attribute ?? []).find((x) => x.name === name);
    if (a === undefined || a.ints === null || a.ints === undefined) return undefined;
    return a.ints.map(toNumber);
  }
}

function sortTopologically(nodes: IndexedNode[], available: Set<string>, what: string): IndexedNode[] {
  const known = new Set(available);
  let sorted = true;
  for (const n of nodes) {
    if (n.inputs.some((t) => t !== '' && !known.has(t))) {
      sorted = false;
      break;
    }
    for (const o of n.outputs) known.add(o);
  }
  if (sorted) return nodes.map((n, i) => ({ ...n, index: i }));
  // ONNX requires topological order, but some tools write graphs that are not; sort them (Kahn's algorithm).
  const producedBy = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producedBy.set(o, i)));
  const pending = nodes.map((n) => new Set(n.inputs.filter((t) => t !== '' && producedBy.has(t)).map((t) => producedBy.get(t) as number)));
  const users = nodes.map(() => [] as number[]);
  pending.forEach((deps, i) => deps.forEach((d) => at(users, d).push(i)));
  const ready = pending.map((d, i) => (d.size === 0 ? i : -1)).filter((i) => i >= 0);
  const out: IndexedNode[] = [];
  while (ready.length > 0) {
    const i = ready.shift() as number;
    out.push({ ...at(nodes, i), index: out.length });
    for (const u of at(users, i)) {
      const deps = pending[u] as Set<number>;
      deps.delete(i);
      if (deps.size === 0) ready.push(u);
    }
  }
  if (out.length !== nodes.length) throw new Error(`${what}: the ONNX graph has a cycle`);
  return out;
}
