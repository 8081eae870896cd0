/**
 * The whole layer-wise analysis of seed 000 in one call (what `layerwise analyze` runs): extract every hidden
 * state of a labelled dataset (mean-pooled, resumable), compare the layers (linear CKA, mutual kNN, cosine),
 * project chosen layers with t-SNE, score graph convexity and a linear probe per layer, and write the figures,
 * a per-layer CSV, the layer x layer matrices as CSV and a self-contained HTML report. Titles carry the model's
 * caveat ('random weights', 'trained on synthetic speech'), and every default adapted to a small dataset is said.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset, selectDataset } from '../data/datasets/loadDataset';
import { graphConvexity, type GraphConvexityResult } from '../kernels/graphConvexity';
import { layerMatrix } from '../kernels/layerMatrix';
import { linearProbe, type LinearProbeResult } from '../kernels/linearProbe';
import { tsne } from '../kernels/tsne';
import { loadModel } from '../model/loadModel';
import { extractFeatures } from '../store/extractFeatures';
import { openFeatureStore } from '../store/FeatureStore';
import type { ProgressCallback } from '../util/progress';
import type { Figure } from '../viz/Figure';
import { heatmapGrid } from '../viz/heatmapGrid';
import { layerCurves } from '../viz/layerCurves';
import { projectionGrid } from '../viz/projectionGrid';
import { saveCSV } from '../viz/saveCSV';
import { saveHTML } from '../viz/saveHTML';
import { savePNGs } from '../viz/savePNG';
import { table } from '../viz/table';
import { escapeHtml } from '../viz/escapeHtml';
import { at } from '../util/at';

/** Options of `analyzeLayers`. */
export interface AnalyzeLayersOptions {
  /** The speech model: a `demo:` name, a local ONNX file or folder, or a hub repo id (as `loadModel`). */
  model: string;
  /** The labelled data: a labelled-folders directory, a manifest, a LibriSpeech tree or `hub:REPO/CONFIG/SPLIT`. */
  data: string;
  /** Output folder (created): features/, layers.csv, cka.csv, mutual-knn.csv, cosine.csv, report.html, figures/. */
  out: string;
  /** Split of the data (as `layerwise extract --split`). */
  split?: string;
  /** Shuffle seed (default 42; hub datasets shuffle as `datasets` does) and of t-SNE, convexity and probe folds. */
  seed?: number;
  /** Use the first `limit` items after shuffling (default all). */
  limit?: number;
  /** Hidden states shown as t-SNE panels (default first, middle and last). */
  tsneLayers?: readonly number[];
  /** t-SNE perplexity (default 30, lowered for small datasets, which is said). */
  perplexity?: number;
  /** Neighbours of the convexity graph (default 10) and of mutual kNN (default 5). */
  convexityK?: number;
  knnK?: number;
  /** Folds of the probe (default 5). */
  probeFolds?: number;
  /** Zero-pad clips to this many samples first, as the seeds' `padding='max_length'` (default none). */
  maxLength?: number;
  /** Also write figures/*.png (needs Chromium; default false). */
  png?: boolean;
  /** Progress of the extraction. */
  onProgress?: ProgressCallback;
  /** Receives what the analysis says along the way (default console.log). */
  log?: (line: string) => void;
}

/** One row of layers.csv (a type, not an interface, so rows are plain records for `table` and `saveCSV`). */
export type LayerSummary = {
  readonly layer: number;
  readonly 'CKA with last layer': number;
  readonly convexity: number | null;
  readonly 'convexity se': number | null;
  readonly 'probe accuracy': number | null;
  readonly 'probe std': number | null;
  readonly 'majority baseline': number | null;
};

/** What `analyzeLayers` wrote and found. */
export interface AnalyzeLayersResult {
  readonly out: string;
  readonly items: number;
  readonly classes: readonly string[];
  readonly layers: readonly LayerSummary[];
  readonly figures: readonly Figure[];
  /** Every file written, by role. */
  readonly files: { readonly features: string; readonly layersCsv: string; readonly matrices: readonly string[]; readonly report: string; readonly pngs: readonly string[] };
  /** Defaults adapted to the data and other remarks, also in the report. */
  readonly notes: readonly string[];
}

/**
 * Run seed 000's layer-wise analysis of `opts.model` on the labelled `opts.data` and write it to `opts.out`
 * (resumable: a rerun reuses the finished feature store). Throws for unlabelled items or fewer than two classes.
 */
export async function analyzeLayers(opts: AnalyzeLayersOptions): Promise<AnalyzeLayersResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const seed = opts.seed ?? 42;
  const notes: string[] = [];
  const note = (line: string): void => {
    notes.push(line);
    log(`note: ${line}`);
  };
  const out = path.resolve(opts.out);
  fs.mkdirSync(out, { recursive: true });

  const { layout, dataset: loaded } = await loadDataset(opts.data, opts.split !== undefined ? { split: opts.split } : {});
  const dataset = selectDataset(loaded, layout, seed, opts.limit);
  const unlabelled = dataset.items.filter((it) => it.label === undefined).length;
  if (unlabelled > 0) throw new Error(`analyzeLayers: ${unlabelled} of the ${dataset.length} items of ${opts.data} have no label; convexity and probes need one per item`);
  const classes = dataset.labels();
  if (classes.length < 2) throw new Error(`analyzeLayers: ${opts.data} has ${classes.length} class; convexity and probes need at least two`);
  log(`data: ${opts.data} (${layout}), ${dataset.length} items of ${classes.length} classes`);

  // hidden states only: the conv layers left unexposed (their outputs would be copied in every run for nothing)
  const model = await loadModel(opts.model, { local: false });
  const caveat = model.info.caveat === undefined ? '' : ` (${model.info.caveat})`;
  if (caveat !== '') note(`${model.id} is a demo model (${model.info.caveat ?? ''}): its figures are not findings about a published model`);
  const features = path.join(out, 'features');
  let hiddenNames: string[];
  try {
    await extractFeatures(model, dataset, {
      out: features,
      pooling: 'mean',
      layers: 'all',
      ...(opts.maxLength !== undefined ? { padding: { mode: 'max_length' as const, maxLength: opts.maxLength } } : {}),
      ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    });
    hiddenNames = model.layerNames.filter((n) => n.startsWith('hidden.'));
  } finally {
    await model.release();
  }
  const store = openFeatureStore(features);
  const hidden = hiddenNames.map((n) => store.layer(n));
  const labels = store.labels.map((l) => String(l));
  const n = labels.length;
  const names = hiddenNames.map((h) => h.replace('hidden.', ''));
  const last = hidden.length - 1;
  log(`features: ${hidden.length} hidden states of ${n} items in ${features}`);

  const cka = await layerMatrix(hidden, 'linearCKA', { names });
  const knnK = opts.knnK ?? 5;
  const knn = await layerMatrix(hidden, 'mutualKNN', { k: Math.min(knnK, n - 1), normalize: false, names });
  if (knnK > n - 1) note(`mutual kNN with k = ${n - 1} instead of ${knnK}: only ${n} items`);
  const cosine = await layerMatrix(hidden, 'cosineSimilarity', { names });
  const matrices = [
    ['cka.csv', cka.values],
    ['mutual-knn.csv', knn.values],
    ['cosine.csv', cosine.values],
  ] as const;
  const matrixFiles = matrices.map(([file, values]) => saveCSV(values, path.join(out, file), { columns: names, rowNames: names, rowNamesHeader: 'layer' }));

  const tsneLayers = opts.tsneLayers ?? [0, Math.round(last / 2), last];
  for (const l of tsneLayers) if (!Number.isInteger(l) || l < 0 || l > last) throw new Error(`analyzeLayers: t-SNE layer ${l} is not a hidden state 0..${last}`);
  // scikit-learn requires perplexity < n; 30 (its default) needs 91 items for the usual 3 x perplexity neighbours
  const asked = opts.perplexity ?? 30;
  const perplexity = opts.perplexity === undefined && 3 * asked + 1 > n - 1 ? Math.max(2, Math.floor((n - 1) / 3)) : asked;
  if (perplexity !== asked) note(`t-SNE perplexity ${perplexity} instead of 30: only ${n} items`);
  const panels = [];
  for (const l of tsneLayers) panels.push({ title: `layer ${l}`, points: (await tsne(at(hidden, l), { seed, perplexity, method: 'barnes-hut' })).embedding });

  const convexityK = Math.min(opts.convexityK ?? 10, n - 1);
  if (convexityK !== (opts.convexityK ?? 10)) note(`convexity graph with k = ${convexityK} neighbours instead of ${opts.convexityK ?? 10}: only ${n} items`);
  const convexity: GraphConvexityResult[] = [];
  for (const X of hidden) convexity.push(await graphConvexity(X, labels, { k: convexityK, seed }));
  const folds = opts.probeFolds ?? 5;
  const probes: LinearProbeResult[] = [];
  const probeWarnings = new Set<string>();
  for (const X of hidden) probes.push(await linearProbe(X, labels, { folds: Math.min(folds, n), seed, onWarning: (w) => probeWarnings.add(w) }));
  for (const w of probeWarnings) note(w);

  const figures: Figure[] = [
    heatmapGrid(
      [
        { title: 'linear CKA', values: cka.values, names, xTitle: 'layer', yTitle: 'layer' },
        { title: `mutual kNN (k = ${Math.min(knnK, n - 1)})`, values: knn.values, names, xTitle: 'layer', yTitle: 'layer' },
        { title: 'cosine similarity', values: cosine.values, names, xTitle: 'layer', yTitle: 'layer' },
      ],
      { title: `Similarity between layers${caveat}`, colorscale: 'Viridis', height: 440 },
    ),
    projectionGrid(panels, labels, { title: `t-SNE of the mean-pooled hidden states${caveat}`, ids: store.itemIds }),
    layerCurves([{ name: 'graph convexity', values: convexity.map((c) => c.pooled.mean), errors: convexity.map((c) => c.pooled.se ?? 0) }], {
      title: `Convexity of the classes per layer${caveat}`,
      yTitle: 'graph convexity',
      xTitle: 'layer',
      xNames: names,
      yRange: [0, 1],
    }),
    layerCurves(
      [
        { name: `linear probe (${Math.min(folds, n)}-fold accuracy)`, values: probes.map((p) => p.accuracy), errors: probes.map((p) => p.std) },
        { name: 'majority-class baseline', values: probes.map((p) => p.majorityBaseline) },
      ],
      { title: `Linear probe accuracy per layer${caveat}`, yTitle: 'accuracy', xTitle: 'layer', xNames: names, yRange: [0, 1] },
    ),
  ];
  const layers: LayerSummary[] = hidden.map((_, i) => ({
    layer: i,
    'CKA with last layer': at(at(cka.values, i), last),
    convexity: at(convexity, i).pooled.mean,
    'convexity se': at(convexity, i).pooled.se,
    'probe accuracy': at(probes, i).accuracy,
    'probe std': at(probes, i).std,
    'majority baseline': at(probes, i).majorityBaseline,
  }));
  const layersCsv = saveCSV(layers, path.join(out, 'layers.csv'));
  const intro =
    `<h1>Layer-wise analysis${escapeHtml(caveat)}</h1><p>${escapeHtml(`${opts.model} on ${opts.data}: ${n} items, ${classes.length} classes (${classes.join(', ')}), seed ${seed}.`)}</p>` +
    (notes.length > 0 ? `<ul>${notes.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '');
  const report = saveHTML([intro, table(layers, { title: `Per-layer summary${caveat}`, digits: 3 }), ...figures], path.join(out, 'report.html'), { title: 'Layer-wise analysis' });
  const pngs =
    opts.png === true
      ? await savePNGs(['similarity', 'tsne', 'convexity', 'probe'].map((name, i) => ({ figure: at(figures, i), file: path.join(out, 'figures', `${name}.png`) })))
      : [];
  log(`wrote ${layersCsv}, ${matrixFiles.map((f) => path.basename(f)).join(', ')}, ${report}${pngs.length > 0 ? ` and ${pngs.length} PNGs` : ''}`);
  return { out, items: n, classes, layers, figures, files: { features, layersCsv, matrices: matrixFiles, report, pngs }, notes };
}

