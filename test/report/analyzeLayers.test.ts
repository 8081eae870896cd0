/**
 * `layerwise analyze` end to end on 40 synthetic clips of 5 words with the random-weight demo model: the files
 * it writes, the numbers in them (CKA against NumPy on the stored layer files, probe and convexity as the kernels
 * give them on the store), the notes for a small dataset, the caveat in every title; and examples/analyze.ts, the
 * same analysis in library calls run with tsx, gives the same per-layer numbers.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../src/cli/analyze';
import { synthesizeSpokenWords } from '../../src/data/synth/synthesizeSpokenWords';
import { graphConvexity } from '../../src/kernels/graphConvexity';
import { linearProbe } from '../../src/kernels/linearProbe';
import { openFeatureStore } from '../../src/store/FeatureStore';

const REPO = path.resolve(__dirname, '..', '..');

const NUMPY_CKA = `import sys, numpy as np
def cka(x, y):
    x = x - x.mean(0); y = y - y.mean(0)
    return float(np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))
a = np.load(sys.argv[1]).astype(np.float64); b = np.load(sys.argv[2]).astype(np.float64)
print(cka(a, b))`;

function csv(file: string): string[][] {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\r\n').map((l) => l.split(','));
}

describe('layerwise analyze', () => {
  let tmp: string;
  let data: string;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-analyze-'));
    data = path.join(tmp, 'words');
    await synthesizeSpokenWords({ outDir: data, words: ['yes', 'no', 'up', 'down', 'left'], variants: 8 });
  }, 300_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes the per-layer CSV, the layer matrices and a report, and says what it adapted to 40 clips', async () => {
    const out = path.join(tmp, 'out');
    const lines: string[] = [];
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await run(['--data', data, '--model', 'demo:wav2vec2-tiny-random', '--out', out, '--no-progress'])).toBe(0);
    } finally {
      err.mockRestore();
      stdout.mockRestore();
    }
    expect(lines.join('')).toContain('note: t-SNE perplexity 13 instead of 30: only 40 items');
    expect(lines.join('')).toContain('note: demo:wav2vec2-tiny-random is a demo model (random weights)');

    const layers = csv(path.join(out, 'layers.csv'));
    expect(layers[0]).toEqual(['layer', 'CKA with last layer', 'convexity', 'convexity se', 'probe accuracy', 'probe std', 'majority baseline']);
    expect(layers).toHaveLength(14);
    const ckaCsv = csv(path.join(out, 'cka.csv'));
    expect(ckaCsv[0]).toEqual(['layer', ...Array.from({ length: 13 }, (_, i) => String(i))]);
    for (let i = 1; i <= 13; i++) expect(Number(ckaCsv[i]?.[i])).toBeCloseTo(1, 6);

    // CKA of layers 6 and 12 from the stored .npy files, in NumPy
    const features = path.join(out, 'features');
    const ref = Number(execFileSync('/usr/bin/python3', ['-c', NUMPY_CKA, path.join(features, 'layer_06.npy'), path.join(features, 'layer_12.npy')]).toString());
    expect(Number(layers[7]?.[1])).toBeCloseTo(ref, 5);
    expect(Number(ckaCsv[7]?.[13])).toBeCloseTo(ref, 5);

    // probe and convexity: the kernels on the store, with the seed
    const store = openFeatureStore(features);
    const labels = store.labels.map((l) => String(l));
    expect(new Set(labels).size).toBe(5);
    const probe = await linearProbe(store.layer('hidden.6'), labels, { folds: 5, seed: 42, onWarning: () => undefined });
    const convexity = await graphConvexity(store.layer('hidden.6'), labels, { k: 10, seed: 42 });
    expect(Number(layers[7]?.[4])).toBe(probe.accuracy);
    expect(Number(layers[7]?.[2])).toBe(convexity.pooled.mean);

    const report = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(report.split('class="layerwise-plot"').length - 1).toBe(4);
    for (const t of ['Similarity between layers (random weights)', 't-SNE of the mean-pooled hidden states (random weights)', 'Convexity of the classes per layer (random weights)', 'Linear probe accuracy per layer (random weights)']) {
      expect(report).toContain(t);
    }
    expect(report).toContain('t-SNE perplexity 13 instead of 30');

    // examples/analyze.ts: the same numbers from library calls (same shuffle, seeds and kernels)
    const exampleOut = path.join(tmp, 'example');
    execFileSync(path.join(REPO, 'node_modules', '.bin', 'tsx'), [path.join(REPO, 'examples', 'analyze.ts'), data, 'demo:wav2vec2-tiny-random', exampleOut], { cwd: REPO, stdio: 'pipe' });
    const example = csv(path.join(exampleOut, 'layers.csv'));
    expect(example[0]).toEqual(['layer', 'convexity', 'probe accuracy']);
    expect(example.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual(layers.slice(1).map((r) => [r[0], r[2], r[4]]));
    expect(fs.readFileSync(path.join(exampleOut, 'report.html'), 'utf8').split('class="layerwise-plot"').length - 1).toBe(3);
  }, 600_000);

  it('refuses unlabelled data and names what is missing', async () => {
    const manifest = path.join(tmp, 'unlabelled.csv');
    const wavs = fs.readdirSync(path.join(data, 'yes')).filter((f) => f.endsWith('.wav')).slice(0, 2).map((f) => path.join(data, 'yes', f));
    fs.writeFileSync(manifest, `path\n${wavs.join('\n')}\n`);
    await expect(run(['--data', manifest, '--model', 'demo:wav2vec2-tiny-random', '--out', path.join(tmp, 'x'), '--no-progress'])).rejects.toThrow(
      `analyzeLayers: 2 of the 2 items of ${manifest} have no label; convexity and probes need one per item`,
    );
  });
});
