/**
 * The CCA experiments of layerwise-analysis (Pasad et al.), each a layer curve of cross-validated
 * projection-weighted CCA scores (`crossValidatedPwcca`) read from a feature store one layer at a time:
 *
 * - `ccaMel`: frame stores. Conv layers C1-C6, put on the 10 ms grid (`boxFilterLocal`, at extraction with
 *   `localGrid: '10ms'` or here), against the
 *   utterance's filterbank features; C7 and the transformer layers T1..TL against every second fbank frame
 *   (the peer's `all_features_downsampled`); fbank frames truncated to the layer's count per utterance, with no
 *   compensation for the centre offset of the two framings, as the peer does. T0 is not scored.
 * - `ccaIntra`: frame stores; T0 against each of T1..TL.
 * - `ccaLabels` (cca-phone, cca-word): segment stores; every layer against one-hot label vectors (the label
 *   list: by default every label in the store, most frequent first, for phones; the 500 most frequent for
 *   words), rows whose label is not listed dropped; parts stratified by label.
 * - `ccaEmbeddings` (cca-glove, cca-agwe): word segment stores against each word's vector from a user's file;
 *   rows whose word has no vector dropped; stratified by word.
 */
import { selectRows, type Matrix } from '../matrix';
import { loadAudio } from '../data/audio/loadAudio';
import { boxFilterLocal } from '../store/boxFilterLocal';
import { crossValidatedPwcca, oneHot, type CrossValidatedPwccaOptions } from '../kernels/crossValidatedPwcca';
import { melFeatures, type MelFeaturesOptions } from '../kernels/melFeatures';
import type { FeatureStore } from '../store/FeatureStore';
import { parseActivationName } from '../model/activationNames';
import { at, atNum } from '../util/at';
import { layerId, type ExperimentResult } from './ExperimentResult';
import { ResultBuilder, layersToScore, requirePooling, type ExperimentOptions } from './experimentParts';
import type { WordVectors } from './readWordVectors';

/** Options shared by the CCA experiments. */
export interface CcaExperimentOptions extends ExperimentOptions {
  /** Seed of the cross-validation (default 0). */
  readonly seed?: number;
  /** Cross-validation settings (default the peer's: 10 parts, 3 pairs, its epsilon grids). */
  readonly cv?: Omit<CrossValidatedPwccaOptions, 'labels' | 'seed'>;
}

/** Options of `ccaMel`. */
export interface CcaMelOptions extends CcaExperimentOptions {
  /** Filterbank recipe (default the peer's, see `melFeatures`). */
  readonly fbank?: MelFeaturesOptions;
  /** Audio of an item at the store's sample rate (default: the file the store recorded for it). */
  readonly audio?: (itemId: string) => Promise<Float32Array>;
}

function cvOptions(opts: CcaExperimentOptions, labels?: readonly (string | number)[]): CrossValidatedPwccaOptions {
  return { ...(opts.cv ?? {}), seed: opts.seed ?? 0, ...(labels !== undefined ? { labels } : {}) };
}

function concatRows(parts: readonly Matrix<Float32Array>[], cols: number): Matrix<Float32Array> {
  const rows = parts.reduce((t, p) => t + p.rows, 0);
  const data = new Float32Array(rows * cols);
  let off = 0;
  for (const p of parts) {
    data.set(p.data.subarray(0, p.rows * cols), off);
    off += p.rows * cols;
  }
  return { rows, cols, data };
}

function firstRows(m: Matrix<Float32Array>, n: number): Matrix<Float32Array> {
  return { rows: n, cols: m.cols, data: m.data.subarray(0, n * m.cols) };
}

function everySecond(m: Matrix<Float32Array>): Matrix<Float32Array> {
  const rows = Math.ceil(m.rows / 2);
  const out = new Float32Array(rows * m.cols);
  for (let t = 0; t < rows; t++) out.set(m.data.subarray(2 * t * m.cols, (2 * t + 1) * m.cols), t * m.cols);
  return { rows, cols: m.cols, data: out };
}

/** cca-mel (see the file comment). */
export async function ccaMel(store: FeatureStore, opts: CcaMelOptions = {}): Promise<ExperimentResult> {
  requirePooling(store, 'frames', 'ccaMel');
  // The peer's order: C1..C7, then T1..TL.
  const layers = layersToScore(store, (n) => n.startsWith('local.') || (n.startsWith('hidden.') && n !== 'hidden.0'), opts, 'ccaMel').sort(
    (a, b) => Number(b.startsWith('local.')) - Number(a.startsWith('local.')) || parseActivationName(a).index - parseActivationName(b).index,
  );
  const sr = store.meta.sampleRate;
  const audioOf =
    opts.audio ??
    (async (id: string): Promise<Float32Array> => {
      const item = store.meta.items.find((it) => it.id === id);
      const file = item?.source?.path;
      if (file === undefined) throw new Error(`ccaMel: the store records no audio file for item '${id}'; pass audio`);
      return (await loadAudio(file, { sampleRate: sr, ...(item?.start !== undefined ? { start: item.start } : {}), ...(item?.end !== undefined ? { end: item.end } : {}) })).samples;
    });
  // Filterbanks once per utterance (80 x 4 bytes per 10 ms frame: 115 MB for an hour of audio), and every second
  // frame of each once (the 20 ms grid of C7 and the transformer layers), not again for each of those layers.
  const fbank = new Map<string, { full: Matrix<Float32Array>; half: Matrix<Float32Array> }>();
  for (const it of store.meta.items) {
    const full = await melFeatures(await audioOf(it.id), { ...opts.fbank, sampleRate: sr }, `ccaMel: item '${it.id}'`);
    fbank.set(it.id, { full, half: everySecond(full) });
  }
  const out = new ResultBuilder('cca-mel', store.meta.model.id, opts.onLayer);
  for (const name of layers) {
    const { kind, index } = parseActivationName(name);
    const { matrix, index: where } = store.frames(name);
    const xs: Matrix<Float32Array>[] = [];
    const ys: Matrix<Float32Array>[] = [];
    // Whether every item keeps all its stored rows: then the layer matrix itself is X (no second copy of
    // the largest matrix in memory: 737 MB for conv layer 1 of an hour of audio).
    let whole = true;
    where.ids.forEach((id, i) => {
      const rows = atNum(where.counts, i);
      const own = { rows, cols: matrix.cols, data: matrix.data.subarray(atNum(where.offsets, i) * matrix.cols, (atNum(where.offsets, i) + rows) * matrix.cols) };
      const fb = fbank.get(id);
      if (fb === undefined) throw new Error(`ccaMel: no filterbank for item '${id}'`);
      const numSamples = store.meta.items[i]?.numSamples ?? 0;
      const onGrid = store.meta.options.localGrid === '10ms';
      const x = kind === 'local' && index <= 6 && !onGrid ? boxFilterLocal(own, index, numSamples, `ccaMel: item '${id}' ${name}`) : own;
      const y = kind === 'local' && index <= 6 ? fb.full : fb.half;
      const T = Math.min(x.rows, y.rows);
      if (x !== own || T !== rows) whole = false;
      xs.push(firstRows(x, T));
      ys.push(firstRows(y, T));
    });
    const X = whole ? matrix : concatRows(xs, matrix.cols);
    const Y = concatRows(ys, at(ys, 0).cols);
    const r = await crossValidatedPwcca(X, Y, cvOptions(opts));
    out.add(layerId(name), r.value, r.reason, X.rows, r.splits);
  }
  return out.result();
}

/** cca-intra (see the file comment). */
export async function ccaIntra(store: FeatureStore, opts: CcaExperimentOptions = {}): Promise<ExperimentResult> {
  requirePooling(store, 'frames', 'ccaIntra');
  if (!store.layerNames.includes('hidden.0')) throw new Error(`ccaIntra: ${store.dir} has no hidden.0 (the transformer input every layer is compared with)`);
  const layers = layersToScore(store, (n) => n.startsWith('hidden.') && n !== 'hidden.0', opts, 'ccaIntra');
  const X = store.frames('hidden.0').matrix;
  const out = new ResultBuilder('cca-intra', store.meta.model.id, opts.onLayer);
  for (const name of layers) {
    const Y = store.frames(name).matrix;
    const r = await crossValidatedPwcca(X, Y, cvOptions(opts));
    out.add(layerId(name), r.value, r.reason, X.rows, r.splits);
  }
  return out.result();
}

/** Options of `ccaLabels`. */
export interface CcaLabelsOptions extends CcaExperimentOptions {
  /** The label list of the one-hot vectors (default: every label for phones, the 500 most frequent for words, most frequent first). */
  readonly labels?: readonly string[];
  /** Words only: how many of the most frequent words (default 500). */
  readonly maxLabels?: number;
}

function labelsByCount(values: readonly (string | number | undefined)[], max: number): string[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, max)
    .map(([l]) => l);
}

/** cca-phone or cca-word, from the store's span tier (see the file comment). */
export async function ccaLabels(store: FeatureStore, opts: CcaLabelsOptions = {}): Promise<ExperimentResult> {
  requirePooling(store, 'segments', 'ccaLabels');
  const tier = store.meta.options.span?.tier ?? 'phone';
  const rowLabels = store.labels.map((l) => (l === undefined ? undefined : String(l)));
  const list = opts.labels ?? labelsByCount(rowLabels, tier === 'phone' ? Infinity : (opts.maxLabels ?? 500));
  const listed = new Set(list);
  const keep: number[] = [];
  rowLabels.forEach((l, i) => {
    if (l !== undefined && listed.has(l)) keep.push(i);
  });
  if (keep.length === 0) throw new Error(`ccaLabels: no segment of ${store.dir} has a label in the list (${list.slice(0, 5).join(', ')}, ...)`);
  const kept = keep.map((i) => rowLabels[i] ?? '');
  const Y = oneHot(kept, list);
  const layers = layersToScore(store, (n) => n.startsWith('hidden.') || n.startsWith('local.'), opts, 'ccaLabels');
  const out = new ResultBuilder(tier === 'phone' ? 'cca-phone' : 'cca-word', store.meta.model.id, opts.onLayer);
  for (const name of layers) {
    const X = selectRows(store.layer(name), keep);
    const r = await crossValidatedPwcca(X, Y, cvOptions(opts, kept));
    out.add(layerId(name), r.value, r.reason, X.rows, r.splits);
  }
  return out.result();
}

/** Options of `ccaEmbeddings`. */
export interface CcaEmbeddingsOptions extends CcaExperimentOptions {
  /** `cca-glove` (default) or `cca-agwe`: only names the result. */
  readonly experiment?: 'cca-glove' | 'cca-agwe';
}

/** cca-glove / cca-agwe: word segments against their words' vectors (see the file comment). */
export async function ccaEmbeddings(store: FeatureStore, vectors: WordVectors, opts: CcaEmbeddingsOptions = {}): Promise<ExperimentResult> {
  requirePooling(store, 'segments', 'ccaEmbeddings');
  if (store.meta.options.span?.tier !== 'word') throw new Error(`ccaEmbeddings: ${store.dir} holds ${store.meta.options.span?.tier ?? 'no'} segments; word vectors need a word store`);
  const labels = store.labels.map((l) => (l === undefined ? '' : String(l)));
  const keep: number[] = [];
  labels.forEach((l, i) => {
    if (vectors.vectors.has(l)) keep.push(i);
  });
  if (keep.length === 0) throw new Error(`ccaEmbeddings: none of the words of ${store.dir} has a vector in ${vectors.file}`);
  const Y = new Float32Array(keep.length * vectors.dim);
  keep.forEach((r, i) => {
    const v = vectors.vectors.get(labels[r] ?? '');
    if (v !== undefined) Y.set(v, i * vectors.dim);
  });
  const kept = keep.map((i) => labels[i] ?? '');
  const layers = layersToScore(store, (n) => n.startsWith('hidden.') || n.startsWith('local.'), opts, 'ccaEmbeddings');
  const out = new ResultBuilder(opts.experiment ?? 'cca-glove', store.meta.model.id, opts.onLayer);
  for (const name of layers) {
    const X = selectRows(store.layer(name), keep);
    const r = await crossValidatedPwcca(X, { rows: keep.length, cols: vectors.dim, data: Y }, cvOptions(opts, kept));
    out.add(layerId(name), r.value, r.reason, X.rows, { splits: r.splits, wordsWithoutVector: labels.length - keep.length });
  }
  return out.result();
}

