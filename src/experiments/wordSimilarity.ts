/**
 * wordsim (layerwise-analysis): a word's embedding at a layer is the mean of its mean-pooled segment vectors
 * (up to `instances` occurrences, in store order); for each benchmark, the cosine similarity of every pair
 * whose two words occur is ranked against the human scores (Spearman's rho); the layer's score is the micro
 * average (weighted by the pairs kept) over benchmarks, with the macro average and each benchmark's rho in
 * the details.
 */
import type { Matrix } from '../matrix';
import { spearman } from '../kernels/spearman';
import type { FeatureStore } from '../store/FeatureStore';
import { atF32, atF64 } from '../util/at';
import { layerId, type ExperimentResult } from './ExperimentResult';
import { ResultBuilder, layersToScore, requirePooling, type ExperimentOptions } from './experimentParts';
import type { WordSimBenchmark } from './readWordSimBenchmark';

/** Options of `wordSimilarity`. */
export interface WordSimilarityOptions extends ExperimentOptions {
  /** Occurrences averaged per word at most (default all in the store). */
  readonly instances?: number;
}

/** One benchmark's result at one layer. */
export interface WordSimScore {
  readonly benchmark: string;
  readonly rho: number | null;
  readonly pairs: number;
  readonly pairsInFile: number;
}

function wordEmbeddings(m: Matrix<Float32Array>, labels: readonly string[], instances: number): Map<string, Float64Array> {
  const sums = new Map<string, { v: Float64Array; n: number }>();
  labels.forEach((w, r) => {
    const e = sums.get(w) ?? { v: new Float64Array(m.cols), n: 0 };
    if (e.n >= instances) return;
    for (let j = 0; j < m.cols; j++) e.v[j] = atF64(e.v, j) + atF32(m.data, r * m.cols + j);
    e.n++;
    sums.set(w, e);
  });
  const out = new Map<string, Float64Array>();
  for (const [w, e] of sums) out.set(w, e.v.map((x) => x / e.n));
  return out;
}

function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    ab += atF64(a, j) * atF64(b, j);
    aa += atF64(a, j) ** 2;
    bb += atF64(b, j) ** 2;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** wordsim on a word segment store (see the file comment). */
export async function wordSimilarity(store: FeatureStore, benchmarks: readonly WordSimBenchmark[], opts: WordSimilarityOptions = {}): Promise<ExperimentResult> {
  requirePooling(store, 'segments', 'wordSimilarity');
  if (store.meta.options.span?.tier !== 'word') throw new Error(`wordSimilarity: ${store.dir} holds ${store.meta.options.span?.tier ?? 'no'} segments; wordsim needs a word store`);
  if (benchmarks.length === 0) throw new Error('wordSimilarity: no benchmarks');
  const instances = opts.instances ?? Infinity;
  if (!(instances >= 1)) throw new Error(`wordSimilarity: instances must be >= 1, got ${instances}`);
  const labels = store.labels.map((l) => (l === undefined ? '' : String(l)));
  const layers = layersToScore(store, (n) => n.startsWith('hidden.') || n.startsWith('local.'), opts, 'wordSimilarity');
  const out = new ResultBuilder('wordsim', store.meta.model.id, opts.onLayer);
  for (const name of layers) {
    const emb = wordEmbeddings(store.layer(name), labels, instances);
    const per: WordSimScore[] = benchmarks.map((b) => {
      const human: number[] = [];
      const model: number[] = [];
      for (const p of b.pairs) {
        const ea = emb.get(p.a);
        const eb = emb.get(p.b);
        if (ea === undefined || eb === undefined) continue;
        human.push(p.score);
        model.push(cosine(ea, eb));
      }
      return { benchmark: b.name, rho: human.length >= 2 ? spearman(model, human) : null, pairs: human.length, pairsInFile: b.pairs.length };
    });
    const scored = per.filter((p) => p.rho !== null);
    const pairs = scored.reduce((t, p) => t + p.pairs, 0);
    const micro = scored.length === 0 ? null : scored.reduce((t, p) => t + (p.rho ?? 0) * p.pairs, 0) / pairs;
    const macro = scored.length === 0 ? null : scored.reduce((t, p) => t + (p.rho ?? 0), 0) / scored.length;
    out.add(layerId(name), micro, micro === null ? 'no benchmark has two pairs whose words both occur in the store' : undefined, pairs, { macro, benchmarks: per });
  }
  return out.result();
}
