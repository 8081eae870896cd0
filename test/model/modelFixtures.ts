/**
 * Reads the PyTorch references written by test/fixtures/models/build_models.py and copies fixture models
 * into temporary directories (loading a model caches its layer-exposed graph beside it, which must not
 * land in the repository).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import type { Matrix } from '../../src/matrix';
import { writeModelProto } from '../../src/onnx/readModelProto';
import { at } from '../../src/util/at';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'models');

export interface ModelInfo {
  layers: number;
  hidden: number;
  convLayers: number;
  convDim: number;
  intermediate: number;
  ffnLayer: number;
  opset: number;
  normalize: boolean;
  preLN: boolean;
}

interface RefIndex {
  sampleRate: number;
  clips: string[];
  models: Record<string, ModelInfo>;
  tensors: Record<string, { file: string; offset: number; shape: number[] }>;
}

let cached: RefIndex | undefined;
const bins = new Map<string, Buffer>();

function load(): RefIndex {
  if (cached === undefined) cached = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')) as RefIndex;
  return cached;
}

function bin(file: string): Buffer {
  let b = bins.get(file);
  if (b === undefined) bins.set(file, (b = fs.readFileSync(path.join(FIXTURES, file))));
  return b;
}

export function refIndex(): RefIndex {
  return load();
}

function floats(key: string): { data: Float32Array; shape: number[] } {
  const t = load().tensors[key];
  if (t === undefined) throw new Error(`no reference '${key}'`);
  const b = bin(t.file);
  const n = t.shape.reduce((x, y) => x * y, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = b.readFloatLE(t.offset + 4 * i);
  return { data, shape: t.shape };
}

export function refAudio(clip: string): Float32Array {
  return floats(`audio/${clip}`).data;
}

/** Reference activation `[frames, features]`. */
export function refActivation(model: string, clip: string, name: string): Matrix<Float32Array> {
  const { data, shape } = floats(`${model}/${clip}/${name}`);
  return { rows: at(shape, 0), cols: at(shape, 1), data };
}

export function hasRef(model: string, clip: string, name: string): boolean {
  return load().tensors[`${model}/${clip}/${name}`] !== undefined;
}

/** max |a - b| / max |b|; throws on a shape mismatch so that a wrong frame count fails loudly. */
export function relMaxError(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new Error(`shape [${a.rows}, ${a.cols}] vs reference [${b.rows}, ${b.cols}]`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.data.length; i++) {
    num = Math.max(num, Math.abs(at(a.data, i) - at(b.data, i)));
    den = Math.max(den, Math.abs(at(b.data, i)));
  }
  return num / den;
}

/** A fresh temporary copy of one fixture model directory. */
export function copyModelDir(model: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `layerwise-${model}-`));
  for (const f of fs.readdirSync(path.join(FIXTURES, model))) fs.copyFileSync(path.join(FIXTURES, model, f), path.join(dir, f));
  return dir;
}

/** Move every initializer's bytes into `weights.bin` beside `file` (the ONNX external data layout). */
export function writeWithExternalData(model: onnx.ModelProto, file: string): void {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of copy.graph?.initializer ?? []) {
    const raw = t.rawData;
    if (raw === null || raw === undefined || raw.length === 0) continue;
    chunks.push(raw.slice());
    t.externalData = [
      onnx.StringStringEntryProto.create({ key: 'location', value: 'weights.bin' }),
      onnx.StringStringEntryProto.create({ key: 'offset', value: String(offset) }),
      onnx.StringStringEntryProto.create({ key: 'length', value: String(raw.length) }),
    ];
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.rawData = new Uint8Array(0);
    offset += raw.length;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(path.join(path.dirname(file), 'weights.bin'), Buffer.concat(chunks));
  writeModelProto(copy, file);
}

/** The family checkpoints of build_families.py and their references. */
export const FAMILIES = path.join(FIXTURES, 'families');

export interface FamilyIndex {
  clips: string[];
  layers: number;
  ffnLayer: number;
  tensors: Record<string, { file: string; offset: number; shape: number[] }>;
}

let familyIndexCache: FamilyIndex | undefined;

export function familyIndex(): FamilyIndex {
  if (familyIndexCache === undefined) familyIndexCache = JSON.parse(fs.readFileSync(path.join(FAMILIES, 'reference.json'), 'utf8')) as FamilyIndex;
  return familyIndexCache;
}

/** A family model's PyTorch reference activation `[frames, features]`. */
export function familyRef(model: string, clip: string, name: string): Matrix<Float32Array> {
  const t = familyIndex().tensors[`${model}/${clip}/${name}`];
  if (t === undefined) throw new Error(`no reference ${model}/${clip}/${name}`);
  const b = fs.readFileSync(path.join(FAMILIES, t.file));
  const n = t.shape.reduce((x, y) => x * y, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = b.readFloatLE(t.offset + 4 * i);
  return { rows: at(t.shape, 0), cols: n / at(t.shape, 0), data };
}
