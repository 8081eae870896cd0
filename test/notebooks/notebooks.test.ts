/**
 * Executes every notebook in notebooks/ on the tslab kernel (a private kernelspec, so the user's own
 * registration does not matter), with small parameters where a notebook has them, and fails on any cell
 * error. For 01 and 02 it also checks the figures as values against numbers recomputed here from the saved
 * features with plain loops (overall means, per-feature variances, paired cosines, PCA variance shares), and
 * opens the HTML reports in headless Chromium: every figure drawn, no page errors, no network requests.
 * Screenshots go to reports/notebooks-test/ (gitignored; CI keeps them as artifacts).
 *
 * The notebooks import 'layerwise', i.e. the compiled dist/ (`npm test` builds it first).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAudio } from '../../src/data/audio/loadAudio';
import { loadLabelledFolders } from '../../src/data/datasets/loadLabelledFolders';
import { loadLibriSpeech } from '../../src/data/datasets/loadLibriSpeech';
import { readNpy } from '../../src/data/io/readNpy';
import { synthesizeAlignedSpeech } from '../../src/data/synth/synthesizeAlignedSpeech';
import { synthesizeSpokenWords } from '../../src/data/synth/synthesizeSpokenWords';
import { registerKernel } from '../../src/jupyter/kernelSpec';
import { linearCKA } from '../../src/kernels/linearCKA';
import { ccaLabels } from '../../src/experiments/ccaExperiments';
import { experimentJson } from '../../src/experiments/ExperimentResult';
import type { Matrix } from '../../src/matrix';
import { openFeatureStore, type FeatureStore } from '../../src/store/FeatureStore';
import { checkReport } from '../../src/report/checkReport';
import type { ParamValue } from '../../src/report/injectParameters';
import { cellSource, parseNotebook, type CellJson, type NotebookJson } from '../../src/report/notebookJson';
import { renderReport } from '../../src/report/renderReport';
import { SAE } from '../../src/sae/SAE';
import { PLOTLY_MIME } from '../../src/viz/display';
import { PLOTLY_BUNDLE_ATTRIBUTE, plotlyBundleScript } from '../../src/viz/plotlyBundle';
import type { BarTrace, Figure, HeatmapTrace, HistogramTrace, ScatterTrace } from '../../src/viz/Figure';
import { at } from '../../src/util/at';
import { put, SC_FEATURES, SC_NAMES, parquet, speechCommandsRows, startHub } from '../data/hubServer';

const REPO = path.resolve(__dirname, '..', '..');
const NOTEBOOKS = path.join(REPO, 'notebooks');
const OUT = path.join(REPO, 'reports', 'notebooks-test');
const WORDS = path.join(REPO, 'data', 'spoken-words');
const SENTENCES = path.join(REPO, 'data', 'spoken-sentences');
const WITH_FIGURE_CHECKS = ['01-getting-started.ipynb', '02-layerwise-statistics.ipynb'];
const SAE_NOTEBOOK = '03-sparse-autoencoder.ipynb';
const PHONES_NOTEBOOK = '04-phones-and-words.ipynb';
const WORDS_NOTEBOOK = '05-text-and-speech.ipynb';
// The notebooks' default model is the demo trained on synthetic speech; its figures say so.
const DEMO_CAVEAT = /\(trained on synthetic speech\)$/;
const LONG = 900_000;

/** Notebooks that notebooks/README.md keeps out of this test: whole lines `<!-- tests: skip NAME.ipynb: reason -->`. */
function skippedNotebooks(): Set<string> {
  const readme = path.join(NOTEBOOKS, 'README.md');
  const text = fs.existsSync(readme) ? fs.readFileSync(readme, 'utf8') : '';
  return new Set([...text.matchAll(/^<!--\s*tests:\s*skip\s+(\S+\.ipynb)\s*:.*-->\s*$/gm)].map((m) => at(m, 1)));
}

const skipped = skippedNotebooks();
const notebooks = fs
  .readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith('.ipynb') && !skipped.has(f))
  .sort();

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

function outputsOf(cell: CellJson): Output[] {
  return (cell.outputs ?? []) as Output[];
}

function figureOf(o: Output): Figure | undefined {
  return o.data?.[PLOTLY_MIME] as Figure | undefined;
}

/** The figures of an executed notebook with the index of the cell that drew each. */
function figuresOf(nb: NotebookJson): { cell: number; figure: Figure }[] {
  return nb.cells.flatMap((c, i) =>
    outputsOf(c)
      .map(figureOf)
      .filter((f): f is Figure => f !== undefined)
      .map((figure) => ({ cell: i, figure })),
  );
}

function heatmaps(f: Figure): HeatmapTrace[] {
  return f.data.filter((t): t is HeatmapTrace => t.type === 'heatmap');
}

function histograms(f: Figure): HistogramTrace[] {
  return f.data.filter((t): t is HistogramTrace => t.type === 'histogram');
}

/** Scatter traces of subplot `panel` (0: axes 'x'/'y', 1: 'x2'/'y2', ...). */
function panelTraces(f: Figure, panel: number): ScatterTrace[] {
  const axis = panel === 0 ? 'x' : `x${panel + 1}`;
  return f.data.filter((t): t is ScatterTrace => t.type === 'scatter' && (t.xaxis ?? 'x') === axis);
}

function panelPoints(f: Figure, panel: number): number {
  return panelTraces(f, panel).reduce((s, t) => s + t.x.length, 0);
}

function title(f: Figure): string {
  return f.layout.title?.text ?? '';
}

/** Linear CKA (Kornblith et al. 2019, feature space, not debiased) with plain loops in float64. */
function plainLinearCKA(x: Matrix, y: Matrix): number {
  const n = x.rows;
  const center = (m: Matrix): number[][] => {
    const rows = Array.from({ length: n }, (_, i) => Array.from({ length: m.cols }, (_, j) => at(m.data, i * m.cols + j)));
    for (let j = 0; j < m.cols; j++) {
      const mean = rows.reduce((s, r) => s + at(r, j), 0) / n;
      for (const r of rows) r[j] = at(r, j) - mean;
    }
    return rows;
  };
  const cross = (a: number[][], b: number[][]): number => {
    let s = 0;
    const da = at(a, 0).length;
    const db = at(b, 0).length;
    for (let p = 0; p < da; p++) {
      for (let q = 0; q < db; q++) {
        let v = 0;
        for (let i = 0; i < n; i++) v += at(at(a, i), p) * at(at(b, i), q);
        s += v * v;
      }
    }
    return s;
  };
  const xc = center(x);
  const yc = center(y);
  return cross(xc, yc) / Math.sqrt(cross(xc, xc) * cross(yc, yc));
}

function expectUnitDiagonal(z: number[][], size: number): void {
  expect(z).toHaveLength(size);
  z.forEach((row, i) => {
    expect(row).toHaveLength(size);
    expect(row[i]).toBeCloseTo(1, 5);
  });
}

/** Rows [0, rows) of a matrix as a view. */
function firstRows(m: Matrix<Float32Array>, rows: number): Matrix<Float32Array> {
  return { rows, cols: m.cols, data: m.data.subarray(0, rows * m.cols) };
}

/** Per-column variance (ddof 0) and the mean of all values, in float64 plain loops. */
function columnStats(m: Matrix<Float32Array>): { variance: number[]; overallMean: number } {
  const mean = new Array<number>(m.cols).fill(0);
  let total = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const v = at(m.data, r * m.cols + c);
      mean[c] = at(mean, c) + v;
      total += v;
    }
  }
  for (let c = 0; c < m.cols; c++) mean[c] = at(mean, c) / m.rows;
  const variance = new Array<number>(m.cols).fill(0);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const d = at(m.data, r * m.cols + c) - at(mean, c);
      variance[c] = at(variance, c) + d * d;
    }
  }
  return { variance: variance.map((v) => v / m.rows), overallMean: total / (m.rows * m.cols) };
}

/** Mean over rows of the cosine between row i of `a` and row i of `b`. */
function meanPairedCosine(a: Matrix<Float32Array>, b: Matrix<Float32Array>): number {
  let sum = 0;
  for (let r = 0; r < a.rows; r++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let c = 0; c < a.cols; c++) {
      const x = at(a.data, r * a.cols + c);
      const y = at(b.data, r * b.cols + c);
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    sum += aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
  }
  return sum / a.rows;
}

function sampleVariance(xs: readonly number[]): number {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
}

/** The HTML fragments (tables, players, cards) an executed notebook displays, with the cell that showed each. */
function htmlOutputsOf(nb: NotebookJson): { cell: number; html: string }[] {
  return nb.cells.flatMap((c, i) =>
    outputsOf(c)
      .filter((o) => o.data !== undefined && o.data[PLOTLY_MIME] === undefined && o.data['text/html'] !== undefined)
      .map((o) => {
        const h = o.data?.['text/html'];
        return { cell: i, html: Array.isArray(h) ? h.join('') : String(h) };
      }),
  );
}

/**
 * Normalised latent activations `[frames, latents]` of a relu-l1 SAE, in float64 plain loops from its weights:
 * `ReLU(W_e x + b_e) * ||W_d[:, i]||` (the seed's `encoded * torch.norm(decoder.weight, dim=0)`).
 */
function saeLatents(sae: SAE, X: Matrix<Float32Array>): Float64Array {
  const { encoder, encoderBias, decoder } = sae.weights;
  const d = sae.inputDim;
  const L = sae.latents;
  const norms = new Float64Array(L);
  for (let j = 0; j < d; j++) for (let i = 0; i < L; i++) norms[i] = at(norms, i) + at(decoder, j * L + i) ** 2;
  const out = new Float64Array(X.rows * L);
  for (let r = 0; r < X.rows; r++) {
    for (let i = 0; i < L; i++) {
      let a = at(encoderBias, i);
      for (let j = 0; j < d; j++) a += at(encoder, i * d + j) * at(X.data, r * d + j);
      out[r * L + i] = a > 0 ? a * Math.sqrt(at(norms, i)) : 0;
    }
  }
  return out;
}

function positivePercent(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (at(values, i) > 0) n++;
  return (100 * n) / values.length;
}

/** The one feature store under `dir` (the notebooks name its folder after model, data and sizes). */
function onlyStore(dir: string): FeatureStore {
  const found = fs.readdirSync(dir);
  expect(found).toHaveLength(1);
  return openFeatureStore(path.join(dir, at(found, 0)));
}

describe('notebooks/', () => {
  let tmp: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(REPO, 'dist', 'index.js'))) {
      throw new Error("dist/index.js is missing: the notebooks import the compiled library; run 'npm run build' first");
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-notebooks-test-'));
    registerKernel({ dataDir: path.join(tmp, 'jupyter') });
    env = { JUPYTER_DATA_DIR: path.join(tmp, 'jupyter') };
    fs.mkdirSync(OUT, { recursive: true });
    // The demo words as the main job makes them (idempotent): 00 reads them without making them.
    await synthesizeSpokenWords({ outDir: WORDS });
  }, LONG);

  afterAll(() => {
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists the notebooks to execute', () => {
    expect(notebooks).toEqual(expect.arrayContaining(WITH_FIGURE_CHECKS));
  });

  // The .ipynb files are the source: edited in JupyterLab, committed in the exact form that
  // `jupyter nbconvert --clear-output --to notebook --inplace` writes (no outputs, no execution counts).
  it.each(notebooks)('%s is committed output-free, in canonical form, with stable unique cell ids and one parameters cell', (name) => {
    const file = path.join(NOTEBOOKS, name);
    const committed = fs.readFileSync(file, 'utf8');
    const cleared = execFileSync('jupyter', ['nbconvert', '--clear-output', '--to', 'notebook', '--stdout', file], { stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
    expect({ name, text: committed }).toEqual({ name, text: cleared });
    const nb = parseNotebook(committed, name);
    expect(JSON.parse(committed)).toMatchObject({ metadata: { kernelspec: { name: 'layerwise' } } });
    const ids = nb.cells.map((c) => c.id ?? '');
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of nb.cells.filter((cell) => cell.cell_type === 'code')) {
      expect(c.outputs).toEqual([]);
      expect(c.execution_count ?? null).toBeNull();
    }
    const parameters = nb.cells.filter((c) => (c.metadata.tags ?? []).includes('parameters'));
    expect(parameters).toHaveLength(1);
    const declared = cellSource(parameters[0] as CellJson).split('\n').filter((l) => /^\s*(let|const|var)\s/.test(l));
    expect(declared.length).toBeGreaterThan(0);
    for (const line of declared) expect(line).toMatch(/^let \w+(: [^=]+)? = .+;$/);
  });

  /** Small parameters per notebook (outputs into the temporary folder so nothing is reused). */
  function paramsFor(name: string): Record<string, ParamValue> {
    switch (name) {
      case '01-getting-started.ipynb':
        return { numItems: 100, outDir: path.join(tmp, '01') };
      case '02-layerwise-statistics.ipynb':
        return { fileCounts: [3, 10], outDir: path.join(tmp, '02') };
      case SAE_NOTEBOOK:
        return { numClips: 20, steps: 200, batchSize: 256, outDir: path.join(tmp, '03') };
      case PHONES_NOTEBOOK:
        // A small aligned corpus made in the temporary folder; few words so every CCA part has enough rows.
        return {
          devPath: path.join(tmp, '04-data', 'dev', 'dev-clean'),
          devAlignments: path.join(tmp, '04-data', 'dev', 'alignments', 'dev-clean'),
          trainPath: path.join(tmp, '04-data', 'train', 'train-clean-100'),
          trainAlignments: path.join(tmp, '04-data', 'train', 'alignments', 'train-clean-100'),
          synthSpeakers: 2,
          synthUtterances: [24, 6],
          maxWords: 15,
          cvFolds: 5,
          cvPairs: 2,
          cvCandidates: 2,
          miClusters: [20, 10],
          miIterations: 1,
          outDir: path.join(tmp, '04'),
        };
      case WORDS_NOTEBOOK:
        return {
          dataPath: path.join(tmp, '05-data', 'dev-clean'),
          alignmentPath: path.join(tmp, '05-data', 'alignments', 'dev-clean'),
          synthSpeakers: 2,
          synthUtterances: 12,
          outDir: path.join(tmp, '05'),
        };
      default:
        return {};
    }
  }

  async function execute(name: string): Promise<{ nb: NotebookJson; html: string }> {
    const r = await renderReport(path.join(NOTEBOOKS, name), { params: paramsFor(name), outDir: OUT, env, timeoutSeconds: 600 });
    const nb = parseNotebook(fs.readFileSync(r.notebook, 'utf8'), r.notebook);
    const errors = nb.cells.flatMap(outputsOf).filter((o) => o.output_type === 'error');
    expect(errors).toEqual([]);
    expectFinalProgressOnly(nb);
    return { nb, html: r.html };
  }

  /**
   * Progress (`textProgress`/`textTrainProgress` writing to `liveLine()`) is one display per job, replaced in place:
   * the executed notebook keeps only each job's last line (100%), and no progress line is left in a stream.
   */
  function expectFinalProgressOnly(nb: NotebookJson): void {
    const progressLine = /^\S+ \d+\/\d+ \(\d+%\) .*ETA/m;
    const text = (v: unknown): string => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');
    for (const [cell, c] of nb.cells.entries()) {
      for (const o of outputsOf(c)) {
        if (o.output_type === 'stream') expect({ cell, stream: text(o.text).match(progressLine)?.[0] }).toEqual({ cell, stream: undefined });
        const plain = text(o.data?.['text/plain']);
        if (progressLine.test(plain)) expect({ cell, plain }).toEqual({ cell, plain: expect.stringMatching(/^\S+ (\d+)\/\1 \(100%\)/) });
      }
    }
  }

  /** Every figure comes right after a markdown cell that says what it shows. */
  function expectExplainedFigures(nb: NotebookJson): void {
    for (const { cell } of figuresOf(nb)) {
      const before = nb.cells[cell - 1];
      expect({ cell, before: before?.cell_type }).toEqual({ cell, before: 'markdown' });
      expect(cellSource(before as CellJson).trim().length).toBeGreaterThan(80);
    }
  }

  async function expectReportDraws(html: string, figures: number, name: string): Promise<void> {
    // self-contained but not bloated: the minified plotly.js (4.8 MB) once per report and once per executed notebook
    const page = fs.readFileSync(html, 'utf8');
    const executed = fs.readFileSync(html.replace(/\.html$/, '.ipynb'), 'utf8');
    expect({ name, bundles: page.split(PLOTLY_BUNDLE_ATTRIBUTE).length - 1, inNotebook: executed.split(PLOTLY_BUNDLE_ATTRIBUTE).length - 1 }).toEqual({ name, bundles: 1, inNotebook: 1 });
    // what is not plotly.js (figures, audio, tables) stays small at the test's sizes; the ipynb escapes the bundle as JSON
    const bundle = plotlyBundleScript().length;
    expect({ name, rest: page.length - bundle < 5e6, restInNotebook: executed.length - 1.1 * bundle < 5e6 }).toEqual({ name, rest: true, restInNotebook: true });
    const check = await checkReport(html, { screenshot: path.join(OUT, `${name}.png`) });
    expect(check.pageErrors).toEqual([]);
    expect(check.externalRequests).toEqual([]);
    expect(check.figures).toBe(figures);
    expect(check.rendered).toBe(figures);
  }

  const others = notebooks.filter((n) => !WITH_FIGURE_CHECKS.includes(n) && n !== SAE_NOTEBOOK && n !== PHONES_NOTEBOOK && n !== WORDS_NOTEBOOK);

  it('05-text-and-speech compares speech, text and static word embeddings; its CKA files hold linear CKA of the saved words', async () => {
    // named data folders must exist (the notebooks synthesize only their own demo folders): a small corpus here
    await synthesizeAlignedSpeech({ outDir: path.join(tmp, '05-data'), split: 'dev-clean', speakers: 2, utterancesPerChapter: 12, seed: 0 });
    const { nb, html } = await execute(WORDS_NOTEBOOK);
    const figures = figuresOf(nb).map((f) => f.figure);
    const demo = 'wav2vec2 (demo): trained on synthetic speech';
    expect(figures.map(title)).toEqual([
      expect.stringMatching(new RegExp(`^linearCKA: wav2vec2 \\(demo\\) x BERT, \\d+ words<br><sup>${demo.replace(/[()]/g, '\\$&')}; BERT: random weights</sup>$`)),
      expect.stringMatching(/^linearCKA: wav2vec2 \(demo\) x wav2vec2 \(demo\), \d+ words<br><sup>wav2vec2 \(demo\): trained on synthetic speech<\/sup>$/),
      expect.stringMatching(/^linearCKA: wav2vec2 \(demo\) x wav2vec2 \(control\), \d+ words<br><sup>.*wav2vec2 \(control\): random weights<\/sup>$/),
      expect.stringMatching(/^Speech x text, three metrics, \d+ words<br><sup>.*BERT: random weights<\/sup>$/),
      expect.stringMatching(/^linearCKA: wav2vec2 \(demo\) x word vectors, \d+ words<br><sup>.*word vectors: random vectors<\/sup>$/),
    ]);
    expectExplainedFigures(nb);
    const [speechText, selfFig, controlFig] = figures as [Figure, Figure, Figure];
    const heat = (f: Figure): HeatmapTrace => {
      const t = at(f.data, 0);
      if (t.type !== 'heatmap') throw new Error('not a heatmap');
      return t;
    };
    expect([heat(speechText).z.length, at(heat(speechText).z, 0).length]).toEqual([12, 12]);
    expectUnitDiagonal(heat(selfFig).z, 12);

    // The saved rows and the two word-span stores give the control comparison, recomputed with plain loops.
    const out = path.join(tmp, '05');
    const rows = JSON.parse(fs.readFileSync(path.join(out, 'words_in_order.json'), 'utf8')) as { rows: { utterance: string; position: number; word: string }[]; models: string[] };
    expect(rows.models).toEqual(['wav2vec2 (demo)', 'wav2vec2 (control)', 'BERT', 'word vectors']);
    expect(rows.rows.length).toBeGreaterThan(50);
    const wordRows = (dir: string, layer: number): Matrix => {
      const store = openFeatureStore(path.join(out, 'features', dir));
      const index = new Map<string, number>();
      const seen = new Map<string, number>();
      store.segments.forEach((sg, r) => {
        const p = seen.get(sg.utterance) ?? 0;
        seen.set(sg.utterance, p + 1);
        index.set(`${sg.utterance}/${p}`, r);
      });
      const m = store.layer(layer);
      const data = new Float64Array(rows.rows.length * m.cols);
      rows.rows.forEach((o, i) => {
        const r = index.get(`${o.utterance}/${o.position}`);
        if (r === undefined) throw new Error(`no row for ${o.utterance}/${o.position}`);
        expect(store.segments[r]?.label).toBe(o.word);
        for (let j = 0; j < m.cols; j++) data[i * m.cols + j] = at(m.data, r * m.cols + j);
      });
      return { rows: rows.rows.length, cols: m.cols, data };
    };
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'cka', 'wav2vec2-demo__wav2vec2-control.json'), 'utf8')) as { values: number[][]; words: number };
    expect(saved.words).toBe(rows.rows.length);
    for (const [i, j] of [[1, 1], [6, 12], [12, 3]] as const) {
      const want = plainLinearCKA(wordRows('demo-wav2vec2-tiny-synthetic', i), wordRows('demo-wav2vec2-tiny-random', j));
      expect(at(at(saved.values, i - 1), j - 1)).toBeCloseTo(want, 4);
      expect(at(at(heat(controlFig).z, i - 1), j - 1)).toBeCloseTo(want, 4);
    }
    await expectReportDraws(html, 5, '05-text-and-speech');
  }, LONG);

  it('04-phones-and-words runs the layerwise-analysis recipe on Festival speech; its result files are the API scores', async () => {
    await synthesizeAlignedSpeech({ outDir: path.join(tmp, '04-data', 'dev'), split: 'dev-clean', speakers: 2, utterancesPerChapter: 24, seed: 0 });
    await synthesizeAlignedSpeech({ outDir: path.join(tmp, '04-data', 'train'), split: 'train-clean-100', speakers: 2, utterancesPerChapter: 6, seed: 1 });
    const { nb, html } = await execute(PHONES_NOTEBOOK);
    const figures = figuresOf(nb).map((f) => f.figure);
    expect(figures.map(title)).toEqual(['Property content per layer, 2 data samples (trained on synthetic speech)']);
    expectExplainedFigures(nb);
    const out = path.join(tmp, '04');
    const results = path.join(out, 'results');
    const files = fs.readdirSync(results).sort();
    for (const exp of ['cca_intra', 'cca_mel', 'cca_phone', 'cca_word', 'mi_phone', 'mi_word']) {
      for (const k of [1, 2]) expect(files).toContain(`${exp}_dev-clean_sample${k}.json`);
    }
    const mel = JSON.parse(fs.readFileSync(path.join(results, 'cca_mel_dev-clean_sample1.json'), 'utf8')) as Record<string, number | null>;
    expect(Object.keys(mel)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', ...Array.from({ length: 12 }, (_, i) => `T${i + 1}`)]);
    for (const f of files) {
      for (const v of Object.values(JSON.parse(fs.readFileSync(path.join(results, f), 'utf8')) as Record<string, number | null>)) {
        expect(v === null || (v >= 0 && v <= 1)).toBe(true);
      }
    }
    // The notebook's cca-word file equals the API run on the store the notebook wrote (same seed and folds).
    const words = openFeatureStore(path.join(out, 'features', 'demo-wav2vec2-tiny-synthetic', 'sample2', 'word_level'));
    const api = await ccaLabels(words, { seed: 2, cv: { folds: 5, pairs: 2, maxPairs: 2, candidates: 2 }, maxLabels: 15 });
    const word = JSON.parse(fs.readFileSync(path.join(results, 'cca_word_dev-clean_sample2.json'), 'utf8')) as Record<string, number | null>;
    expect(word).toEqual(experimentJson(api));
    expect(Object.values(word).every((v) => v !== null)).toBe(true);
    await expectReportDraws(html, 1, '04-phones-and-words');
  }, LONG);
  if (others.length > 0) {
    it.each(others)('%s executes without cell errors', async (name) => {
      await execute(name);
    }, LONG);
  }

  it('01-getting-started executes on 100 clips and its figures hold what the seed notebook shows', async () => {
    const { nb, html } = await execute('01-getting-started.ipynb');
    const figures = figuresOf(nb).map((f) => f.figure);
    expect(figures.map(title)).toEqual([
      't-SNE of the mean-pooled hidden states, coloured by word (trained on synthetic speech)',
      'Similarity matrices across layers (trained on synthetic speech)',
      'Convexity of words across layers (trained on synthetic speech)',
      'Linear probe accuracy for the word, per layer (trained on synthetic speech)',
    ]);
    expectExplainedFigures(nb);
    const [tsneFig, similarityFig, convexityFig, probeFig] = figures as [Figure, Figure, Figure, Figure];

    // The notebook's selection: 10 words, shuffled with seed 42, the first 100 clips, labels saved.
    const words = loadLabelledFolders(WORDS);
    const kept = words.labels().slice(0, 10);
    const data = words.filter((item) => kept.includes(item.label)).shuffle(42).select(100);
    const out = path.join(tmp, '01');
    const savedLabels = readNpy(path.join(out, 'labels.npy'));
    expect(savedLabels.shape).toEqual([100]);
    expect(savedLabels.data).toEqual(data.labelIds());
    expect(JSON.parse(fs.readFileSync(path.join(out, 'classes.json'), 'utf8'))).toEqual(data.labels());
    const store = onlyStore(path.join(out, 'hidden_states'));
    expect(store.itemIds).toEqual(data.column('id'));
    expect(store.meta.pooling).toBe('mean');
    expect(store.layerNames).toEqual(Array.from({ length: 13 }, (_, i) => `hidden.${i}`));
    const layer0 = store.layer(0);
    expect([layer0.rows, layer0.cols]).toEqual([100, 64]);

    // t-SNE: three panels of the 100 clips, one legend entry per word.
    for (const panel of [0, 1, 2]) expect(panelPoints(tsneFig, panel)).toBe(100);
    expect(panelTraces(tsneFig, 0).map((t) => t.name).sort()).toEqual([...kept].sort());

    // Similarity: CKA, mutual kNN and cosine, 13 x 13, each layer identical to itself.
    const [cka, knn, cosine] = heatmaps(similarityFig) as [HeatmapTrace, HeatmapTrace, HeatmapTrace];
    for (const h of [cka, knn, cosine]) expectUnitDiagonal(h.z, 13);
    expect(cka.z[0]?.[12]).toBeCloseTo(await linearCKA(store.layer(0), store.layer(12)), 6);
    expect(cka.z[12]?.[0]).toBeCloseTo(cka.z[0]?.[12] ?? NaN, 12);
    expect(cosine.z[3]?.[4]).toBeCloseTo(meanPairedCosine(store.layer(3), store.layer(4)), 5);

    // Convexity per layer, the model and the random-weight control: 13 values in [0, 1] with error bars each.
    const [conv, convControl] = convexityFig.data as ScatterTrace[];
    expect([conv?.name, convControl?.name]).toEqual(['graph convexity of words', 'random-weight control']);
    for (const t of [conv, convControl]) {
      expect(t?.y).toHaveLength(13);
      for (const v of t?.y ?? []) expect(v >= 0 && v <= 1).toBe(true);
      expect(t?.error_y?.array).toHaveLength(13);
    }

    // Probe: accuracies per layer (model and control) and the majority baseline, the largest word's share of the 100 clips.
    const [probe, probeControl, baseline] = probeFig.data as [ScatterTrace, ScatterTrace, ScatterTrace];
    expect(probeControl.name).toBe('random-weight control');
    for (const t of [probe, probeControl]) {
      expect(t.y).toHaveLength(13);
      for (const v of t.y) expect(v >= 0 && v <= 1).toBe(true);
    }
    // The claim, as the notebook shows it: training puts the word into the layers (evaluation.json has
    // 0.998 against 0.250 over 500 clips; these 100 clips leave room for noise, not for a tie).
    expect(Math.max(...probe.y)).toBeGreaterThan(Math.max(...probeControl.y) + 0.3);
    expect(Math.max(...(conv?.y ?? []))).toBeGreaterThan(Math.max(...(convControl?.y ?? [])) + 0.3);
    // The control's store holds the random model's layers of the same clips.
    const control = onlyStore(path.join(out, 'control_hidden_states'));
    expect(control.itemIds).toEqual(data.column('id'));
    expect(control.meta.model.id).toBe('demo:wav2vec2-tiny-random');
    const counts = kept.map((w) => data.filter((item) => item.label === w).length);
    for (const v of baseline.y) expect(v).toBeCloseTo(Math.max(...counts) / 100, 12);

    await expectReportDraws(html, 4, '01-getting-started');
  }, LONG);

  it("01-getting-started with --param data=hub:speech_commands/v0.02/test takes the seed's shuffled sample from the hub", async () => {
    // 120 Speech Commands-like rows (label = row % 12) in the hub's Parquet conversion, served on 127.0.0.1
    const hub = await startHub();
    try {
      put(hub, 'speech_commands', 'main', { 'speech_commands.py': Buffer.from('# loading script\n') });
      put(hub, 'speech_commands', 'refs/convert/parquet', {
        'v0.02/test/0000.parquet': parquet(speechCommandsRows(0, 64), SC_FEATURES, 16),
        'v0.02/test/0001.parquet': parquet(speechCommandsRows(64, 120), SC_FEATURES, 16),
      });
      const outDir = path.join(tmp, '01-hub');
      const r = await renderReport(path.join(NOTEBOOKS, '01-getting-started.ipynb'), {
        params: { data: 'hub:speech_commands/v0.02/test', numClasses: 10, numItems: 100, controlModel: '', outDir },
        outDir: path.join(tmp, '01-hub-report'),
        env: { ...env, HF_ENDPOINT: hub.endpoint, LAYERWISE_CACHE: path.join(tmp, 'hub-cache') },
        timeoutSeconds: 600,
      });
      const nb = parseNotebook(fs.readFileSync(r.notebook, 'utf8'), r.notebook);
      expect(nb.cells.flatMap(outputsOf).filter((o) => o.output_type === 'error')).toEqual([]);
      // the store holds the clips NumPy's default_rng(42) picks after filter(label in range(10)), in that order
      const stores = fs.readdirSync(path.join(outDir, 'hidden_states'));
      expect(stores).toHaveLength(1);
      const ids = openFeatureStore(path.join(outDir, 'hidden_states', at(stores, 0))).meta.items.map((i) => i.id);
      const ref = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'hub', 'numpy_permutation.json'), 'utf8')) as { notebook01Hub: number[] };
      expect(ids).toEqual(ref.notebook01Hub.map((row) => `${at(SC_NAMES, row % 12)}/spk${row % 7}_nohash_${row}.wav`));
      expect(hub.requests.some((q) => q.includes('/resolve/refs%2Fconvert%2Fparquet/v0.02/test/0001.parquet'))).toBe(true);
    } finally {
      await hub.close();
    }
  }, LONG);

  it('02-layerwise-statistics executes on 3 and 10 files and its figures hold the statistics of those frames', async () => {
    const { nb, html } = await execute('02-layerwise-statistics.ipynb');
    const figures = figuresOf(nb).map((f) => f.figure);
    expect(figures).toHaveLength(9);
    for (const f of figures) expect(title(f)).toMatch(DEMO_CAVEAT);
    expectExplainedFigures(nb);
    const [statsFig, var3, var10, sim3, sim10, pca3, pca10, tsne3, tsne10] = figures as [Figure, Figure, Figure, Figure, Figure, Figure, Figure, Figure, Figure];

    // The files: a seeded shuffle (seed 0) of the synthesized corpus, the first 10, every frame stored.
    const corpus = loadLibriSpeech(SENTENCES);
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    const store = onlyStore(path.join(tmp, '02', 'frames'));
    expect(store.itemIds).toEqual(corpus.shuffle(0).select(10).column('id'));
    expect(store.meta.pooling).toBe('frames');
    const frames = Array.from({ length: 13 }, (_, layer) => store.frames(layer));
    const index = frames[0]?.index;
    if (index === undefined) throw new Error('no frames');
    const rowsOf = (n: number): number => (n < index.ids.length ? at(index.offsets, n) : index.totalFrames);
    const firstFiles = (layer: number, n: number): Matrix<Float32Array> => firstRows((frames[layer] as { matrix: Matrix<Float32Array> }).matrix, rowsOf(n));

    // Mean per layer with error bars, one series per file count; the point is the mean of all values.
    expect(statsFig.data.map((t) => (t as ScatterTrace).name)).toEqual(['3 files', '10 files']);
    [3, 10].forEach((n, k) => {
      const series = statsFig.data[k] as ScatterTrace;
      expect(series.y).toHaveLength(13);
      for (const layer of [0, 6, 12]) expect(series.y[layer]).toBeCloseTo(columnStats(firstFiles(layer, n)).overallMean, 6);
    });

    // Variance histograms: layers 0, 6, 12, one value per feature, the variances of those frames.
    for (const [fig, n] of [[var3, 3], [var10, 10]] as const) {
      const hists = histograms(fig);
      expect(hists).toHaveLength(3);
      [0, 6, 12].forEach((layer, k) => {
        const expected = columnStats(firstFiles(layer, n)).variance;
        const got = (hists[k] as HistogramTrace).x;
        expect(got).toHaveLength(64);
        got.forEach((v, j) => expect(v).toBeCloseTo(at(expected, j), 4));
      });
    }

    // Similarity: cosine and CKA, 13 x 13; the cosine is the mean paired cosine of the same frames.
    for (const [fig, n] of [[sim3, 3], [sim10, 10]] as const) {
      const [cos, cka] = heatmaps(fig) as [HeatmapTrace, HeatmapTrace];
      expectUnitDiagonal(cos.z, 13);
      expectUnitDiagonal(cka.z, 13);
      expect(cos.z[0]?.[6]).toBeCloseTo(meanPairedCosine(firstFiles(0, n), firstFiles(6, n)), 5);
    }

    // PCA: every frame of the first n files; the title's PC1 share is the projection's variance over the total.
    for (const [fig, n] of [[pca3, 3], [pca10, 10]] as const) {
      for (const panel of [0, 1, 2]) expect(panelPoints(fig, panel)).toBe(rowsOf(n));
      const pc1 = panelTraces(fig, 2).flatMap((t) => t.x as number[]);
      const total = columnStats(firstFiles(12, n)).variance.reduce((s, v) => s + v, 0);
      const share = (100 * sampleVariance(pc1) * ((pc1.length - 1) / pc1.length)) / total;
      const label = (fig.layout.annotations ?? []).map((a) => a.text).find((t) => t.startsWith('layer 12 ('));
      const stated = Number(/PC1 ([\d.]+)%/.exec(label ?? '')?.[1]);
      expect(Math.abs(stated - share)).toBeLessThan(0.051);
    }

    // t-SNE: all frames of 3 files (fewer than 1000), a sample of 1000 frames of 10 files.
    expect(rowsOf(3)).toBeLessThan(1000);
    expect(panelPoints(tsne3, 0)).toBe(rowsOf(3));
    expect(panelPoints(tsne10, 0)).toBe(Math.min(1000, rowsOf(10)));
    expect(title(tsne10)).toContain(`${Math.min(1000, rowsOf(10))} of ${rowsOf(10)} frames, 10 files`);

    await expectReportDraws(html, 9, '02-layerwise-statistics');
  }, LONG);

  it("03-sparse-autoencoder trains an SAE on 20 clips and its figures and cards hold that SAE's numbers", async () => {
    const { nb, html } = await execute(SAE_NOTEBOOK);
    const out = path.join(tmp, '03');

    // The clips: the utterances in seeded order (seed 0) cut into consecutive 2 s clips, the first 20; every
    // 2 s clip gives 99 frames (wav2vec2's conv stack on 32000 samples).
    const store = onlyStore(path.join(out, 'frames'));
    const expectedIds: string[] = [];
    for (const u of loadLibriSpeech(SENTENCES).shuffle(0)) {
      if (expectedIds.length >= 20) break;
      const audio = await loadAudio(u.path, { sampleRate: null });
      for (let p = 0; (p + 1) * 2 <= audio.frames / audio.sampleRate && expectedIds.length < 20; p++) expectedIds.push(`${u.id}_${p}`);
    }
    expect(store.itemIds).toEqual(expectedIds);
    expect(store.layerNames).toEqual(['hidden.6', 'ffn.6']);
    const resid = store.frames('hidden.6').matrix;
    const ffn = store.frames('ffn.6').matrix;
    const frames = resid.rows;
    expect([frames, resid.cols, ffn.rows, ffn.cols]).toEqual([20 * 99, 64, 20 * 99, 256]);

    // The saved SAE, its activations recomputed here from its weights.
    const sae = SAE.load(path.join(out, 'sae-resid-layer-6.safetensors'));
    expect(sae.config).toMatchObject({ variant: 'relu-l1', inputDim: 64, latents: 512, preEncoderBias: false, inputScale: 1 });
    const L = sae.latents;
    const Z = saeLatents(sae, resid);
    const fired = new Array<number>(L).fill(0);
    let active = 0;
    for (let r = 0; r < frames; r++) {
      for (let i = 0; i < L; i++) {
        if (at(Z, r * L + i) > 0) {
          fired[i] = at(fired, i) + 1;
          active++;
        }
      }
    }
    const dead = fired.filter((c) => c === 0).length;
    // Reconstruction from the raw activations (normalised ones over the decoder norms).
    const { decoder, decoderBias } = sae.weights;
    const norms = Array.from({ length: L }, (_, i) => Math.sqrt(Array.from({ length: 64 }, (_, j) => at(decoder, j * L + i) ** 2).reduce((a, b) => a + b, 0)));
    let sse = 0;
    const mean = columnStats(resid);
    let totalVar = 0;
    for (let r = 0; r < frames; r++) {
      for (let j = 0; j < 64; j++) {
        let xh = at(decoderBias, j);
        for (let i = 0; i < L; i++) {
          const z = at(Z, r * L + i);
          if (z > 0) xh += (at(decoder, j * L + i) * z) / at(norms, i);
        }
        const x = at(resid.data, r * 64 + j);
        sse += (x - xh) ** 2;
      }
    }
    for (const v of mean.variance) totalVar += v * frames;

    const figures = figuresOf(nb).map((f) => f.figure);
    for (const f of figures) expect(title(f)).toMatch(DEMO_CAVEAT);
    expectExplainedFigures(nb);
    expect(figures.slice(0, 5).map(title)).toEqual([
      'Feature density of the 512 SAE features (trained on synthetic speech)',
      `Active entries (> 0) on the same ${frames} frames (trained on synthetic speech)`,
      `Residual neuron 34 over the first ${frames} frames (trained on synthetic speech)`,
      `FFN neuron 34 over the first ${frames} frames (trained on synthetic speech)`,
      `SAE feature 34 over the first ${frames} frames (trained on synthetic speech)`,
    ]);
    const [densityFig, comparisonFig, residTrace, ffnTrace, saeTrace] = figures as [Figure, Figure, Figure, Figure, Figure];

    // Measures table (all frames): MSE, SSE per frame, FVU, L0, dead features.
    const htmls = htmlOutputsOf(nb).map((h) => h.html);
    const measures = htmls.find((h) => h.includes('<caption style="caption-side:top;text-align:left;font-weight:bold">SAE on hidden.6 (trained on synthetic speech)</caption>')) ?? '';
    const row = /<tr><td>all (\d+)<\/td>(.*?)<\/tr>/.exec(measures);
    const cells = [...(row?.[2] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => at(m, 1));
    expect(Number(row?.[1])).toBe(frames);
    expect(cells).toHaveLength(5);
    expect(Math.abs(Number(cells[0]) - sse / (frames * 64))).toBeLessThan(1e-3 * (sse / (frames * 64)) + 5e-5);
    expect(Math.abs(Number(cells[1]) - sse / frames)).toBeLessThan(1e-3 * (sse / frames) + 5e-5);
    expect(Math.abs(Number(cells[2]) - sse / totalVar)).toBeLessThan(1e-3);
    expect(Math.abs(Number(cells[3]) - active / frames)).toBeLessThan(0.01);
    expect(Math.abs(Number(/^(\d+) of 512/.exec(cells[4] ?? '')?.[1]) - dead)).toBeLessThanOrEqual(1);

    // Feature density: 40 bins over [-ceil(log10 frames), 0]; every latent counted once, the dead ones apart.
    const [liveBars, deadBar] = densityFig.data as [BarTrace, BarTrace];
    const lo = -Math.ceil(Math.log10(frames));
    expect(liveBars.x).toHaveLength(40);
    expect(liveBars.x[0]).toBeCloseTo(lo - lo / 80, 12);
    expect(liveBars.y.reduce((a, b) => a + b, 0) + at(deadBar.y, 0)).toBe(512);
    expect(Math.abs(at(deadBar.y, 0) - dead)).toBeLessThanOrEqual(1);

    // Activation %: residual and FFN counted here from the store; SAE from the recomputed latents.
    const [bars] = comparisonFig.data as [BarTrace];
    expect(bars.x).toEqual(['residual stream (hidden.6)', 'FFN neurons (ffn.6)', 'SAE features']);
    expect(bars.y[0]).toBeCloseTo(positivePercent(resid.data), 10);
    expect(bars.y[1]).toBeCloseTo(positivePercent(ffn.data), 10);
    expect(Math.abs(at(bars.y, 2) - (100 * active) / (frames * L))).toBeLessThan(0.01);

    // Traces of neuron / feature 34 over every frame (fewer than traceFrames = 10000).
    const col = (m: Matrix<Float32Array>, j: number): number[] => Array.from({ length: m.rows }, (_, r) => at(m.data, r * m.cols + j));
    expect((residTrace.data[0] as ScatterTrace).y).toEqual(col(resid, 34));
    expect((ffnTrace.data[0] as ScatterTrace).y).toEqual(col(ffn, 34));
    const saeY = (saeTrace.data[0] as ScatterTrace).y;
    expect(saeY).toHaveLength(frames);
    saeY.forEach((v, r) => expect(Math.abs(v - at(Z, r * L + 34))).toBeLessThan(1e-4));

    // Cards: examples in falling order, at most one per clip, each at its clip's peak; two players each.
    const clipPeak = (values: (r: number) => number, clip: number): { value: number; at: number } => {
      let best = { value: -Infinity, at: -1 };
      for (let t = 0; t < 99; t++) {
        const v = values(clip * 99 + t);
        if (v > best.value) best = { value: v, at: t };
      }
      return best;
    };
    const cards = htmls.filter((h) => h.includes('class="layerwise-feature-card"'));
    const checkCard = (card: string, values: (r: number) => number, tolerance: number): { clipId: string; activation: number }[] => {
      const examples = [...card.matchAll(/<strong>Activation: (-?[\d.]+)<\/strong> · clip <code>([^<]+)<\/code>.*? · peak at ([\d.]+) s<\/div>/g)].map((m) => ({
        activation: Number(m[1]),
        clipId: at(m, 2),
        seconds: Number(m[3]),
      }));
      expect(examples.length).toBeGreaterThan(0);
      expect(examples.length).toBeLessThanOrEqual(5);
      expect(card.match(/<audio controls/g)).toHaveLength(2 * examples.length);
      expect(new Set(examples.map((e) => e.clipId)).size).toBe(examples.length);
      examples.forEach((e, k) => {
        const clip = store.itemIds.indexOf(e.clipId);
        expect(clip).toBeGreaterThanOrEqual(0);
        const peak = clipPeak(values, clip);
        expect(Math.abs(e.activation - peak.value)).toBeLessThan(tolerance);
        expect(Math.abs(values(clip * 99 + Math.round(e.seconds / 0.02)) - peak.value)).toBeLessThan(tolerance);
        if (k > 0) expect(e.activation).toBeLessThanOrEqual((examples[k - 1] as { activation: number }).activation);
      });
      let globalMax = -Infinity;
      for (let r = 0; r < frames; r++) globalMax = Math.max(globalMax, values(r));
      expect(Math.abs((examples[0] as { activation: number }).activation - globalMax)).toBeLessThan(tolerance);
      return examples;
    };
    const saeCards = cards.filter((c) => c.includes('Top activating examples for SAE feature'));
    const ffnCards = cards.filter((c) => c.includes('Top activating examples for FFN neuron'));
    expect(saeCards.length).toBeGreaterThanOrEqual(1);
    expect(saeCards.length).toBeLessThanOrEqual(3);
    expect(ffnCards).toHaveLength(1);
    expect(figures).toHaveLength(5 + saeCards.length);
    saeCards.forEach((card, n) => {
      const feature = Number(/Top activating examples for SAE feature (\d+)/.exec(card)?.[1]);
      expect(feature).toBeLessThan(100);
      const examples = checkCard(card, (r) => at(Z, r * L + feature), 6e-4);
      // Chosen features fire in at least numExamples = 5 clips.
      expect(examples).toHaveLength(5);
      // After each card, the feature over its top clip.
      const topClip = (examples[0] as { clipId: string }).clipId;
      const traceFig = figures[5 + n] as Figure;
      expect(title(traceFig)).toBe(`SAE feature ${feature} over its top clip ${topClip} (trained on synthetic speech)`);
      const clip = store.itemIds.indexOf(topClip);
      (traceFig.data[0] as ScatterTrace).y.forEach((v, t) => expect(Math.abs(v - at(Z, (clip * 99 + t) * L + feature))).toBeLessThan(1e-4));
      expect(traceFig.layout.shapes).toHaveLength(1);
    });
    // The FFN neuron with the highest peak among the first 100.
    const neuron = Number(/Top activating examples for FFN neuron (\d+)/.exec(ffnCards[0] ?? '')?.[1]);
    const peakOf = (j: number): number => Math.max(...col(ffn, j));
    const peaks = Array.from({ length: 100 }, (_, j) => peakOf(j));
    expect(peakOf(neuron)).toBe(Math.max(...peaks));
    checkCard(ffnCards[0] ?? '', (r) => at(ffn.data, r * 256 + neuron), 6e-4);

    await expectReportDraws(html, 5 + saeCards.length, '03-sparse-autoencoder');
  }, LONG);
});
