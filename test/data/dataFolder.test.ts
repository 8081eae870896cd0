/**
 * Defaults that hold wherever a notebook sits: `demo:NAME` resolves to the package's bundled models, `dataFolder`
 * uses a named folder only if it exists and makes the demo data only in the demo's own folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataFolder } from '../../src/data/dataFolder';
import { loadModel } from '../../src/model/loadModel';
import { demoDataPath, isInstalledPackage, packageRoot, resolveDemo } from '../../src/util/packagePaths';

const REPO = path.resolve(__dirname, '..', '..');

describe('package paths', () => {
  it('demo:NAME is a bundled model folder or file, whatever the current directory', async () => {
    const cwd = process.cwd();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-elsewhere-'));
    try {
      process.chdir(elsewhere);
      expect(packageRoot()).toBe(REPO);
      expect(isInstalledPackage()).toBe(false);
      expect(resolveDemo('demo:wav2vec2-tiny-random')).toBe(path.join(REPO, 'models', 'wav2vec2-tiny-random'));
      expect(resolveDemo('demo:word-vectors-demo/vectors.txt')).toBe(path.join(REPO, 'models', 'word-vectors-demo', 'vectors.txt'));
      expect(resolveDemo('../models/wav2vec2-tiny-random')).toBeUndefined();
      expect(() => resolveDemo('demo:wav2vec2-huge')).toThrow(/'demo:wav2vec2-huge' is not a bundled demo .*available: .*demo:wav2vec2-tiny-random/);
      expect(() => resolveDemo('demo:wav2vec2-tiny-random/../../package.json')).toThrow('is not a bundled demo');
      const model = await loadModel('demo:wav2vec2-tiny-random');
      expect(model.id).toBe('demo:wav2vec2-tiny-random');
      expect(model.layerNames.filter((n) => n.startsWith('hidden.'))).toHaveLength(13);
      await model.release();
    } finally {
      process.chdir(cwd);
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('installed copies keep demo data in the cache, checkouts in data/', () => {
    expect(isInstalledPackage('/home/me/project/node_modules/layerwise')).toBe(true);
    expect(demoDataPath('spoken-words')).toBe(path.join(REPO, 'data', 'spoken-words'));
    expect(() => demoDataPath('../etc')).toThrow('not a demo dataset name');
  });
});

describe('dataFolder', () => {
  const name = `test-demo-${process.pid}`;
  afterAll(() => fs.rmSync(demoDataPath(name), { recursive: true, force: true }));

  it('never makes anything in a folder that was named but does not exist', async () => {
    const made: string[] = [];
    const make = async (dir: string): Promise<void> => {
      made.push(dir);
      fs.mkdirSync(dir, { recursive: true });
    };
    await expect(dataFolder('no/such/folder', { demo: name, make, log: () => undefined })).rejects.toThrow(
      `data folder 'no/such/folder' (resolved from ${process.cwd()} to ${path.resolve('no/such/folder')}) does not exist; nothing is made there unasked`,
    );
    expect(made).toEqual([]);
    const lines: string[] = [];
    expect(await dataFolder(os.tmpdir(), { demo: name, make, log: (l) => lines.push(l) })).toBe(os.tmpdir());
    expect(lines).toEqual([`data: ${os.tmpdir()}`]);
  });

  it("'' is the demo folder, made on first use only", async () => {
    const made: string[] = [];
    const make = async (dir: string): Promise<void> => {
      made.push(dir);
      fs.mkdirSync(dir, { recursive: true });
    };
    const lines: string[] = [];
    const log = (l: string): void => void lines.push(l);
    expect(await dataFolder('', { demo: name, make, log })).toBe(demoDataPath(name));
    expect(await dataFolder('', { demo: name, make, log })).toBe(demoDataPath(name));
    expect(made).toEqual([demoDataPath(name)]);
    expect(lines).toEqual([`data: the ${name} demo, made now in ${demoDataPath(name)}`, `data: the ${name} demo in ${demoDataPath(name)}`]);
  });
});
