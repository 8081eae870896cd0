/**
 * A fitted sparse autoencoder: config plus weights, with encoding and decoding run as onnxruntime graphs.
 * Latent activations are `[frames, latents]`, reconstructions `[frames, inputDim]`, both float32.
 */
import { tensor, type Session, type TensorValue } from '../backend/ort';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { FittedJSONReader, type FittedModel } from '../kernels/FittedModel';
import { graphSession } from '../onnx/graphSession';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { checkSAEConfig, parseSAEConfig, type SAEConfig } from './SAEConfig';
import { checkSAEWeights, columnNorms, type SAEParameter, type SAEWeights } from './SAEWeights';
import { encodeSAEFile, readSAEFile, type LoadSAEOptions } from './saeFile';
import { buildDecodeGraph, buildEncodeGraph, DECODE_GRAPH_KEY, encodeGraphKey } from './saeGraphs';

/** Frames per onnxruntime call, so that `[chunk, latents]` intermediates stay small. */
export const SAE_CHUNK_FRAMES = 4096;

function f32(x: MatrixLike, name: string): Matrix<Float32Array> {
  const m = toMatrix(x, name);
  return m.data instanceof Float32Array ? (m as Matrix<Float32Array>) : { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) };
}

/** Options of `SAE.encode` / `SAE.encodeNormalized`. */
export interface EncodeOptions {
  /** Return only these latents, in this order (default all). */
  readonly features?: readonly number[];
}

/** An SAE as plain JSON. */
export interface SAEJSON {
  readonly type: 'layerwise.SAE';
  readonly version: 1;
  readonly config: SAEConfig;
  readonly encoder: number[];
  readonly decoder: number[];
  readonly encoderBias: number[];
  readonly decoderBias: number[];
}

/** A fitted sparse autoencoder (see `FittedModel`; trained by `trainSAE`): `encode`, `decode`, `reconstruct`. */
export class SAE implements FittedModel<SAEJSON> {
  readonly config: SAEConfig;
  private readonly w: SAEWeights;
  private norms: Float32Array | null = null;

  /** `weights` are copied, so later changes to the caller's arrays do not reach the SAE. */
  constructor(config: SAEConfig, weights: SAEWeights) {
    this.config = checkSAEConfig(config, 'SAE');
    const c = (a: Float32Array): Float32Array => Float32Array.from(a);
    this.w = checkSAEWeights(
      { encoder: c(weights.encoder), decoder: c(weights.decoder), encoderBias: c(weights.encoderBias), decoderBias: c(weights.decoderBias) },
      config.inputDim,
      config.latents,
      'SAE',
    );
  }

  get inputDim(): number {
    return this.config.inputDim;
  }

  get latents(): number {
    return this.config.latents;
  }

  /** Copies of the four parameters in PyTorch layouts (see `SAEWeights`). */
  get weights(): SAEWeights {
    return { encoder: this.w.encoder.slice(), decoder: this.w.decoder.slice(), encoderBias: this.w.encoderBias.slice(), decoderBias: this.w.decoderBias.slice() };
  }

  /** `decoder.weight` `[inputDim, latents]` (a copy); column i is latent i's direction. */
  decoderWeights(): Matrix<Float32Array> {
    return { rows: this.inputDim, cols: this.latents, data: this.w.decoder.slice() };
  }

  /** `encoder.weight` `[latents, inputDim]` (a copy). */
  encoderWeights(): Matrix<Float32Array> {
    return { rows: this.latents, cols: this.inputDim, data: this.w.encoder.slice() };
  }

  /** `||decoder.weight[:, i]||` for every latent, `[latents]` (a copy). */
  decoderNorms(): Float32Array {
    if (this.norms === null) this.norms = Float32Array.from(columnNorms(this.w.decoder, this.inputDim, this.latents));
    return this.norms.slice();
  }

  /** Feeds of the encoder graphs (weights, scale, k or threshold), shared with the measures' graphs. */
  encoderFeeds(): Record<string, TensorValue> {
    const { inputDim: d, latents: L } = this;
    const feeds: Record<string, TensorValue> = {
      We: tensor('float32', this.w.encoder, [L, d]),
      be: tensor('float32', this.w.encoderBias, [L]),
      bd: tensor('float32', this.w.decoderBias, [d]),
      scale: tensor('float32', Float32Array.of(this.config.inputScale), []),
    };
    if (this.config.variant === 'topk') feeds['k'] = tensor('int64', BigInt64Array.of(BigInt(this.config.k)), [1]);
    if (this.config.variant === 'batch-topk') feeds['threshold'] = tensor('float32', Float32Array.of(this.config.threshold), []);
    return feeds;
  }

  private async encodeWith(X: MatrixLike, scaled: boolean, opts: EncodeOptions): Promise<Matrix<Float32Array>> {
    const m = f32(X, 'X');
    if (m.cols !== this.inputDim) throw new Error(`X: has ${m.cols} columns, the SAE takes ${this.inputDim}`);
    const features = opts.features;
    if (features !== undefined) {
      if (features.length === 0) throw new Error('encode: features is empty');
      for (const f of features) if (!(Number.isInteger(f) && f >= 0 && f < this.latents)) throw new Error(`encode: feature ${f} is outside [0, ${this.latents})`);
    }
    const select = features !== undefined;
    const spec = { variant: this.config.variant, preEncoderBias: this.config.preEncoderBias };
    const session = await graphSession(encodeGraphKey(spec, scaled, select), () => buildEncodeGraph(spec, scaled, select));
    const L = features === undefined ? this.latents : features.length;
    const feeds = this.encoderFeeds();
    if (scaled) feeds['norms'] = tensor('float32', this.decoderNorms(), [this.latents]);
    if (features !== undefined) feeds['cols'] = tensor('int64', BigInt64Array.from(features, (f) => BigInt(f)), [features.length]);
    return runInChunks(session, feeds, m, 'X', 'F', L, 'encode');
  }

  /** Raw latent activations `[frames, latents]` of `X` `[frames, inputDim]` (`[frames, features.length]` with `features`). */
  encode(X: MatrixLike, opts: EncodeOptions = {}): Promise<Matrix<Float32Array>> {
    return this.encodeWith(X, false, opts);
  }

  /**
   * Latent activations multiplied by each latent's decoder norm, `[frames, latents]`: the seed's
   * `encoded * torch.norm(sae.decoder.weight, p=2, dim=0)` (April update), comparable across latents.
   */
  encodeNormalized(X: MatrixLike, opts: EncodeOptions = {}): Promise<Matrix<Float32Array>> {
    return this.encodeWith(X, true, opts);
  }

  /** Reconstructions `[frames, inputDim]` of latent activations `F` `[frames, latents]`. */
  async decode(F: MatrixLike): Promise<Matrix<Float32Array>> {
    const m = f32(F, 'F');
    if (m.cols !== this.latents) throw new Error(`F: has ${m.cols} columns, the SAE has ${this.latents} latents`);
    const session = await graphSession(DECODE_GRAPH_KEY, buildDecodeGraph);
    const d = this.inputDim;
    const feeds: Record<string, TensorValue> = {
      Wd: tensor('float32', this.w.decoder, [d, this.latents]),
      bd: tensor('float32', this.w.decoderBias, [d]),
      scale: tensor('float32', Float32Array.of(this.config.inputScale), []),
    };
    return runInChunks(session, feeds, m, 'F', 'Xh', d, 'decode');
  }

  /** `decode(encode(X))`, `[frames, inputDim]`. */
  async reconstruct(X: MatrixLike): Promise<Matrix<Float32Array>> {
    return this.decode(await this.encode(X));
  }

  /** Config and weights as plain JSON (weights as number lists in PyTorch layouts; `save` writes the compact file). */
  toJSON(): SAEJSON {
    const w = this.w;
    return {
      type: 'layerwise.SAE',
      version: 1,
      config: { ...this.config },
      encoder: Array.from(w.encoder),
      decoder: Array.from(w.decoder),
      encoderBias: Array.from(w.encoderBias),
      decoderBias: Array.from(w.decoderBias),
    };
  }

  /** Rebuild an SAE from `toJSON()` output; `source` names it in errors. */
  static fromJSON(json: unknown, source = 'SAE'): SAE {
    const j = new FittedJSONReader(json, 'SAE', 1, source);
    const config = parseSAEConfig(j.raw('config'), source);
    const weights = (key: SAEParameter): Float32Array => Float32Array.from(j.numbers(key));
    const w = { encoder: weights('encoder'), decoder: weights('decoder'), encoderBias: weights('encoderBias'), decoderBias: weights('decoderBias') };
    return new SAE(config, checkSAEWeights(w, config.inputDim, config.latents, source));
  }

  /** Write the SAE to `path` (conventionally `*.safetensors`), atomically; see `SAE.load`. */
  save(path: string): void {
    writeFileAtomic(path, encodeSAEFile(this.config, this.w));
  }

  /**
   * Load an SAE from a safetensors file (written by `save` or other tools) or a PyTorch `state_dict`
   * checkpoint (`.pt`), never executing pickle code.
   */
  static load(path: string, opts: LoadSAEOptions = {}): SAE {
    const { config, weights } = readSAEFile(path, opts);
    return new SAE(config, weights);
  }

  /** The same SAE with a different config (weights shared as copies); e.g. a new batch-topk threshold. */
  withConfig(changes: Partial<Omit<SAEConfig, 'inputDim' | 'latents'>>): SAE {
    return new SAE({ ...this.config, ...changes }, this.w);
  }
}

/**
 * Run `session` over `m` in chunks of SAE_CHUNK_FRAMES rows fed as `input` (the other feeds stay fixed) and
 * stack the `output` rows (`outCols` wide): bounds the graph's intermediate `[rows, latents]` buffers.
 */
async function runInChunks(
  session: Session,
  feeds: Record<string, TensorValue>,
  m: Matrix<Float32Array>,
  input: string,
  output: string,
  outCols: number,
  what: string,
): Promise<Matrix<Float32Array>> {
  const out = new Float32Array(m.rows * outCols);
  for (let r0 = 0; r0 < m.rows; r0 += SAE_CHUNK_FRAMES) {
    const n = Math.min(SAE_CHUNK_FRAMES, m.rows - r0);
    const res = await session.run({ ...feeds, [input]: tensor('float32', m.data.subarray(r0 * m.cols, (r0 + n) * m.cols), [n, m.cols]) });
    const y = res[output];
    if (y === undefined) throw new Error(`SAE ${what} graph produced no ${output}`);
    out.set(y.data as Float32Array, r0 * outCols);
  }
  return { rows: m.rows, cols: outCols, data: out };
}
