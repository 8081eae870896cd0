/**
 * mi-phone / mi-word (layerwise-analysis): per layer, k-means fitted on one split's segment vectors and
 * applied to another split's; the score is I(C; Y) / H(Y) of the evaluated split's clusters C and labels Y
 * (`mutualInformation`), averaged over `iterations` fits with seeds seed, seed + 1, ...
 *
 * Where we differ on purpose: the peer clusters with scikit-learn's MiniBatchKMeans (batches of 1,500 / 4,000,
 * max_iter 500) to save time; we run full-batch Lloyd k-means with k-means++ seeding (`kmeans`), which
 * minimises the same objective at least as well, with its assignment products in ONNX Runtime.
 * bench/README.md compares the time with MiniBatchKMeans.
 */
import { selectRows } from '../matrix';
import { kmeans } from '../kernels/kmeans';
import { mutualInformation } from '../kernels/mutualInformation';
import type { FeatureStore } from '../store/FeatureStore';
import { layerId, type ExperimentResult } from './ExperimentResult';
import { ResultBuilder, layersToScore, requirePooling, type ExperimentOptions } from './experimentParts';

/** Options of `miLabels`. */
export interface MiLabelsOptions extends ExperimentOptions {
  /** Clusters (default 500 for phones, 5000 for words, as the peer). */
  readonly k?: number;
  /** k-means fits per layer, seeds `seed`, `seed + 1`, ... (default 3). */
  readonly iterations?: number;
  /** First k-means seed (default 0). */
  readonly seed?: number;
  /** Lloyd iterations at most per fit (default 300). */
  readonly maxIter?: number;
}

/** MI of k-means clusters (fitted on `train`, a segment store) with the labels of `evaluate` (same model and layers). */
export async function miLabels(train: FeatureStore, evaluate: FeatureStore, opts: MiLabelsOptions = {}): Promise<ExperimentResult> {
  requirePooling(train, 'segments', 'miLabels (train)');
  requirePooling(evaluate, 'segments', 'miLabels (evaluated)');
  const tier = train.meta.options.span?.tier ?? 'phone';
  if (evaluate.meta.options.span?.tier !== tier) throw new Error(`miLabels: ${train.dir} holds ${tier} segments but ${evaluate.dir} ${evaluate.meta.options.span?.tier ?? 'none'}`);
  if (train.meta.model.hash !== evaluate.meta.model.hash) throw new Error(`miLabels: ${train.dir} and ${evaluate.dir} come from different models (${train.meta.model.id}, ${evaluate.meta.model.id})`);
  const k = opts.k ?? (tier === 'phone' ? 500 : 5000);
  const iterations = opts.iterations ?? 3;
  const seed = opts.seed ?? 0;
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new Error(`miLabels: iterations must be a positive integer, got ${iterations}`);
  const rows = train.meta.items.reduce((t, it) => t + (it.segments?.length ?? 0), 0);
  if (!(Number.isInteger(k) && k >= 2 && k <= rows)) throw new Error(`miLabels: k must be an integer in [2, ${rows}] (the training segments of ${train.dir}), got ${k}`);
  const labelled: number[] = [];
  const labels = evaluate.labels;
  labels.forEach((l, i) => {
    if (l !== undefined) labelled.push(i);
  });
  const evalLabels = labelled.map((i) => String(labels[i]));
  const layers = layersToScore(train, (n) => n.startsWith('hidden.') || n.startsWith('local.'), opts, 'miLabels');
  const out = new ResultBuilder(tier === 'phone' ? 'mi-phone' : 'mi-word', train.meta.model.id, opts.onLayer);
  for (const name of layers) {
    const X = train.layer(name);
    const E = selectRows(evaluate.layer(name), labelled);
    const perIteration: number[] = [];
    let reason: string | undefined;
    for (let it = 0; it < iterations; it++) {
      const model = await kmeans(X, { k, seed: seed + it, ...(opts.maxIter !== undefined ? { maxIter: opts.maxIter } : {}) });
      const mi = mutualInformation(await model.predict(E), evalLabels);
      if (mi.miOverHLabels === null) reason = 'the evaluated segments have a single label, so H(labels) = 0';
      else perIteration.push(mi.miOverHLabels);
    }
    const value = perIteration.length === iterations ? perIteration.reduce((a, b) => a + b, 0) / iterations : null;
    out.add(layerId(name), value, reason, E.rows, { perIteration, k });
  }
  return out.result();
}
