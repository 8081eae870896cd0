import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { releaseGraphSessions } from '../../src/onnx/graphSession';
import { readPickle, type PickleValue } from '../../src/checkpoint/readPickle';
import { readTorchStateDict } from '../../src/checkpoint/readTorchStateDict';
import { decodeSafetensors, encodeSafetensors, readSafetensors } from '../../src/checkpoint/safetensors';
import { SAE_CONFIG_METADATA_KEY } from '../../src/sae/saeFile';
import { SAE } from '../../src/sae/SAE';
import { initSAEWeights } from '../../src/sae/initSAEWeights';
import { maxAbsDiff } from '../maxAbsDiff';
import { atKey } from '../../src/util/at';

afterAll(releaseGraphSessions);

const FIX = path.join(__dirname, '../fixtures/sae');
interface T {
  shape: number[];
  data: number[];
}
const fx = JSON.parse(fs.readFileSync(path.join(FIX, 'checkpoints.json'), 'utf8')) as {
  sae_small: { state_dict: Record<string, T>; x: number[]; encoded: number[]; normalized: number[]; decoded: number[] };
  views: Record<string, T>;
  pickles: Record<string, string>;
  plain: Record<string, unknown>;
  safetensors: Record<string, T>;
};

/** Pickle values as JSON-like data: tuples and lists as arrays, dicts as objects. */
function plainOf(v: PickleValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(plainOf);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plainOf(x)]));
  if (v.kind === 'tuple') return v.items.map(plainOf);
  throw new Error(`unexpected ${v.kind}`);
}

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-files-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('restricted pickle reader', () => {
  test.each(['3', '4', '5'])('reads a plain container pickled by Python with protocol %s', (p) => {
    const bytes = Uint8Array.from(Buffer.from(atKey(fx.pickles, p, 'pickles fixture'), 'hex'));
    const v = readPickle(bytes);
    const obj = plainOf(v) as Record<string, unknown>;
    expect(obj['bytes']).toEqual([0, 1, 255]);
    delete obj['bytes'];
    expect(obj).toEqual(fx.plain);
  });

  test('protocol 2: reads plain containers; refuses the _codecs.encode call it uses for bytes', () => {
    expect(plainOf(readPickle(Uint8Array.from(Buffer.from(fx.pickles['2-nobytes'] as string, 'hex'))))).toEqual(fx.plain);
    expect(() => readPickle(Uint8Array.from(Buffer.from(fx.pickles['2'] as string, 'hex')))).toThrow(/'_codecs\.encode'/);
  });

  test('refuses globals other than the tensor-rebuilding ones, naming them, without running anything', () => {
    const os1 = Uint8Array.from(Buffer.from("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.", 'latin1'));
    expect(() => readPickle(os1)).toThrow(/refusing to load.*'os\.system'/);
    const builtins = Uint8Array.from(Buffer.from('\x80\x04\x8c\x08builtins\x8c\x04exec\x93.', 'latin1'));
    expect(() => readPickle(builtins)).toThrow(/'builtins\.exec'/);
    // torch._utils._rebuild_parameter is not on the list either.
    const param = Uint8Array.from(Buffer.from('\x80\x02ctorch._utils\n_rebuild_parameter\n.', 'latin1'));
    expect(() => readPickle(param)).toThrow(/'torch\._utils\._rebuild_parameter'/);
  });

  test('refuses object-building opcodes and REDUCE on allowed-but-wrong targets', () => {
    const inst = Uint8Array.from(Buffer.from('\x80\x02(ios\nsystem\n.', 'latin1'));
    expect(() => readPickle(inst)).toThrow(/INST/);
    const newobj = Uint8Array.from(Buffer.from('\x80\x02ccollections\nOrderedDict\n)\x81.', 'latin1'));
    expect(() => readPickle(newobj)).toThrow(/NEWOBJ/);
    const callStorage = Uint8Array.from(Buffer.from('\x80\x02ctorch\nFloatStorage\n)R.', 'latin1'));
    expect(() => readPickle(callStorage)).toThrow(/REDUCE would call torch\.FloatStorage/);
    expect(() => readPickle(Uint8Array.from([0x80, 0x02, 0x4b]))).toThrow(/truncated/);
    expect(() => readPickle(Uint8Array.from(Buffer.from('(I1\n.', 'latin1')))).toThrow(/unsupported pickle opcode 0x49/);
  });
});

describe('torch checkpoints', () => {
  test('reads the tensors of a state_dict written by torch.save exactly', () => {
    const sd = readTorchStateDict(path.join(FIX, 'sae_small.pt'));
    expect([...sd.keys()].sort()).toEqual(Object.keys(fx.sae_small.state_dict).sort());
    for (const [name, ref] of Object.entries(fx.sae_small.state_dict)) {
      const t = sd.get(name);
      expect(t?.shape).toEqual(ref.shape);
      expect(Array.from(t?.data ?? [])).toEqual(ref.data);
    }
  });

  test('follows strides and storage offsets and widens float16; keeps float64', () => {
    const sd = readTorchStateDict(path.join(FIX, 'views.pt'));
    for (const [name, ref] of Object.entries(fx.views)) {
      const t = sd.get(name);
      expect(t?.shape).toEqual(ref.shape);
      expect(Array.from(t?.data ?? [])).toEqual(ref.data);
    }
    expect(sd.get('double')?.data).toBeInstanceOf(Float64Array);
  });

  test('SAE.load of the seed-style .pt encodes, normalises and reconstructs as the PyTorch module does', async () => {
    const sae = SAE.load(path.join(FIX, 'sae_small.pt'));
    expect(sae.config.variant).toBe('relu-l1');
    expect([sae.inputDim, sae.latents]).toEqual([4, 6]);
    const X = { rows: 5, cols: 4, data: Float32Array.from(fx.sae_small.x) };
    expect(maxAbsDiff((await sae.encode(X)).data, fx.sae_small.encoded)).toBeLessThan(1e-5);
    expect(maxAbsDiff((await sae.encodeNormalized(X)).data, fx.sae_small.normalized)).toBeLessThan(1e-5);
    expect(maxAbsDiff((await sae.reconstruct(X)).data, fx.sae_small.decoded)).toBeLessThan(1e-5);
    expect(Array.from(sae.decoderWeights().data)).toEqual(fx.sae_small.state_dict['decoder.weight']?.data);
  });

  test.each([
    ['malicious_reduce.pt', /os\.system/],
    ['malicious_stack_global.pt', /builtins\.eval/],
  ])('refuses %s, a checkpoint whose pickle would run code, naming the global', (file, re) => {
    expect(() => SAE.load(path.join(FIX, file))).toThrow(re);
    expect(() => SAE.load(path.join(FIX, file))).toThrow(/no pickle code is ever executed/);
  });

  test('names missing tensors and bad files', () => {
    expect(() => SAE.load(path.join(FIX, 'views.pt'))).toThrow(/no tensor 'decoder.weight'.*transposed/);
    expect(() => SAE.load(path.join(tmp, 'missing.pt'))).toThrow(/file not found/);
    const junk = path.join(tmp, 'junk.safetensors');
    fs.writeFileSync(junk, Buffer.from('not a safetensors file at all'));
    expect(() => SAE.load(junk)).toThrow(/junk\.safetensors/);
  });
});

describe('safetensors', () => {
  test('reads a file written by hand in Python (struct + json), metadata included', () => {
    const st = readSafetensors(path.join(FIX, 'python.safetensors'));
    expect(st.metadata).toEqual({ source: 'python', note: 'struct+json' });
    for (const [name, ref] of Object.entries(fx.safetensors)) {
      expect(st.tensors.get(name)?.shape).toEqual(ref.shape);
      expect(Array.from(st.tensors.get(name)?.data ?? [])).toEqual(ref.data);
    }
    expect(st.tensors.get('v')?.data).toBeInstanceOf(Float64Array);
  });

  test('writes the documented layout: u64 header length, JSON header, 8-byte aligned little-endian data', () => {
    const bytes = encodeSafetensors(new Map([['a', { shape: [2], data: Float32Array.of(1, -2) }], ['b', { shape: [1], data: Float64Array.of(0.5) }]]), { k: 'v' });
    const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({ __metadata__: { k: 'v' }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F64', shape: [1], data_offsets: [8, 16] } });
    const data = Buffer.from(bytes.subarray(8 + n));
    expect([data.readFloatLE(0), data.readFloatLE(4), data.readDoubleLE(8)]).toEqual([1, -2, 0.5]);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'cut')).toThrow(/cut: tensor 'b'/);
  });

  test('sae.save / SAE.load round trip keeps config and weights exactly', async () => {
    const w = initSAEWeights(5, 12, 'topk', 9);
    const bias = Float32Array.from({ length: 5 }, (_, i) => i / 3);
    const sae = new SAE({ variant: 'topk', inputDim: 5, latents: 12, k: 3, preEncoderBias: true, inputScale: 1.75, threshold: 0, training: { steps: 10, betas: [0.9, 0.99] } }, { ...w, decoderBias: bias });
    const file = path.join(tmp, 'sae.safetensors');
    sae.save(file);
    const back = SAE.load(file);
    expect(back.config).toEqual(sae.config);
    for (const p of ['encoder', 'decoder', 'encoderBias', 'decoderBias'] as const) expect(Array.from(back.weights[p])).toEqual(Array.from(sae.weights[p]));
    expect(readSafetensors(file).metadata[SAE_CONFIG_METADATA_KEY]).toBe(JSON.stringify(sae.config));
    const X = { rows: 3, cols: 5, data: Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)) };
    expect(Array.from((await back.encode(X)).data)).toEqual(Array.from((await sae.encode(X)).data));
    const fromJSON = SAE.fromJSON(JSON.parse(JSON.stringify(sae)));
    expect(fromJSON.config).toEqual(sae.config);
    expect(Array.from((await fromJSON.encode(X)).data)).toEqual(Array.from((await sae.encode(X)).data));
    expect(() => SAE.fromJSON({ ...sae.toJSON(), decoder: [1, 2] }, 'bad.json')).toThrow(/bad\.json/);
    expect(() => SAE.fromJSON({ type: 'layerwise.PCA', version: 1 }, 'pca.json')).toThrow(/pca\.json: not a layerwise SAE model/);
  });
});

describe('untrusted checkpoints', () => {
  // Made here with Python's pickle (its memo keeps shared objects shared, as torch.save's does) and zipped in
  // torch's layout: 60 levels of a dict holding one sub-dict under two keys (2^60 names from a small file), and a
  // dict that contains itself.
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-pickles-'));
    execFileSync('/usr/bin/python3', [
      '-c',
      `
import pickle, sys, zipfile
out = sys.argv[1]
def save(name, obj):
    with zipfile.ZipFile(out + '/' + name, 'w') as z:
        z.writestr('archive/data.pkl', pickle.dumps(obj, protocol=2))
        z.writestr('archive/byteorder', 'little')
d = {}
for i in range(60):
    d = {'a': d, 'b': d}
save('shared.pt', d)
c = {}
c['layer'] = {'self': c}
save('cycle.pt', c)
`,
      dir,
    ]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('dicts shared under many names are refused after a bounded walk, naming the file', () => {
    expect(fs.statSync(path.join(dir, 'shared.pt')).size).toBeLessThan(4096);
    const t0 = Date.now();
    expect(() => readTorchStateDict(fs.readFileSync(path.join(dir, 'shared.pt')), { name: 'shared.pt' })).toThrow(/shared\.pt: the checkpoint's dicts (name more than 1000000 entries|nest deeper than 32 levels)/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('a dict that contains itself is refused, naming the file and the key', () => {
    expect(() => readTorchStateDict(fs.readFileSync(path.join(dir, 'cycle.pt')), { name: 'cycle.pt' })).toThrow(/cycle\.pt: the checkpoint's dict 'layer\.self' contains itself/);
    expect(() => SAE.load(path.join(dir, 'cycle.pt'))).toThrow(/cycle\.pt: the checkpoint's dict 'layer\.self' contains itself/);
  });
});
