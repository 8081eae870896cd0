#!/usr/bin/python3
"""Write notebooks/01-getting-started.ipynb and notebooks/02-layerwise-statistics.ipynb from the cells below.

The notebooks are generated so that their cells can be reviewed as plain text here and the .ipynb files
regenerated without outputs (executed copies with outputs are the reports under reports/):

    /usr/bin/python3 notebooks/src/build_notebooks.py             # rewrite notebooks/0[12]-*.ipynb
    /usr/bin/python3 notebooks/src/build_notebooks.py --out DIR   # write them to DIR instead

test/notebooks/notebooks.test.ts checks that the committed notebooks are what this script writes.

Cell ids are fixed, so regenerating unchanged cells gives the same bytes.
"""
import os
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = os.path.dirname(HERE)

KERNELSPEC = {"name": "layerwise", "display_name": "TypeScript (layerwise)", "language": "typescript"}
LANGUAGE_INFO = {"name": "typescript", "file_extension": ".ts", "mimetype": "text/typescript"}

# The bundled model, relative to notebooks/ (the kernel runs in the notebook's folder, as Jupyter does).
BUNDLED_MODEL = "../models/wav2vec2-tiny-random/model.onnx"

MODEL_PARAMETER_DOC = f"""\
- `model`: the speech model. Default: the bundled `{BUNDLED_MODEL}`, a wav2vec2-base architecture (12
  transformer layers, so 13 hidden states) at hidden size 64 with **random weights**. It runs offline in
  seconds, but its figures show what an untrained network does to the audio, not what wav2vec2 learned, so
  every figure made with it says "(random weights)" in its title. For real results pass a Hugging Face repo
  id of an ONNX export (transformers.js layout, `onnx/model.onnx` plus `config.json` and
  `preprocessor_config.json`), for example a wav2vec2-base or hubert-base export, or a local `.onnx` file:
  `node dist/cli.js report notebooks/<notebook>.ipynb --param model=<owner>/<repo>`. The repo is downloaded once
  into `~/.cache/layerwise` (`$LAYERWISE_CACHE`; `$HF_ENDPOINT` for a mirror, `$HF_TOKEN` for gated repos).
  The default makes no network request."""

SETUP_CODE = r"""import * as fs from 'fs';
import * as path from 'path';
import * as lw from 'layerwise';

/** A folder-name-safe rendering of a model id or path, so features of different runs never mix. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}"""

LOAD_MODEL_CODE = r"""const speechModel = await lw.loadModel(model);
// The bundled demo model says in its config.json that its weights are random; figures must say so too.
const modelConfig: { layerwise_note?: string } =
  speechModel.info.configFile !== undefined ? JSON.parse(fs.readFileSync(speechModel.info.configFile, 'utf8')) : {};
const randomWeights = (modelConfig.layerwise_note ?? '').includes('random weights');
const note = randomWeights ? ' (random weights)' : '';
const hiddenNames = speechModel.layerNames.filter((n) => n.startsWith('hidden.'));
console.log(`model: ${speechModel.id}${note}`);
console.log(`${hiddenNames.length} hidden states (0: the transformer's input, the CNN features projected; then one per transformer layer), ` +
  `${speechModel.sampleRate} Hz input, one frame every ${speechModel.frameSeconds * 1000} ms`);"""


def md(cell_id, text):
    return new_markdown_cell(text.strip("\n"), id=cell_id)


def code(cell_id, text, tags=None):
    cell = new_code_cell(text.strip("\n"), id=cell_id)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = LANGUAGE_INFO
    return nb


# ---------------------------------------------------------------------------------------------------------
# 01: getting started (seed 000)
# ---------------------------------------------------------------------------------------------------------

def getting_started():
    return notebook([
        md("intro", """
# Getting started

A minimal example of loading a speech model and a dataset, extracting the hidden representations of every
layer, and looking at them: projections of single layers, similarity between layers, and how well the word
classes separate in each layer. It follows the getting-started notebook of the project this library mirrors
(wav2vec2-base on 500 clips of ten Speech Commands words) cell for cell, in TypeScript on the `layerwise` kernel,
and adds a linear probe per layer at the end.

You can choose other models and tasks (within audio); transformer-based models are the ones these analyses are
made for. <https://superbbenchmark.github.io/> lists tasks and models for inspiration.
"""),
        md("parameters-doc", f"""
## Parameters

The next cell holds the parameters; `layerwise report` replaces them (`--param key=value`) without editing the
notebook.

{MODEL_PARAMETER_DOC}
- `dataPath`: a folder in the Speech Commands layout (`<word>/<speaker>_nohash_<n>.wav`). Default: the synthetic
  spoken words (ten Speech Commands words, 50 espeak-ng speakers), synthesized here if the folder is missing.
  Point it at a real Speech Commands v0.02 copy for real data.
- `numClasses`, `numItems`, `seed`: keep the first `numClasses` words, shuffle with `seed`, take `numItems` clips
  (the seed notebook: 10 words, seed 42, 500 clips).
- `outDir`: where the extracted hidden states and labels are saved.
- `tsneLayers`: the layers shown as t-SNE projections (layers 0, 6 and 12, as the seed notebook).
- `probeFolds`: folds of the cross-validated linear probe.
"""),
        code("parameters", f"""
let model: string = '{BUNDLED_MODEL}';
let dataPath: string = '../data/spoken-words';
let numClasses: number = 10;
let numItems: number = 500;
let seed: number = 42;
let outDir: string = '../outputs/01-getting-started';
let tsneLayers: number[] = [0, 6, 12];
let probeFolds: number = 5;
""", tags=["parameters"]),
        code("setup", SETUP_CODE),
        md("load-doc", """
## Load a model and data

`loadModel` takes a local ONNX file or a hub repo id and returns a model that yields the hidden states of every
layer in one run. It also applies the model's feature extractor (`preprocessor_config.json`: sample rate and
per-clip normalisation), which is what `Wav2Vec2FeatureExtractor` does in the Python version.
"""),
        code("load-model", LOAD_MODEL_CODE),
        md("data-doc", """
The data: ten spoken words in the Speech Commands layout. As in the seed notebook, keep 10 classes, shuffle
with a fixed seed and take 500 clips. (The seed notebook drew from the Speech Commands test split; the
synthetic set's test split holds only 5 speakers, so all splits are used here.) The labels are saved next to the
features for later analysis, as `labels.npy` (class ids) and `classes.json` (their names).
"""),
        code("load-data", r"""
if (!fs.existsSync(dataPath)) {
  console.log(`${dataPath} does not exist; synthesizing the spoken-words demo set there (espeak-ng)...`);
  const made = await lw.synthesizeSpokenWords({ outDir: dataPath });
  console.log(`${made.written} clips written`);
}
const words = lw.loadLabelledFolders(dataPath);
const keptClasses = words.labels().slice(0, numClasses);
const data = words.filter((item) => keptClasses.includes(item.label)).shuffle(seed).select(numItems);
const classNames = data.labels();
const labelIds = data.labelIds(classNames);

fs.mkdirSync(outDir, { recursive: true });
lw.writeNpy(path.join(outDir, 'labels.npy'), { data: labelIds, shape: [labelIds.length] });
fs.writeFileSync(path.join(outDir, 'classes.json'), JSON.stringify(classNames) + '\n');

const perClass = classNames.map((c) => ({ word: c, clips: data.filter((item) => item.label === c).length }));
console.log(`${data.length} clips of ${classNames.length} words from ${path.resolve(dataPath)}`);
lw.show(lw.table(perClass, { title: 'clips per word' }));
"""),
        md("listen-doc", """
Listen to a few of the clips before analysing them: the players below hold the audio itself, so they also work
in the saved HTML report.
"""),
        code("listen", r"""
for (const item of data.select(3)) {
  const clip = await lw.loadAudio(item.path, { sampleRate: speechModel.sampleRate });
  lw.show(lw.audioPlayer(clip.samples, clip.sampleRate, { title: `'${item.label}' (${item.id})` }));
}
"""),
        md("extract-doc", """
## How to extract representations

For every clip, run the model with all hidden states and average each layer over time, giving one vector per
clip and layer (`[items, hidden]` per layer; `[items, layers, hidden]` in the seed notebook's single array).
As in the seed notebook, clips are zero-padded to 16000 samples (`padding='max_length'`) before the model's
normalisation; the synthetic clips are exactly one second, so this changes nothing here.

`extractFeatures` writes the store as it goes (`layer_XX.npy` per layer plus `meta.json` with the item ids and
labels) in shards, so an interrupted run resumes where it stopped; this replaces the seed's "save every 100
steps". Running the cell again with the same arguments reuses the finished store. A progress line is printed
every few seconds. (A GPU is not needed for the small models; onnxruntime runs on all CPU cores.)
"""),
        code("extract", r"""
const dataName = slug(path.basename(path.resolve(dataPath)));
const featuresDir = path.join(outDir, 'hidden_states', `${slug(model)}-${dataName}-n${numItems}-c${numClasses}-seed${seed}`);
const extraction = await lw.extractFeatures(speechModel, data, {
  pooling: 'mean',
  layers: 'all',
  padding: { mode: 'max_length', maxLength: 16000 },
  out: featuresDir,
  onProgress: lw.textProgress({ label: 'extract', intervalSeconds: 5 }),
});
console.log(extraction.alreadyComplete
  ? `reused the finished store in ${featuresDir}`
  : `${extraction.computed} clips (${extraction.audioSeconds.toFixed(0)} s of audio) in ${extraction.seconds.toFixed(1)} s`);
console.log(`saved in ${featuresDir}`);
"""),
        code("read-features", r"""
const store = lw.openFeatureStore(featuresDir);
const hidden = hiddenNames.map((name) => store.layer(name));
const labels = store.labels.map((l) => String(l));
const layerNames = hiddenNames.map((name) => name.replace('hidden.', ''));
console.log(`hidden states: [items, layers, hidden] = [${store.itemIds.length}, ${hidden.length}, ${hidden[0].cols}]`);
console.log(`files: ${fs.readdirSync(featuresDir).sort().join(', ')}`);
"""),
        md("tsne-doc", """
## Visualizing the hidden representations

A first intuition of what happens inside the model: t-SNE maps each clip's vector of one layer to a point in the
plane, keeping clips that are close in that layer close in the plane. One panel per layer (0, 6 and 12), one colour
per word; hover over a point to see its clip. Words that form their own islands are told apart by that layer;
mixed colours mean the layer does not separate them (at least not as neighbourhoods). Distances between islands
and their sizes carry little meaning in t-SNE. PCA (`lw.pca`) and UMAP (`lw.umap`) work the same way here.

The t-SNE follows scikit-learn's `TSNE()` defaults (Barnes-Hut, perplexity 30, PCA initialisation) and is seeded.
"""),
        code("tsne", r"""
const tsnePanels: lw.ProjectionPanel[] = [];
for (const layer of tsneLayers) {
  const embedded = await lw.tsne(hidden[layer], { seed: seed, method: 'barnes-hut' });
  tsnePanels.push({ title: `layer ${layer}`, points: embedded.embedding });
}
lw.show(lw.projectionGrid(tsnePanels, labels, {
  title: `t-SNE of the mean-pooled hidden states, coloured by word${note}`,
  ids: store.itemIds,
  width: 1260,
}));
"""),
        md("similarity-doc", """
## Run a similarity analysis across layers

Three common ways to compare the representations of two layers on the same clips, each computed for every pair
of layers and drawn as a layer x layer heatmap (row i, column j compares layer i with layer j; layer 0 at the
top left):

- **Linear CKA** (centred kernel alignment) compares the similarity structure of the clips in the two layers; 1
  means the same structure up to rotation and scale. Kornblith, S., Norouzi, M., Lee, H. & Hinton, G. (2019).
  Similarity of Neural Network Representations Revisited. *Proceedings of the 36th International Conference on
  Machine Learning*, PMLR 97:3519-3529. <https://proceedings.mlr.press/v97/kornblith19a.html>
- **Mutual k-nearest neighbours** (k = 5, on raw inner products as the seed notebook) is the share of each clip's
  5 nearest neighbours that are the same in both layers; 1 means identical neighbourhoods, about 5 / (n - 1)
  means unrelated ones. Huh, M., Cheung, B., Wang, T. & Isola, P. (2024). The Platonic Representation
  Hypothesis. arXiv:2405.07987. <https://arxiv.org/abs/2405.07987> (interesting, not necessary, for this project)
- **Cosine similarity**: the mean cosine between the same clip's vectors in the two layers (the trace of the
  cosine-similarity matrix over the number of clips, as the seed). Unlike the other two it compares the vectors
  coordinate by coordinate, so it only makes sense between layers of the same width, and it sees when the
  residual stream keeps its coordinates from layer to layer.

Bright blocks along the diagonal are groups of consecutive layers that represent the clips alike; a dark row
marks a layer unlike the others. Each panel has its own colour scale.
"""),
        code("similarity", r"""
const ckaMatrix = await lw.layerMatrix(hidden, 'linearCKA');
const knnMatrix = await lw.layerMatrix(hidden, 'mutualKNN', { k: 5, normalize: false });
const cosineMatrix = await lw.layerMatrix(hidden, 'cosineSimilarity');
lw.show(lw.heatmapGrid([
  { title: 'CKA', values: ckaMatrix.values, names: layerNames, xTitle: 'layer', yTitle: 'layer' },
  { title: 'mutual kNN (k = 5)', values: knnMatrix.values, names: layerNames, xTitle: 'layer', yTitle: 'layer' },
  { title: 'cosine similarity', values: cosineMatrix.values, names: layerNames, xTitle: 'layer', yTitle: 'layer' },
], { title: `Similarity matrices across layers${note}`, colorscale: 'Viridis', width: 1260, height: 440 }));
"""),
        md("convexity-doc", """
## Convexity analysis

Graph convexity asks whether each word occupies a convex region of a layer's representation space: build the
graph of every clip's 10 nearest neighbours (`num_neighbours=10`, as the seed), take pairs of clips of the same
word, and check which share of the points on the shortest path between them carries that word too. A score of 1
means every word's region is convex; with ten balanced words, a layer blind to the word scores about 0.1. The
curve shows the score per layer with its standard error; the layers where it peaks are the ones that "know" the
most about the words. (Part of prior work; not needed for a first project, but it gives a good intuition.)

- Dorszewski, T., Tětková, L. & Hansen, L. K. (2024). Convexity-based Pruning of Speech Representation Models.
  arXiv:2408.11858. <https://arxiv.org/pdf/2408.11858> (recommended)
- Tětková, L., Brüsch, T., Scheidt, T. K., Mager, F. M., Aagaard, R. Ø., Foldager, J., ... & Hansen, L. K.
  (2023). On convex conceptual regions in deep network representations. <https://arxiv.org/pdf/2305.17154>
  (introduces the convexity score)
"""),
        code("convexity", r"""
const convexity: lw.GraphConvexityResult[] = [];
for (const X of hidden) convexity.push(await lw.graphConvexity(X, labels, { k: 10, seed: seed }));
lw.show(lw.layerCurves([{
  name: 'graph convexity of words',
  values: convexity.map((c) => c.pooled.mean),
  errors: convexity.map((c) => c.pooled.se ?? 0),
}], { title: `Convexity of words across layers${note}`, yTitle: 'graph convexity', xTitle: 'layer', xNames: layerNames, yRange: [0, 1] }));
"""),
        md("convexity-reading", """
With a trained model (wav2vec2-base on Speech Commands) the ten words form convex regions especially in the middle
layers, although the model was never trained to tell words apart; the convexity paper above shows how this changes
when the model is fine-tuned. With the bundled random-weight model any structure comes from the audio itself
passing through random layers, so it is no finding about wav2vec2.
"""),
        md("probe-doc", """
## Linear probe per layer (beyond the seed notebook)

A more direct test of what each layer "knows" about the words: a multinomial logistic regression on the layer's
standardised vectors, scored by stratified k-fold cross-validation (each fold is held out once; the classifier
never sees its test clips). The curve shows the mean accuracy per layer with the standard deviation over folds;
the second curve is the majority-class baseline, what a classifier that ignores the audio would score. Convexity
and the probe often peak in the same layers: convex regions are easy to separate linearly.
"""),
        code("probe", r"""
const probes: lw.LinearProbeResult[] = [];
for (const X of hidden) probes.push(await lw.linearProbe(X, labels, { folds: probeFolds, seed: seed }));
lw.show(lw.layerCurves([
  { name: `linear probe (${probeFolds}-fold accuracy)`, values: probes.map((p) => p.accuracy), errors: probes.map((p) => p.std) },
  { name: 'majority-class baseline', values: probes.map((p) => p.majorityBaseline) },
], { title: `Linear probe accuracy for the word, per layer${note}`, yTitle: 'accuracy', xTitle: 'layer', xNames: layerNames, yRange: [0, 1] }));
"""),
        md("summary-doc", """
The numbers behind the curves, one row per layer: CKA of each layer with the last one, convexity and probe
accuracy.
"""),
        code("summary", r"""
const last = hidden.length - 1;
lw.show(lw.table(hidden.map((_, i) => ({
  layer: i,
  'CKA with last layer': ckaMatrix.values[i][last],
  convexity: convexity[i].pooled.mean,
  'probe accuracy': probes[i].accuracy,
  'probe std': probes[i].std,
})), { title: `Per-layer summary${note}`, digits: 3 }));
"""),
        md("pruning", """
## Pruning

Similarity between layers and where the words become convex are the first steps towards pruning: layers that
represent the clips alike may be redundant. Papers to read if you are eager:

- Dorszewski, T., Jacobsen, A. K., Tětková, L. & Hansen, L. K. (2024). How Redundant Is the Transformer Stack in
  Speech Representation Models? arXiv:2409.16302. <https://arxiv.org/pdf/2409.16302>
- Peng, Y., Kim, K., Wu, F., Sridhar, P. & Watanabe, S. (2023). Structured Pruning of Self-Supervised Pre-Trained
  Models for Speech Recognition and Understanding. ICASSP 2023.
  <https://ieeexplore.ieee.org/abstract/document/10095780>
"""),
    ])


# ---------------------------------------------------------------------------------------------------------
# 02: layer-wise statistics (seed 001)
# ---------------------------------------------------------------------------------------------------------

def layerwise_statistics():
    return notebook([
        md("intro", """
# Layer-wise statistics of frame-level features

How the features of a speech model change from layer to layer, at the level of single frames (one vector every
20 ms): the mean and spread of the features per layer, the distribution of per-feature variances, how similar the
layers are to each other, and PCA and t-SNE projections of the frames. It follows the HuBERT layer-wise analysis
of the project this library mirrors (HuBERT-base on LibriSpeech dev-clean), with the same sizes: 3, 10 and 50
files.

Offline, the utterances are synthetic: seeded espeak-ng speakers reading simple English sentences, written as a
LibriSpeech tree (`<split>/<speaker>/<chapter>/*.flac` with `.trans.txt` transcripts), so the same cells read a
real LibriSpeech copy unchanged.
"""),
        md("parameters-doc", f"""
## Parameters

The next cell holds the parameters; `layerwise report` replaces them (`--param key=value`).

{MODEL_PARAMETER_DOC}
- `dataPath`: a LibriSpeech tree (the root holding `dev-clean/`, or a split folder itself). Default: the synthetic
  sentences, synthesized here (10 speakers x 5 utterances) if the folder is missing; point it at a real
  LibriSpeech `dev-clean` for real data.
- `fileCounts`: the numbers of files analysed, each a separate set of figures (the seed: 3, 10 and 50). The files
  are a seeded shuffle of the corpus; a smaller set is the start of a larger one.
- `layersToShow`: layers drawn in the variance histograms and projections (the seed: 0, 6 and 12).
- `seed`: shuffling of the files, subsampling of frames for t-SNE, and t-SNE itself.
- `tsneMaxFrames`: t-SNE uses at most this many frames (a seeded sample), to keep it quick.
- `outDir`: where the frame-level features are saved.
"""),
        code("parameters", f"""
let model: string = '{BUNDLED_MODEL}';
let dataPath: string = '../data/spoken-sentences';
let fileCounts: number[] = [3, 10, 50];
let layersToShow: number[] = [0, 6, 12];
let seed: number = 0;
let tsneMaxFrames: number = 1000;
let outDir: string = '../outputs/02-layerwise-statistics';
""", tags=["parameters"]),
        code("setup", SETUP_CODE),
        md("load-doc", """
## Load the model and the utterances

The seed analysis loads HuBERT-base; any model of the wav2vec2 family works the same way (see `model` above).
"""),
        code("load-model", LOAD_MODEL_CODE),
        code("load-data", r"""
if (!fs.existsSync(dataPath)) {
  console.log(`${dataPath} does not exist; synthesizing the spoken-sentences demo corpus there (espeak-ng, flac)...`);
  const made = await lw.synthesizeSpokenSentences({ outDir: dataPath, speakers: 10, chaptersPerSpeaker: 1, utterancesPerChapter: 5 });
  console.log(`${made.written} utterances written`);
}
const corpus = lw.loadLibriSpeech(dataPath);
const maxFiles = Math.max(...fileCounts);
if (fileCounts.length === 0 || fileCounts.some((n) => !Number.isInteger(n) || n < 1)) {
  throw new Error(`fileCounts must be positive integers, got [${fileCounts.join(', ')}]`);
}
if (maxFiles > corpus.length) throw new Error(`fileCounts asks for ${maxFiles} files but ${dataPath} holds ${corpus.length}`);
const files = corpus.shuffle(seed).select(maxFiles);
lw.show(lw.table(files.select(Math.min(5, maxFiles)).toArray().map((item) => ({ utterance: item.id, speaker: item.speaker, transcript: item.transcript })),
  { title: `${corpus.length} utterances in ${dataPath}; the first of the ${maxFiles} analysed` }));
const example = files.at(0);
const exampleClip = await lw.loadAudio(example.path, { sampleRate: speechModel.sampleRate });
lw.show(lw.audioPlayer(exampleClip.samples, exampleClip.sampleRate, { title: `${example.id}: ${example.transcript}` }));
"""),
        md("extract-doc", """
## Feature extraction

Every file runs through the model on its own, at its own length, and every frame of every hidden state is kept
(`pooling: 'frames'`). The store holds, per layer, the frames of all files one after another plus an index of
where each file's frames lie, so files of different lengths need no padding: the seed analysis padded every
file to the longest one to stack them, which lets the padding enter the statistics; stacking frames avoids that.
"""),
        code("extract", r"""
const dataName = slug(path.basename(path.resolve(dataPath)));
const featuresDir = path.join(outDir, 'frames', `${slug(model)}-${dataName}-n${maxFiles}-seed${seed}`);
const extraction = await lw.extractFeatures(speechModel, files, {
  pooling: 'frames',
  layers: 'all',
  out: featuresDir,
  onProgress: lw.textProgress({ label: 'extract', intervalSeconds: 5 }),
});
console.log(extraction.alreadyComplete
  ? `reused the finished store in ${featuresDir}`
  : `${extraction.computed} files (${extraction.audioSeconds.toFixed(0)} s of audio) in ${extraction.seconds.toFixed(1)} s`);
console.log(`saved in ${featuresDir}`);
const store = lw.openFeatureStore(featuresDir);
const layerFrames = hiddenNames.map((name) => store.frames(name));
const frameIndex = layerFrames[0].index;
const layerNames = hiddenNames.map((name) => name.replace('hidden.', ''));
console.log(`${frameIndex.totalFrames} frames of ${hiddenNames.length} layers, ${layerFrames[0].matrix.cols} features each`);
"""),
        code("helpers", r"""
/** The frames `[frames, hidden]` of the first `n` files in one layer (files are stored one after another). */
function firstFiles(layer: number, n: number): lw.Matrix {
  const { matrix, index } = layerFrames[layer];
  const rows = n < index.ids.length ? index.offsets[n] : index.totalFrames;
  return { rows: rows, cols: matrix.cols, data: matrix.data.subarray(0, rows * matrix.cols) };
}

/** The file each frame of the first `n` files comes from. */
function frameFiles(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) for (let t = 0; t < frameIndex.counts[i]; t++) out.push(frameIndex.ids[i]);
  return out;
}

/** Rows `picked` of `X`. */
function takeRows(X: lw.Matrix, picked: readonly number[]): lw.Matrix {
  const data = new Float32Array(picked.length * X.cols);
  picked.forEach((r, k) => data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), k * X.cols));
  return { rows: picked.length, cols: X.cols, data: data };
}

for (const n of fileCounts) console.log(`${n} files: ${firstFiles(0, n).rows} frames`);
"""),
        md("stats-doc", """
## Feature statistics across layers

For each layer: the mean of each feature over all frames, then the average of those means (the point) and their
standard deviation over features (the error bar). One curve per number of files. Read it for trends: features
centred on zero in every layer, with wider error bars where some features sit far from zero on average (the seed
found this for the last layers of HuBERT-base). Sudden changes between neighbouring layers hint at a change of
role.
"""),
        code("stats", r"""
// stats[k][layer]: the statistics of one layer over the frames of the first fileCounts[k] files.
const stats: lw.FeatureStatsResult[][] = fileCounts.map((n) => hiddenNames.map((_, layer) => lw.featureStats(firstFiles(layer, n))));
lw.show(lw.layerCurves(fileCounts.map((n, k) => ({
  name: `${n} files`,
  values: stats[k].map((s) => s.meanOfMeans),
  errors: stats[k].map((s) => s.stdOfMeans),
})), { title: `Feature means per layer (error bars: std over features)${note}`, yTitle: 'mean feature value', xTitle: 'layer', xNames: layerNames }));
lw.show(lw.table(hiddenNames.map((_, layer) => {
  const row: Record<string, number> = { layer: layer };
  fileCounts.forEach((n, k) => {
    row[`mean (${n})`] = stats[k][layer].meanOfMeans;
    row[`std of means (${n})`] = stats[k][layer].stdOfMeans;
    row[`overall std (${n})`] = stats[k][layer].overallStd;
  });
  return row;
}), { title: `Per-layer statistics by number of files${note}`, digits: 3 }));
"""),
        md("variance-doc", """
## Feature variance per layer

Histograms of the variance of each feature over all frames, for layers 0, 6 and 12, one row per number of files.
Most features vary little (a tall bar near zero); the width of the histogram, how far the largest variances reach,
is what grows from layer to layer in HuBERT-base. Each panel has its own x range because later layers' variances
can be an order of magnitude larger; counts are on a log scale.
"""),
        code("variance", r"""
for (const [k, n] of fileCounts.entries()) {
  lw.show(lw.varianceHistograms(layersToShow.map((layer) => ({ name: `layer ${layer}`, variances: stats[k][layer].variance })),
    { title: `Per-feature variance, ${n} files${note}`, logCounts: true }));
}
"""),
        md("similarity-doc", """
## Layer similarity

Which layers represent the frames alike: row i, column j compares layer i with layer j on the same frames
(layer 0 at the top left). Left, the seed's measure: the mean cosine similarity between the same frame's vectors
in the two layers (it compares coordinates one by one, which works because every layer has the same width).
Right, linear CKA (Kornblith et al. 2019), which compares the similarity structure of the frames and ignores
rotations of the space. Bright blocks along the diagonal are groups of layers; HuBERT-base shows three (0-1,
2-6, 7-12 in the seed), with layer 0 least like the last layers.
"""),
        code("similarity", r"""
for (const n of fileCounts) {
  const X = hiddenNames.map((_, layer) => firstFiles(layer, n));
  const cosine = await lw.layerMatrix(X, 'cosineSimilarity');
  const cka = await lw.layerMatrix(X, 'linearCKA');
  lw.show(lw.heatmapGrid([
    { title: 'cosine similarity', values: cosine.values, names: layerNames, xTitle: 'layer', yTitle: 'layer' },
    { title: 'linear CKA', values: cka.values, names: layerNames, xTitle: 'layer', yTitle: 'layer' },
  ], { title: `Layer similarity, ${n} files (${X[0].rows} frames)${note}`, colorscale: 'Viridis', width: 960, height: 460 }));
}
"""),
        md("pca-doc", """
## PCA with explained variance

Each point is a frame, projected on the first two principal components of its layer and coloured by the file it
comes from; the panel titles give the share of the variance the two components hold. A high share means a layer's
frames lie close to a plane; a low one, that the layer spreads its variance over many directions. (The seed
analysis flattened each padded file into one point, so 3 files gave 3 points and trivially 100%; with frames as
points the share stays meaningful at every size.) Watch how the scale of the components and the share change
with depth and with more files.
"""),
        code("pca", r"""
for (const n of fileCounts) {
  const panels: lw.ProjectionPanel[] = [];
  for (const layer of layersToShow) {
    const fitted = await lw.pca(firstFiles(layer, n), { nComponents: 2 });
    panels.push({ title: lw.pcaTitle(`layer ${layer}`, fitted.explainedVarianceRatio), points: fitted.projection, xTitle: 'PC1', yTitle: 'PC2' });
  }
  lw.show(lw.projectionGrid(panels, frameFiles(n), { title: `PCA of frames, ${n} files, coloured by file${note}`, markerSize: 4, width: 1260 }));
}
"""),
        md("tsne-doc", """
## t-SNE

The same frames through t-SNE (at most `tsneMaxFrames` of them, a seeded sample), which keeps neighbourhoods
rather than directions of variance: frames of one file that form a trail or an island share their context or
their speaker; frames from different files that mix are represented alike regardless of the file (silence
often does this). Distances between islands carry little meaning.
"""),
        code("tsne", r"""
for (const n of fileCounts) {
  const total = firstFiles(0, n).rows;
  const all = Array.from({ length: total }, (_, i) => i);
  const picked = total <= tsneMaxFrames
    ? all
    : new lw.Random(`${seed}:tsne:${n}`).shuffle(all).slice(0, tsneMaxFrames).sort((a, b) => a - b);
  const fileOfFrame = frameFiles(n);
  const panels: lw.ProjectionPanel[] = [];
  for (const layer of layersToShow) {
    const embedded = await lw.tsne(takeRows(firstFiles(layer, n), picked), {
      seed: seed,
      method: 'barnes-hut',
      perplexity: Math.min(30, (picked.length - 1) / 3),
    });
    panels.push({ title: `layer ${layer}`, points: embedded.embedding });
  }
  lw.show(lw.projectionGrid(panels, picked.map((r) => fileOfFrame[r]), {
    title: `t-SNE of ${picked.length} of ${total} frames, ${n} files, coloured by file${note}`,
    markerSize: 4,
    width: 1260,
  }));
}
"""),
        md("reading", """
## Reading the results

With HuBERT-base the seed analysis found: zero-centred features in every layer with the spread growing in the
last layers; per-feature variances whose range widens sharply with depth (layer 12 widest); three groups of
similar layers (0-1, 2-6, 7-12); and PCA planes that hold less of the variance as more files are added, with the
scale of the components growing with depth. With the bundled random-weight model the figures only show what
random layers do to the audio; rerun with a real model (`--param model=...`) for findings.
"""),
    ])


def write(nb, folder, name):
    nbformat.validate(nb)
    target = os.path.join(folder, name)
    with open(target, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    print(f"wrote {target}")


def output_folder():
    """The folder named by `--out DIR` (default: notebooks/), created; shared by every generator script."""
    args = sys.argv[1:]
    folder = NOTEBOOKS
    if args[:1] == ["--out"] and len(args) == 2:
        folder = args[1]
    elif args:
        sys.exit(f"usage: {sys.argv[0]} [--out DIR]   (default DIR: {NOTEBOOKS})")
    os.makedirs(folder, exist_ok=True)
    return folder


def main():
    folder = output_folder()
    write(getting_started(), folder, "01-getting-started.ipynb")
    write(layerwise_statistics(), folder, "02-layerwise-statistics.ipynb")


if __name__ == "__main__":
    main()
