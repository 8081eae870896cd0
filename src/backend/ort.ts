/**
 * The only module that imports onnxruntime-node. Everything else (speech models, analysis kernels, SAE
 * training) talks to the runtime through `Session` and plain `TensorValue`s, so the runtime can be swapped
 * or upgraded in one place (as transformers.js keeps its runtime behind one backend file).
 */
import * as ort from 'onnxruntime-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorMessage } from '../util/describeError';

/** Element types we move across the runtime boundary. */
export type TensorType = 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export interface TensorDataMap {
  float32: Float32Array;
  float64: Float64Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

/** A tensor as plain data: row-major `data` with shape `dims`. */
export interface TensorValue<T extends TensorType = TensorType> {
  readonly type: T;
  readonly data: TensorDataMap[T];
  readonly dims: readonly number[];
}

/** Metadata of a graph input or output as the runtime reports it (symbolic dims are strings). */
export interface ValueInfo {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

export interface SessionOptions {
  /** Intra-op threads (default: all cores the process may use). */
  threads?: number;
  /** Graph optimisation level (default 'all'). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Where the graph runs: 'cpu' (default) or 'cuda' (onnxruntime's CUDA execution provider, GPU `deviceId`,
   * default 0). CUDA needs onnxruntime-node's CUDA build; `cudaProviderLibrary()` tells whether it is installed.
   */
  device?: 'cpu' | 'cuda';
  deviceId?: number;
  /**
   * Write onnxruntime's per-node profile (Chrome trace JSON) to a file whose name starts with this prefix;
   * `endProfiling` finishes it. For benchmarks that need to know where a graph's time goes.
   */
  profilePrefix?: string;
}

/** The CUDA provider library of the installed onnxruntime-node, or why there is none. */
export function cudaProviderLibrary(): { path: string } | { missing: string } {
  const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const ext = process.platform === 'win32' ? 'dll' : 'so';
  const lib = path.join(root, 'bin', 'napi-v6', process.platform, process.arch, `${process.platform === 'win32' ? '' : 'lib'}onnxruntime_providers_cuda.${ext}`);
  if (process.platform !== 'linux' && process.platform !== 'win32') return { missing: `onnxruntime has no CUDA build for ${process.platform}` };
  return fs.existsSync(lib) ? { path: lib } : { missing: `${lib} is not installed` };
}

const CUDA_INSTALL =
  "install onnxruntime-node's CUDA build with `npm install onnxruntime-node --onnxruntime-node-install=cuda12` " +
  '(it downloads the CUDA provider; the machine needs an NVIDIA driver, CUDA 12 and cuDNN 9), or leave the device at cpu';

/** The default thread count: every core this process may use. */
export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Build a TensorValue, checking that data length and dims agree. */
export function tensor<T extends TensorType>(type: T, data: TensorDataMap[T], dims: readonly number[]): TensorValue<T> {
  const n = elementCount(dims);
  if (data.length !== n) throw new Error(`tensor: ${data.length} values do not fill shape [${dims.join(', ')}] (${n})`);
  return { type, data, dims: [...dims] };
}

function toOrt(v: TensorValue): ort.Tensor {
  return new ort.Tensor(v.type, v.data, v.dims);
}

const supported: ReadonlySet<string> = new Set(['float32', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool']);

function fromOrt(name: string, t: ort.Tensor): TensorValue {
  if (!supported.has(t.type)) throw new Error(`output '${name}' has element type ${t.type}, which layerwise does not read`);
  // onnxruntime-node hands CPU outputs back as JS-owned typed arrays, so no copy is needed.
  return { type: t.type as TensorType, data: t.data as TensorDataMap[TensorType], dims: [...t.dims] };
}

function metadata(list: readonly ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return list.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

/** An inference session over one ONNX graph. */
export class Session {
  private constructor(
    private readonly inner: ort.InferenceSession,
    readonly inputs: readonly ValueInfo[],
    readonly outputs: readonly ValueInfo[],
  ) {}

  /** Load a graph from bytes or a file path. */
  static async create(model: Uint8Array | string, opts: SessionOptions = {}): Promise<Session> {
    const device = opts.device ?? 'cpu';
    if (device !== 'cpu' && device !== 'cuda') throw new Error(`device must be 'cpu' or 'cuda', got '${String(device)}'`);
    if (device === 'cuda') {
      const lib = cudaProviderLibrary();
      if ('missing' in lib) throw new Error(`device 'cuda': ${lib.missing}; ${CUDA_INSTALL}`);
    }
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: opts.threads ?? defaultThreads(),
      interOpNumThreads: 1,
      graphOptimizationLevel: opts.optimization ?? 'all',
      executionMode: 'sequential',
      logSeverityLevel: 3,
      ...(opts.profilePrefix === undefined ? {} : { enableProfiling: true, profileFilePrefix: opts.profilePrefix }),
      ...(device === 'cuda' ? { executionProviders: [{ name: 'cuda', deviceId: opts.deviceId ?? 0 }] } : {}),
    };
    let inner: ort.InferenceSession;
    try {
      inner =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, options)
          : await ort.InferenceSession.create(model, options);
    } catch (e) {
      const what = typeof model === 'string' ? model : `an in-memory graph (${model.length} bytes)`;
      const hint = device === 'cuda' ? `; with device 'cuda' this usually means the CUDA or cuDNN libraries are missing or do not match: ${CUDA_INSTALL}` : '';
      throw new Error(`onnxruntime could not load ${what}: ${errorMessage(e)}${hint}`);
    }
    return new Session(inner, metadata(inner.inputMetadata), metadata(inner.outputMetadata));
  }

  get inputNames(): string[] {
    return this.inputs.map((v) => v.name);
  }

  get outputNames(): string[] {
    return this.outputs.map((v) => v.name);
  }

  /** Run the graph; `fetch` limits which outputs are computed (default all). */
  async run(feeds: Record<string, TensorValue>, fetch?: readonly string[]): Promise<Record<string, TensorValue>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v);
    const names = fetch ? [...fetch] : this.outputNames;
    const result = await this.inner.run(ortFeeds, names);
    const out: Record<string, TensorValue> = {};
    for (const name of names) {
      const t = result[name];
      if (t === undefined) throw new Error(`graph produced no output '${name}'`);
      out[name] = fromOrt(name, t);
    }
    return out;
  }

  /** Finish the profile of a session made with `profilePrefix` (onnxruntime writes `<prefix>_<date>.json`). */
  endProfiling(): void {
    this.inner.endProfiling();
  }

  async release(): Promise<void> {
    await this.inner.release();
  }
}
