/**
 * `layerwise score --exp EXP --store DIR ...`: one layerwise-analysis experiment on a feature store, for
 * batch runs; prints the layer curve as a table and writes the peer's `{exp}_{split}_sample{n}.json`.
 */
import { ccaEmbeddings, ccaIntra, ccaLabels, ccaMel } from '../experiments/ccaExperiments';
import { EXPERIMENTS, writeExperimentResult, type ExperimentName, type ExperimentResult } from '../experiments/ExperimentResult';
import { miLabels } from '../experiments/miLabels';
import { readWordSimBenchmark } from '../experiments/readWordSimBenchmark';
import { readWordVectors } from '../experiments/readWordVectors';
import { wordSimilarity } from '../experiments/wordSimilarity';
import { openFeatureStore } from '../store/FeatureStore';
import { parseLayerSelection, resolveLayers } from '../model/resolveLayers';
import { intOption, parseArgs } from './parseArgs';

export const usage = `usage: layerwise score --exp EXP --store DIR [options]

  --exp EXP          ${EXPERIMENTS.join(', ')}
  --store DIR        the feature store scored: frames (cca-mel, cca-intra; extract with --pooling frames and, for
                     cca-mel, --layers all,local), phone segments (cca-phone, mi-phone), word segments (cca-word,
                     cca-glove, cca-agwe, mi-word, wordsim); for mi-* the evaluated (dev) store
  --train-store DIR  mi-*: the store k-means is fitted on (the peer's train sample; default --store)
  --vectors FILE     cca-glove / cca-agwe: word vectors (GloVe text, or JSON {word: [...]}); read streaming
  --benchmarks F,G   wordsim: benchmark files ('word1 word2 score' lines)
  --layers L         only these layers (0,6,12, local, hidden.3, local.1, ...)
  --seed S           seed of the cross-validation or the first k-means (default 0)
  --folds N --pairs N --candidates N   cross-validation (default 10 parts, 3 dev/test pairs, 6 epsilons)
  --k K              mi-*: clusters (default 500 phones, 5000 words)
  --iterations N     mi-*: k-means fits averaged (default 3)
  --instances N      wordsim: occurrences averaged per word (default all)
  --out DIR          write <DIR>/<exp>_<split>_sample<n>.json ({layer_id: score})
  --split NAME       for the file name (default dev)
  --sample N         for the file name (default 0)`;


/** The score table: one line per layer. */
export function scoreTable(r: ExperimentResult): string {
  const lines = [`${r.experiment} (${r.model})`, 'layer  score     rows'];
  for (const id of r.layers) {
    const v = r.scores[id];
    lines.push(`${id.padEnd(6)} ${v === null || v === undefined ? 'n/a    ' : v.toFixed(4).padStart(7)}  ${String(r.rows[id] ?? 0).padStart(6)}${v === null ? `  (${r.reasons[id] ?? ''})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Run `layerwise score` with the arguments after the subcommand; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, {
    strings: ['exp', 'store', 'train-store', 'vectors', 'benchmarks', 'layers', 'seed', 'folds', 'pairs', 'candidates', 'k', 'iterations', 'instances', 'out', 'split', 'sample'],
  });
  if (a.positional.length > 0) throw new Error(`unexpected argument '${a.positional[0]}'\n${usage}`);
  const exp = a.strings.exp;
  const storeDir = a.strings.store;
  if (exp === undefined || storeDir === undefined) throw new Error(`--exp and --store are required\n${usage}`);
  const name = EXPERIMENTS.find((e): e is ExperimentName => e === exp);
  if (name === undefined) throw new Error(`--exp must be one of ${EXPERIMENTS.join(', ')}, got '${exp}'`);
  const store = openFeatureStore(storeDir);
  const layersText = a.strings.layers;
  const layers = layersText === undefined ? undefined : resolveLayers(parseLayerSelection(layersText), store.layerNames);
  const seed = intOption(a.strings.seed, 'seed', 0);
  const folds = intOption(a.strings.folds, 'folds', 3);
  const pairs = intOption(a.strings.pairs, 'pairs');
  const candidates = intOption(a.strings.candidates, 'candidates');
  const cv = {
    ...(folds !== undefined ? { folds, maxPairs: Math.floor(folds / 2) } : {}),
    ...(pairs !== undefined ? { pairs } : {}),
    ...(candidates !== undefined ? { candidates } : {}),
  };
  const common = { ...(seed !== undefined ? { seed } : {}), ...(layers !== undefined ? { layers } : {}), cv, onLayer: (id: string, v: number | null) => process.stderr.write(`${name} ${id}: ${v === null ? 'n/a' : v.toFixed(4)}\n`) };
  let result: ExperimentResult;
  switch (name) {
    case 'cca-mel':
      result = await ccaMel(store, common);
      break;
    case 'cca-intra':
      result = await ccaIntra(store, common);
      break;
    case 'cca-phone':
    case 'cca-word': {
      const tier = store.meta.options.span?.tier;
      if (tier !== (name === 'cca-phone' ? 'phone' : 'word')) throw new Error(`--exp ${name} needs a ${name === 'cca-phone' ? 'phone' : 'word'} segment store; ${storeDir} holds ${tier ?? store.meta.pooling}`);
      result = await ccaLabels(store, common);
      break;
    }
    case 'cca-glove':
    case 'cca-agwe': {
      const file = a.strings.vectors;
      if (file === undefined) throw new Error(`--exp ${name} needs --vectors FILE`);
      const words = new Set(store.labels.map(String));
      result = await ccaEmbeddings(store, await readWordVectors(file, { words }), { ...common, experiment: name });
      break;
    }
    case 'mi-phone':
    case 'mi-word': {
      const train = a.strings['train-store'] === undefined ? store : openFeatureStore(a.strings['train-store']);
      const k = intOption(a.strings.k, 'k', 2);
      const iterations = intOption(a.strings.iterations, 'iterations');
      result = await miLabels(train, store, { ...(seed !== undefined ? { seed } : {}), ...(layers !== undefined ? { layers } : {}), ...(k !== undefined ? { k } : {}), ...(iterations !== undefined ? { iterations } : {}), onLayer: common.onLayer });
      break;
    }
    case 'wordsim': {
      const files = a.strings.benchmarks?.split(',').filter((f) => f !== '');
      if (files === undefined || files.length === 0) throw new Error('--exp wordsim needs --benchmarks FILE[,FILE...]');
      const instances = intOption(a.strings.instances, 'instances');
      result = await wordSimilarity(store, files.map(readWordSimBenchmark), { ...(layers !== undefined ? { layers } : {}), ...(instances !== undefined ? { instances } : {}), onLayer: common.onLayer });
      break;
    }
  }
  process.stdout.write(scoreTable(result));
  const out = a.strings.out;
  if (out !== undefined) {
    const sample = intOption(a.strings.sample, 'sample', 0);
    const file = writeExperimentResult(result, out, { ...(a.strings.split !== undefined ? { split: a.strings.split } : {}), ...(sample !== undefined ? { sample } : {}) });
    process.stderr.write(`wrote ${file}\n`);
  }
  return 0;
}
