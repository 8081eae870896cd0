/**
 * Builds small ONNX graphs in TypeScript. Analysis kernels and SAE training express their heavy steps
 * (Gram products, blocked distances, top-k, Adam updates) as graphs built here and run by `backend/ort`.
 *
 * ```ts
 * const g = new GraphBuilder('gram');
 * const x = g.input('X', 'float32', ['n', 'd']);
 * g.output(g.op('MatMul', [x, g.op('Transpose', [x], { perm: ints([1, 0]) })]), 'G', 'float32', ['n', 'n']);
 * const bytes = g.toBytes();
 * ```
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import type { TensorDataMap, TensorType, TensorValue } from '../backend/ort';
import { at } from '../util/at';
import { writeFileAtomic } from '../util/writeFileAtomic';

const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

/** ONNX element type code of a layerwise tensor type. */
export function onnxDataType(type: TensorType): number {
  switch (type) {
    case 'float32':
      return DT.FLOAT;
    case 'float64':
      return DT.DOUBLE;
    case 'int64':
      return DT.INT64;
    case 'int32':
      return DT.INT32;
    case 'int8':
      return DT.INT8;
    case 'uint8':
      return DT.UINT8;
    case 'bool':
      return DT.BOOL;
  }
}

/** An attribute value, tagged so that ints and floats are never confused. */
export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: TensorValue };

export const int = (value: number): Attr => ({ kind: 'int', value });
export const float = (value: number): Attr => ({ kind: 'float', value });
export const ints = (value: readonly number[]): Attr => ({ kind: 'ints', value });
export const floats = (value: readonly number[]): Attr => ({ kind: 'floats', value });
export const str = (value: string): Attr => ({ kind: 'string', value });
export const tensorAttr = (value: TensorValue): Attr => ({ kind: 'tensor', value });

/** Encode a TensorValue as an ONNX TensorProto (raw little-endian bytes). */
export function toTensorProto(name: string, t: TensorValue): onnx.ITensorProto {
  const data = t.data as TensorDataMap[TensorType];
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return { name, dims: [...t.dims], dataType: onnxDataType(t.type), rawData: raw };
}

function toAttribute(name: string, a: Attr): onnx.IAttributeProto {
  switch (a.kind) {
    case 'int':
      return { name, type: AT.INT, i: a.value };
    case 'float':
      return { name, type: AT.FLOAT, f: a.value };
    case 'ints':
      return { name, type: AT.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: AT.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: AT.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: AT.TENSOR, t: toTensorProto('', a.value) };
  }
}

function valueInfo(name: string, type: TensorType, shape: readonly (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxDataType(type),
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export interface OpOptions {
  /** Number of outputs the node produces (default 1). */
  outputs?: number;
  /** Operator domain (default the standard ONNX domain). */
  domain?: string;
  /**
   * Name of the node's output (single-output nodes only; default a fresh name). A value that is both a graph
   * output and read by later nodes, named here, needs no renaming Identity: onnxruntime keeps such an
   * Identity as a copy.
   */
  name?: string;
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  // Kept as values until the model is written; with `streamConstants`, large ones go to disk as they come and
  // only their external-data protos stay.
  private readonly initializers: ({ readonly name: string; readonly value: TensorValue } | { readonly name: string; readonly proto: onnx.ITensorProto })[] = [];
  private stream: { fd: number; tmp: string; dataFile: string; location: string; offset: number; minBytes: number } | undefined;
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string, readonly opset = 17) {}

  private fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`GraphBuilder(${this.name}): value name '${name}' is already used`);
    this.names.add(name);
    return name;
  }

  /** Declare a graph input; string dims are symbolic (any size at run time). */
  input(name: string, type: TensorType, shape: readonly (number | string)[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, shape));
    return name;
  }

  /** A constant stored in the graph. */
  constant(t: TensorValue, name?: string): string {
    const n = name === undefined ? this.fresh('const') : this.claim(name);
    const s = this.stream;
    if (s !== undefined && t.data.byteLength >= s.minBytes) this.initializers.push({ name: n, proto: this.writeExternal(s, n, t) });
    else this.initializers.push({ name: n, value: t });
    return n;
  }

  /**
   * From now on, write every constant of at least `minBytes` to `<file>.data` as it is declared, so that a
   * model built from a checkpoint never holds its graph's weights in memory (each weight is written and
   * dropped); `writeWithExternalData(file)` then finishes the model. `abandon()` removes the partial data.
   */
  streamConstants(file: string, minBytes = 1024): void {
    if (this.stream !== undefined) throw new Error(`GraphBuilder(${this.name}): constants already stream to ${this.stream.dataFile}`);
    const dataFile = `${file}.data`;
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const tmp = `${dataFile}.${process.pid}.tmp`;
    this.stream = { fd: fs.openSync(tmp, 'w'), tmp, dataFile, location: path.basename(dataFile), offset: 0, minBytes };
  }

  /** Give up a streamed model: close and remove its partial data file. */
  abandon(): void {
    const s = this.stream;
    if (s === undefined) return;
    this.stream = undefined;
    fs.closeSync(s.fd);
    fs.rmSync(s.tmp, { force: true });
  }

  /** Each tensor starts on a 4 KiB boundary, so onnxruntime can map it. */
  private writeExternal(s: { fd: number; location: string; offset: number }, name: string, value: TensorValue): onnx.ITensorProto {
    const data = value.data as TensorDataMap[TensorType];
    const start = Math.ceil(s.offset / 4096) * 4096;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(s.fd, bytes, done, bytes.length - done, start + done);
    s.offset = start + bytes.length;
    return {
      name,
      dims: [...value.dims],
      dataType: onnxDataType(value.type),
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: s.location },
        { key: 'offset', value: String(start) },
        { key: 'length', value: String(bytes.length) },
      ],
    };
  }

  /** A scalar or 1-D int64 constant (shapes, axes, k for TopK). */
  int64s(values: readonly number[], scalar = false): string {
    return this.constant({ type: 'int64', data: BigInt64Array.from(values.map((v) => BigInt(v))), dims: scalar ? [] : [values.length] });
  }

  /** A float32 (or float64) scalar constant. */
  scalar(value: number, type: 'float32' | 'float64' = 'float32'): string {
    const data = type === 'float32' ? Float32Array.of(value) : Float64Array.of(value);
    return this.constant(type === 'float32' ? { type, data: data as Float32Array, dims: [] } : { type, data: data as Float64Array, dims: [] });
  }

  /** Add a node with one output; returns the output's value name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, opts: OpOptions = {}): string {
    return at(this.opN(opType, inputs, attrs, { ...opts, outputs: 1 }), 0);
  }

  /** Add a node with several outputs; returns their value names. An empty input name means "omitted". */
  opN(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, opts: OpOptions = {}): string[] {
    for (const i of inputs) {
      if (i !== '' && !this.names.has(i)) throw new Error(`GraphBuilder(${this.name}): ${opType} reads unknown value '${i}'`);
    }
    const outs: string[] = [];
    if (opts.name !== undefined) {
      if ((opts.outputs ?? 1) !== 1) throw new Error(`GraphBuilder(${this.name}): ${opType} with ${opts.outputs} outputs cannot take one output name`);
      outs.push(this.claim(opts.name));
    } else {
      for (let k = 0; k < (opts.outputs ?? 1); k++) outs.push(this.fresh(opType.toLowerCase()));
    }
    this.nodes.push({
      opType,
      domain: opts.domain ?? '',
      name: this.fresh(`n_${opType}`),
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return outs;
  }

  /** Mark `value` as a graph output named `name` (an Identity node renames it when the names differ). */
  output(value: string, name: string, type: TensorType, shape: readonly (number | string)[]): string {
    let v = value;
    if (value !== name) {
      this.claim(name);
      this.nodes.push({ opType: 'Identity', name: this.fresh('n_Identity'), input: [value], output: [name] });
      v = name;
    }
    this.outputs.push(valueInfo(v, type, shape));
    return v;
  }

  /** The graph as an ONNX ModelProto (not for a builder whose constants stream to disk). */
  toModel(): onnx.IModelProto {
    if (this.stream !== undefined) throw new Error(`GraphBuilder(${this.name}): constants stream to ${this.stream.dataFile}; finish with writeWithExternalData`);
    return this.modelWith(this.initializers.map((i) => ('proto' in i ? i.proto : toTensorProto(i.name, i.value))));
  }

  private modelWith(initializer: onnx.ITensorProto[]): onnx.IModelProto {
    if (this.outputs.length === 0) throw new Error(`GraphBuilder(${this.name}): graph has no outputs`);
    const domains = new Set(this.nodes.map((n) => n.domain ?? '').filter((d) => d !== ''));
    return {
      irVersion: 8,
      producerName: 'layerwise',
      opsetImport: [{ domain: '', version: this.opset }, ...[...domains].map((domain) => ({ domain, version: 1 }))],
      graph: { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer },
    };
  }

  /**
   * Write the model to `file` with its larger constants in an external data file beside it (`<file>.data`,
   * the ONNX layout for weights), written straight from their arrays (or already streamed there, see
   * `streamConstants`): no second copy of the weights in memory, and models past protobuf's 2 GB limit work.
   * The data file is complete before the graph file appears (both written then renamed).
   * Returns the data file's path.
   */
  writeWithExternalData(file: string, minBytes = 1024): string {
    if (this.stream === undefined) this.streamConstants(file, minBytes);
    const s = this.stream;
    if (s === undefined || s.dataFile !== `${file}.data`) {
      this.abandon();
      throw new Error(`GraphBuilder(${this.name}): constants stream to ${s?.dataFile ?? '?'}, not beside ${file}`);
    }
    try {
      const protos = this.initializers.map((i) => ('proto' in i ? i.proto : i.value.data.byteLength >= s.minBytes ? this.writeExternal(s, i.name, i.value) : toTensorProto(i.name, i.value)));
      fs.fsyncSync(s.fd);
      fs.closeSync(s.fd);
      this.stream = undefined;
      fs.renameSync(s.tmp, s.dataFile);
      writeFileAtomic(file, onnx.ModelProto.encode(onnx.ModelProto.create(this.modelWith(protos))).finish());
    } catch (e) {
      this.abandon();
      throw e;
    }
    return s.dataFile;
  }

  /** Serialized model bytes, ready for `Session.create`. */
  toBytes(): Uint8Array {
    return onnx.ModelProto.encode(onnx.ModelProto.create(this.toModel())).finish();
  }
}
