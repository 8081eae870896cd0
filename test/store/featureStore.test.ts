import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpy } from '../../src/data/io/writeNpy';
import { openFeatureStore, readNpyRows } from '../../src/store/FeatureStore';
import { describeOptionChanges, storeFingerprint } from '../../src/store/FeatureStoreWriter';
import type { StoreOptions } from '../../src/store/FeatureStoreMeta';
import { layerFileStem } from '../../src/model/activationNames';
import { parseLayerSelection, resolveLayers, wantsLocalLayers } from '../../src/model/resolveLayers';

const made: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-store-'));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

test('readNpyRows reads exactly the requested rows from their byte offset', () => {
  const dir = tmp();
  const file = path.join(dir, 'a.npy');
  const data = Float32Array.from({ length: 7 * 3 }, (_, i) => i * 0.5);
  writeNpy(file, { data, shape: [7, 3] });
  expect(Array.from(readNpyRows(file, 2, 3, 3))).toEqual([3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7]);
  const into = new Float32Array(9).fill(-1);
  readNpyRows(file, 6, 1, 3, into, 6);
  expect(Array.from(into)).toEqual([-1, -1, -1, -1, -1, -1, 9, 9.5, 10]);
  expect(() => readNpyRows(file, 5, 3, 3)).toThrow(/rows 5..8 out of range \[0, 7\)/);
  expect(() => readNpyRows(file, 0, 1, 4)).toThrow(/expected a little-endian C-order float32 \[rows, 4\]/);
  writeNpy(path.join(dir, 'b.npy'), { data: new Float64Array(6), shape: [2, 3] });
  expect(() => readNpyRows(path.join(dir, 'b.npy'), 0, 1, 3)).toThrow(/float64/);
});

test('opening something that is not a finished store says what it is', () => {
  const dir = tmp();
  expect(() => openFeatureStore(dir)).toThrow(/no meta.json; this is not a layerwise feature store/);
  fs.mkdirSync(path.join(dir, '.partial'));
  expect(() => openFeatureStore(dir)).toThrow(/has not finished; rerun the same extract command to resume/);
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ formatVersion: 99 }));
  expect(() => openFeatureStore(dir)).toThrow(/format version 99, this layerwise reads version 1/);
  fs.writeFileSync(path.join(dir, 'meta.json'), '{oops');
  expect(() => openFeatureStore(dir)).toThrow(/meta.json: not valid JSON/);
});

test('meta.json cannot point a reader at files outside the store', () => {
  const dir = tmp();
  const meta = (layerFile: string, shardFile: string): string =>
    JSON.stringify({ formatVersion: 1, pooling: 'frames', layers: [{ name: 'hidden.0', file: layerFile, dim: 2 }], items: [], shards: [{ file: shardFile, firstItem: 0, items: 0 }] });
  fs.writeFileSync(path.join(dir, 'meta.json'), meta('../../../etc/layer_00', 'shard_00000.npy'));
  expect(() => openFeatureStore(dir)).toThrow(/layer file "\.\.\/\.\.\/\.\.\/etc\/layer_00" is not a store file name .*refusing a path outside the store/);
  fs.writeFileSync(path.join(dir, 'meta.json'), meta('layer_00', '/etc/passwd'));
  expect(() => openFeatureStore(dir)).toThrow(/shard file "\/etc\/passwd" is not a store file name/);
  fs.writeFileSync(path.join(dir, 'meta.json'), meta('layer_00', 'shard_00000.npy'));
  expect(openFeatureStore(dir).layerNames).toEqual(['hidden.0']);
});

test('layer selections resolve to model names in model order, and name files as layer_XX / local_XX / ffn_XX', () => {
  const names = ['hidden.0', 'hidden.1', 'hidden.2', 'hidden.12', 'local.1', 'local.2', 'ffn.3'];
  expect(resolveLayers('all', names)).toEqual(['hidden.0', 'hidden.1', 'hidden.2', 'hidden.12']);
  expect(resolveLayers(parseLayerSelection('12,0'), names)).toEqual(['hidden.0', 'hidden.12']);
  expect(resolveLayers(parseLayerSelection('local,hidden.1,ffn'), names)).toEqual(['hidden.1', 'local.1', 'local.2', 'ffn.3']);
  expect(() => resolveLayers(parseLayerSelection('local.5'), names)).toThrow(/no activation 'local.5'/);
  expect(() => resolveLayers(parseLayerSelection('bogus'), names)).toThrow(/not an activation name/);
  expect(() => parseLayerSelection(' , ')).toThrow(/empty selection/);
  // only selections that name a conv layer need the model's conv outputs exposed
  expect(wantsLocalLayers('all')).toBe(false);
  expect(wantsLocalLayers(parseLayerSelection('0,6,hidden.3,ffn'))).toBe(false);
  expect(wantsLocalLayers(parseLayerSelection('12,local'))).toBe(true);
  expect(wantsLocalLayers(parseLayerSelection('local.2'))).toBe(true);
  expect(wantsLocalLayers(parseLayerSelection('localish'))).toBe(false);
  expect(layerFileStem('hidden.6')).toBe('layer_06');
  expect(layerFileStem('hidden.12')).toBe('layer_12');
  expect(layerFileStem('local.1')).toBe('local_01');
  // Layers are numbered from 1 for every kind but hidden states (hidden.0 is the transformer's input).
  expect(() => layerFileStem('local.0')).toThrow(/local layers are numbered from 1/);
  expect(() => layerFileStem('ffn.0')).toThrow(/ffn layers are numbered from 1/);
  expect(() => resolveLayers(parseLayerSelection('layer_06'), names)).toThrow(/not an activation name/);
  expect(layerFileStem('ffn.3')).toBe('ffn_03');
});

test('fingerprints change with every option and the change list names each difference', () => {
  const base: StoreOptions = {
    modelHash: 'a'.repeat(64),
    sampleRate: 16000,
    normalize: true,
    pooling: 'mean',
    layers: ['hidden.0'],
    padding: null,
    skipShort: false,
    shardItems: 64,
    shardFrames: 8192,
    itemKeys: ['x', 'y'],
  };
  const variants: StoreOptions[] = [
    { ...base, modelHash: 'b'.repeat(64) },
    { ...base, sampleRate: 8000 },
    { ...base, normalize: false },
    { ...base, pooling: 'frames' },
    { ...base, layers: ['hidden.1'] },
    { ...base, padding: { mode: 'max_length', maxLength: 16000 } },
    { ...base, skipShort: true },
    { ...base, shardItems: 32 },
    { ...base, itemKeys: ['x', 'z'] },
  ];
  const prints = new Set([base, ...variants].map(storeFingerprint));
  expect(prints.size).toBe(variants.length + 1);
  expect(storeFingerprint({ ...base })).toBe(storeFingerprint(base));
  expect(variants.map((v) => describeOptionChanges(base, v).length)).toEqual(variants.map(() => 1));
  expect(describeOptionChanges(base, { ...base, itemKeys: ['x', 'z'] })).toEqual(["dataset items (2 -> 2 items; first difference at position 1: 'y' -> 'z')"]);
  expect(describeOptionChanges(base, base)).toEqual([]);
});
