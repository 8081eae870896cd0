/**
 * `layerwise analyze --data D --model M --out DIR`: seed 000's analysis in one command (`analyzeLayers`):
 * hidden states of every layer, layer x layer similarity, t-SNE, convexity and probe curves, CSVs and an HTML report.
 */
import { analyzeLayers } from '../report/analyzeLayers';
import { terminalProgress } from '../util/progress';
import { intOption, parseArgs } from './parseArgs';

export const usage = `usage: layerwise analyze --data D --model M --out DIR [options]

  --data D         labelled data: a labelled-folders directory (<D>/<label>/*.wav), a manifest with labels,
                   a LibriSpeech tree with labels in a manifest, or hub:REPO/CONFIG/SPLIT
  --model M        demo:wav2vec2-tiny-synthetic, a local .onnx file or folder, or a hub repo id
  --out DIR        features/, layers.csv (per layer: CKA with the last layer, convexity, probe accuracy),
                   cka.csv, mutual-knn.csv, cosine.csv (layer x layer), report.html [, figures/*.png]
  --split S        split of the data (labelled folders: train|validation|test|all)
  --seed S         shuffle, t-SNE, convexity and probe-fold seed (default 42)
  --limit N        the first N items after shuffling
  --layers L       hidden states shown by t-SNE, e.g. 0,6,12 (default first, middle, last)
  --folds F        probe folds (default 5)
  --max-length N   zero-pad clips to N samples first (the seeds' padding='max_length', e.g. 16000)
  --png            also write the figures as PNG (needs Chromium)
  --no-progress    no progress bar`;


export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { strings: ['data', 'model', 'out', 'split', 'seed', 'limit', 'layers', 'folds', 'max-length'], booleans: ['png', 'no-progress'] });
  if (a.positional.length > 0) throw new Error(`unexpected argument '${a.positional[0]}'\n${usage}`);
  const { data, model, out } = a.strings;
  if (data === undefined || model === undefined || out === undefined) throw new Error(`--data, --model and --out are required\n${usage}`);
  const seed = intOption(a.strings.seed, 'seed', 0);
  const limit = intOption(a.strings.limit, 'limit', 1);
  const folds = intOption(a.strings.folds, 'folds', 2);
  const maxLength = intOption(a.strings['max-length'], 'max-length', 1);
  const tsneLayers = a.strings.layers?.split(',').map((s) => {
    const v = intOption(s.trim(), 'layers', 0);
    if (v === undefined) throw new Error(`--layers: '${s}' is not a layer index`);
    return v;
  });
  const progress = a.booleans['no-progress'] ? null : terminalProgress('extract');
  try {
    const r = await analyzeLayers({
      data,
      model,
      out,
      ...(a.strings.split !== undefined ? { split: a.strings.split } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(folds !== undefined ? { probeFolds: folds } : {}),
      ...(maxLength !== undefined ? { maxLength } : {}),
      ...(tsneLayers !== undefined ? { tsneLayers } : {}),
      ...(a.booleans.png === true ? { png: true } : {}),
      ...(progress !== null ? { onProgress: progress.onProgress } : {}),
      log: (line) => {
        progress?.stop();
        process.stderr.write(`${line}\n`);
      },
    });
    progress?.stop();
    const best = r.layers.reduce((b, l) => ((l['probe accuracy'] ?? 0) > (b['probe accuracy'] ?? 0) ? l : b));
    process.stdout.write(`${r.items} items, ${r.classes.length} classes, ${r.layers.length} layers; best probe: layer ${best.layer} (${(best['probe accuracy'] ?? 0).toFixed(3)}); report: ${r.files.report}\n`);
    return 0;
  } finally {
    progress?.stop();
  }
}
