#!/usr/bin/python3
"""Write notebooks/03-sparse-autoencoder.ipynb (seed 003) from the cells below, without outputs.

    /usr/bin/python3 notebooks/src/build_03_sparse_autoencoder.py             # rewrite notebooks/03-*.ipynb
    /usr/bin/python3 notebooks/src/build_03_sparse_autoencoder.py --out DIR   # write it to DIR instead

It shares the conventions (kernel, model parameter text, setup cell, cell helpers) of build_notebooks.py.
test/notebooks/notebooks.test.ts checks that the committed notebook is what this script writes. Cell ids are
fixed, so regenerating unchanged cells gives the same bytes.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from build_notebooks import BUNDLED_MODEL, MODEL_PARAMETER_DOC, SETUP_CODE, code, md, notebook, output_folder, write  # noqa: E402

NAME = "03-sparse-autoencoder.ipynb"


def sparse_autoencoder():
    return notebook([
        md("intro", """
# Sparse autoencoders on the residual stream

A sparse autoencoder (SAE) rewrites each frame of a layer's residual stream as a sparse, non-negative mix of
many more directions ("features") than the layer has dimensions, so that each feature, unlike a single neuron,
may stand for one thing. This notebook follows the sparse-autoencoder notebook of the project this library
mirrors (wav2vec2-base-960h, the residual stream after transformer layer 6, 2 s LibriSpeech clips) cell for cell:
it trains the SAE (or loads a trained one), measures it, compares how sparse the residual stream, the FFN
neurons and the SAE features are, and lists each feature's top-activating clips with audio players and
transcripts.

With the default bundled model, whose weights are **random**, the SAE learns a dictionary of random
activations: every number and figure below shows that the pipeline works, and no feature means anything. Run it
with a real model (and, if you have it, the seed's trained SAE) for features worth listening to.
"""),
        md("parameters-doc", f"""
## Parameters

The next cell holds the parameters; `layerwise report` replaces them (`--param key=value`).

{MODEL_PARAMETER_DOC}
- `dataPath`: a LibriSpeech tree. Default: the synthetic sentences (10 speakers x 5 utterances), synthesized here
  if the folder is missing. The seed used LibriSpeech train-clean-100 cut into 2 s clips.
- `layer`: the hidden state the SAE reads, `hidden.<layer>`: the residual stream after transformer layer `layer`
  (the seed: 6, the output of `encoder.layers[5]`). The FFN neurons compared with it are those of the same
  transformer layer, `ffn.<layer - 1>` (the seed's hook on `encoder.layers[5].feed_forward.intermediate_act_fn`).
- `clipSeconds`, `numClips`: utterances (in a seeded order) are cut into consecutive clips of `clipSeconds`
  seconds, a shorter rest dropped, and the first `numClips` clips are used (the seed: 2 s, 10000 clips).
- `variant`, `expansion`, `l1`, `k`, `lr`, `steps`, `batchSize`, `seed`: SAE training (`trainSAE`). `relu-l1` is
  the seed's architecture; `topk` and `batch-topk` keep `k` latents per frame. The seed trained `relu-l1` with
  expansion 8 (768 -> 6144 latents), `l1` 3, `lr` 1e-4, batch 16384 for 12000 steps on 20M frames; the offline
  defaults (`l1` 1, `lr` 1e-3, batch 1024, 1000 steps) suit the few thousand frames of the demo set.
- `saePath`: a trained SAE to load instead of training: a `.safetensors` file written by `saveSAE`, or a PyTorch
  `state_dict` checkpoint (`.pt`) with the seed's parameter names, such as the seed's `sae-resid-layer-6.pt`
  (read as tensors only; no pickle code runs). Empty: train one here.
- `featuresToStore`: how many features of each kind (residual neurons, FFN neurons, SAE latents) get a ranking
  of top-activating clips (the seed: the first 100).
- `traceIndex`, `traceFrames`: the neuron / feature drawn over time, on the first `traceFrames` frames (the seed:
  34 and 10000).
- `saeFeatures`, `ffnNeurons`: the SAE features and FFN neurons shown as cards of top-activating clips. Empty:
  chosen here (the live SAE features with the highest peaks, the FFN neuron with the highest peak).
- `numExamples`: clips per card (the seed: 5).
- `outDir`: where the frame-level activations and the trained SAE are saved.
"""),
        code("parameters", f"""
let model: string = '{BUNDLED_MODEL}';
let dataPath: string = '../data/spoken-sentences';
let layer: number = 6;
let clipSeconds: number = 2;
let numClips: number = 50;
let variant: 'relu-l1' | 'topk' | 'batch-topk' = 'relu-l1';
let expansion: number = 8;
let l1: number = 1;
let k: number = 32;
let lr: number = 0.001;
let steps: number = 1000;
let batchSize: number = 1024;
let seed: number = 0;
let saePath: string = '';
let featuresToStore: number = 100;
let traceIndex: number = 34;
let traceFrames: number = 10000;
let saeFeatures: number[] = [];
let ffnNeurons: number[] = [];
let numExamples: number = 5;
let outDir: string = '../outputs/03-sparse-autoencoder';
""", tags=["parameters"]),
        md("setup-doc", """
## Setup

Everything comes from the `layerwise` package (the seed installs transformers, datasets, torch and plotly).
"""),
        code("setup", SETUP_CODE + r"""

/** Column `j` of a `[rows, cols]` matrix. */
function column(m: lw.Matrix, j: number): Float32Array {
  if (!(Number.isInteger(j) && j >= 0 && j < m.cols)) throw new Error(`column ${j} is outside [0, ${m.cols})`);
  const out = new Float32Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.data[r * m.cols + j];
  return out;
}"""),
        md("load-doc", """
## Load the model

`loadModel` returns a model that yields every hidden state in one run; `ffn: [i]` also exposes the FFN
intermediate activation (after the GELU, `[frames, 4 x hidden]`) of transformer layer `i` as `ffn.<i>`: the two
activations the seed captures with forward hooks.
"""),
        code("load-model", r"""
if (!(Number.isInteger(layer) && layer >= 1)) throw new Error(`layer must be the output of a transformer layer (1 or more), got ${layer}`);
const ffnLayer = layer - 1;
// The layer-exposed graph is rebuilt in memory rather than written beside the model file.
const speechModel = await lw.loadModel(model, { ffn: [ffnLayer], cacheExposed: false });
// The bundled demo model says in its config.json that its weights are random; figures must say so too.
const modelConfig: { layerwise_note?: string } =
  speechModel.info.configFile !== undefined ? JSON.parse(fs.readFileSync(speechModel.info.configFile, 'utf8')) : {};
const randomWeights = (modelConfig.layerwise_note ?? '').includes('random weights');
const note = randomWeights ? ' (random weights)' : '';
const residName = `hidden.${layer}`;
const ffnName = `ffn.${ffnLayer}`;
if (!speechModel.layerNames.includes(residName)) throw new Error(`${model} has no ${residName}; it has ${speechModel.layerNames.filter((n) => n.startsWith('hidden.')).length} hidden states`);
console.log(`model: ${speechModel.id}${note}`);
console.log(`residual stream: ${residName} (output of transformer layer ${layer}); FFN neurons: ${ffnName} (inside that layer); ` +
  `${speechModel.sampleRate} Hz input, one frame every ${speechModel.frameSeconds * 1000} ms`);
"""),
        md("data-doc", """
## Load the dataset

The seed cuts LibriSpeech into 2 s clips. Here the utterances of `dataPath`, in a seeded order, are cut into
consecutive `clipSeconds` clips (a shorter rest is dropped), and the first `numClips` are used; each clip keeps its
utterance's transcript. The seed prints the model's own CTC transcription of a clip; the bundled model has no CTC
head, so the transcripts here are the dataset's, for the whole utterance the clip was cut from. Listen to a
random clip:
"""),
        code("load-data", r"""
if (!fs.existsSync(dataPath)) {
  console.log(`${dataPath} does not exist; synthesizing the spoken-sentences demo corpus there (espeak-ng, flac)...`);
  const made = await lw.synthesizeSpokenSentences({ outDir: dataPath, speakers: 10, chaptersPerSpeaker: 1, utterancesPerChapter: 5 });
  console.log(`${made.written} utterances written`);
}
if (!(clipSeconds > 0)) throw new Error(`clipSeconds must be positive, got ${clipSeconds}`);
if (!(Number.isInteger(numClips) && numClips >= 1)) throw new Error(`numClips must be a positive integer, got ${numClips}`);
const corpus = lw.loadLibriSpeech(dataPath);
const clipItems: lw.DatasetItem[] = [];
const utteranceOf = new Map<string, string>();
for (const utterance of corpus.shuffle(seed)) {
  if (clipItems.length >= numClips) break;
  const decoded = await lw.loadAudio(utterance.path, { sampleRate: null });
  const duration = decoded.frames / decoded.sampleRate;
  for (let piece = 0; (piece + 1) * clipSeconds <= duration && clipItems.length < numClips; piece++) {
    const id = `${utterance.id}_${piece}`;
    clipItems.push({ id: id, path: utterance.path, start: piece * clipSeconds, end: (piece + 1) * clipSeconds, transcript: utterance.transcript, speaker: utterance.speaker });
    utteranceOf.set(id, utterance.id);
  }
}
if (clipItems.length < numClips) {
  throw new Error(`numClips is ${numClips}, but the ${corpus.length} utterances in ${dataPath} give only ${clipItems.length} clips of ${clipSeconds} s`);
}
const clips = new lw.Dataset(clipItems);
const clipById = new Map(clips.toArray().map((c) => [c.id, c] as [string, lw.DatasetItem]));
console.log(`Loaded ${clips.length} clips of ${clipSeconds} s from ${new Set(utteranceOf.values()).size} utterances in ${path.resolve(dataPath)}`);

const shown = clips.at(new lw.Random(seed).int(clips.length));
const shownAudio = await lw.loadAudio(shown.path, { sampleRate: speechModel.sampleRate, start: shown.start, end: shown.end });
lw.show(lw.audioPlayer(shownAudio.samples, shownAudio.sampleRate, { title: `${shown.id} (seconds ${shown.start}-${shown.end} of ${utteranceOf.get(shown.id)})` }));
console.log(shown.transcript);
"""),
        md("sae-doc", """
## Define the SAE

The seed's SAE follows Anthropic's April 2024 update ("Circuits Updates - April 2024", *Training SAEs*,
<https://transformer-circuits.pub/2024/april-update/index.html#training-saes>):

- encoder and decoder without bias plus separate biases: `f = ReLU(W_e x + b_e)`, `x_hat = W_d f + b_d`;
- decoder columns start as random directions with norms drawn from [0.05, 1], and the encoder as the decoder
  transposed;
- loss = summed squared error + lambda x sum_i ||W_d[:, i]|| f_i, averaged over the batch: the L1 penalty weighs
  each feature by its decoder norm, so shrinking activations by growing decoder columns does not pay.

`trainSAE` trains it with Adam (the seed's optimiser), the step (forward, backward, Adam update) running as
one onnxruntime graph; lambda warms up over the first 5% of steps and the learning rate decays to 0 over the
last 20% (Anthropic's schedule). It reads the frames straight from the feature store in shuffled batches,
so sets far larger than memory train, and holds out 20% of the frames (in blocks) for validation, as the
seed's `val_split`. The options for this run:
"""),
        code("sae-config", r"""
const trainOptions: lw.TrainSAEOptions = {
  variant: variant,
  expansion: expansion,
  l1: l1,
  k: k,
  lr: lr,
  steps: steps,
  batchSize: batchSize,
  seed: seed,
  validationFraction: 0.2,
};
lw.show(lw.table(Object.entries(trainOptions).map(([option, value]) => ({ option: option, value: String(value) })),
  { title: saePath === '' ? 'SAE training options' : `SAE training options (not used: loading ${saePath})` }));
"""),
        md("extract-doc", """
## Collect the activations

The seed registers forward hooks on the residual stream and the FFN activation, runs 10000 clips and keeps the
first 100 features of each in GPU memory. Here `extractFeatures` runs every clip once and writes every frame of
both activations to a feature store on disk (`pooling: 'frames'`), in shards, resumable, and reused when the
cell runs again with the same arguments. Everything below reads the store shard by shard, so the number of clips
is limited by disk, not memory.
"""),
        code("extract", r"""
const dataName = slug(path.basename(path.resolve(dataPath)));
const featuresDir = path.join(outDir, 'frames', `${slug(model)}-${dataName}-L${layer}-n${numClips}-${clipSeconds}s-seed${seed}`);
const extraction = await lw.extractFeatures(speechModel, clips, {
  pooling: 'frames',
  layers: [residName, ffnName],
  out: featuresDir,
  onProgress: lw.textProgress({ label: 'extract', intervalSeconds: 5 }),
});
console.log(extraction.alreadyComplete
  ? `reused the finished store in ${featuresDir}`
  : `${extraction.computed} clips (${extraction.audioSeconds.toFixed(0)} s of audio) in ${extraction.seconds.toFixed(1)} s`);
const store = lw.openFeatureStore(featuresDir);
const residSource = lw.featureStoreFrameSource(store, residName);
const ffnSource = lw.featureStoreFrameSource(store, ffnName);
const frameSeconds = store.meta.frameSeconds;
console.log(`resid_acts: [${residSource.count}, ${residSource.dim}], ffn_acts: [${ffnSource.count}, ${ffnSource.dim}], clips: ${store.itemIds.length}`);
"""),
        md("train-doc", """
## Train (or load) the SAE

The seed downloads an SAE trained on 20M frames (about 100 hours of audio) with 6144 features. With `saePath`
empty, this cell trains one on the stored residual frames instead, printing the loss, L0 (active features per
frame) and the share of dead features (none firing over the last pass through the frames) every few seconds, and saves it as safetensors (the four parameters
under the seed's `state_dict` names, the config in the header). With `saePath` set it loads that file.
"""),
        code("train", r"""
let sae: lw.SAE;
let training: lw.TrainSAEResult | null = null;
if (saePath !== '') {
  sae = lw.loadSAE(saePath);
  console.log(`loaded ${saePath}`);
} else {
  training = await lw.trainSAE(residSource, {
    ...trainOptions,
    // 'dead' in the progress lines: fired on none of the last pass over the frames.
    deadWindowFrames: residSource.count,
    onProgress: lw.textTrainProgress({ label: 'sae', intervalSeconds: 5 }),
  });
  sae = training.sae;
  fs.mkdirSync(outDir, { recursive: true });
  const savedTo = path.join(outDir, `sae-resid-layer-${layer}.safetensors`);
  lw.saveSAE(sae, savedTo);
  console.log(`trained on ${training.trainFrames} frames (${training.validationFrames} held out) in ${training.seconds.toFixed(1)} s; saved to ${savedTo}`);
}
if (sae.inputDim !== residSource.dim) throw new Error(`the SAE reads ${sae.inputDim} values per frame, but ${residName} has ${residSource.dim}`);
console.log(`SparseAutoencoder(${sae.config.variant}: ${sae.inputDim} -> ${sae.latents} latents${sae.config.k > 0 ? `, k = ${sae.config.k}` : ''})`);
"""),
        md("measures-doc", """
## How well the SAE reconstructs, and how sparse it is

Measured on every stored frame (and, for a trained SAE, on the held-out 20%):

- **MSE**: mean squared error per value; the seed's loss uses the per-frame sum, shown as *SSE per frame*.
- **FVU**: fraction of variance unexplained, the squared error over the frames' total variance; 0 is a perfect
  reconstruction, 1 is no better than the mean frame.
- **L0**: active (non-zero) features per frame, on average; lower is sparser.
- **Dead features**: features that fire on none of these frames.
"""),
        code("measures", r"""
const metrics = await lw.evaluateSAE(sae, residSource);
const measureRow = (frames: string, m: lw.SAEMetrics) => ({
  frames: frames,
  MSE: m.mse,
  'SSE per frame': m.sse,
  FVU: m.fvu,
  L0: m.l0,
  'dead features': `${m.deadLatents.length} of ${sae.latents} (${(100 * m.deadFraction).toFixed(1)}%)`,
});
const measureRows = [measureRow(`all ${metrics.frames}`, metrics)];
if (training !== null && training.validation !== null) measureRows.push(measureRow(`held out ${training.validation.frames}`, training.validation));
lw.show(lw.table(measureRows, { title: `SAE on ${residName}${note}` }));
"""),
        md("density-doc", """
### Feature density

How often each feature fires: one count per feature of the share of frames it is active on, on a log10 axis
(as in Anthropic's and SAELens' SAE reports). In a healthy SAE most features fire rarely, on 1e-4 to 1e-1 of the
frames; a bump at the right end means features that fire on nearly every frame (dense, rarely interpretable);
dead features, which never fire, have no place on a log axis and are the red bar at the far left. With a few
thousand frames the lowest density that can be seen is one frame in all of them, so the axis starts there.
"""),
        code("density", r"""
const density = lw.featureDensityHistogram(metrics.frequencies, { frames: metrics.frames, bins: 40 });
lw.show(lw.featureDensityFigure(density, { title: `Feature density of the ${sae.latents} SAE features${note}`, frames: metrics.frames }));
"""),
        md("percent-doc", """
## How sparse are the residual stream, the FFN neurons and the SAE features?

The share of entries above zero on the same frames, for the residual stream (`hidden.<layer>`), the FFN
intermediate neurons of that layer (after the GELU) and the SAE features. The seed found 49%, 3.1% and 0.17% with
wav2vec2-base-960h: half of the residual values are positive (they are centred on zero), the FFN neurons are
already sparse, the SAE features far sparser. The seed counted the first 100 features of each on 10000 clips;
here every feature of each counts, on every stored frame. The bars use a log scale.
"""),
        code("percent", r"""
/** The share of entries > 0 of a stored layer, in %, counted shard by shard. */
function storedActivationPercent(name: string): { percent: number; features: number } {
  let positive = 0;
  let total = 0;
  let features = 0;
  for (const shard of store.iterateShards(name)) {
    const values = shard.frames.data;
    for (let i = 0; i < values.length; i++) if (values[i] > 0) positive++;
    total += values.length;
    features = shard.frames.cols;
  }
  return { percent: (100 * positive) / total, features: features };
}
const percentRows: lw.ActivationComparisonEntry[] = [
  { name: `residual stream (${residName})`, ...storedActivationPercent(residName) },
  { name: `FFN neurons (${ffnName})`, ...storedActivationPercent(ffnName) },
  { name: 'SAE features', percent: metrics.activationPercent, features: sae.latents },
];
lw.show(lw.activationComparisonFigure(percentRows, { title: `Active entries (> 0) on the same ${metrics.frames} frames${note}` }));
lw.show(lw.table(percentRows.map((r) => ({ activations: r.name, features: r.features, 'active %': r.percent })), { title: 'Activation %' }));
"""),
        md("trace-doc", """
## Activations over time

Neuron (or feature) `traceIndex` of each kind over the first `traceFrames` frames, clip after clip (each clip
takes `clipSeconds` of the time axis). The seed's observation: residual values wander around zero all the time,
while FFN neurons and SAE features stay at zero most of the time and rise in short peaks that last several
consecutive frames, a sound rather than a frame. Zoom in around the peaks.
"""),
        code("trace", r"""
const traceCount = Math.min(traceFrames, residSource.count);
const residFirst = await residSource.read(0, traceCount);
const ffnFirst = await ffnSource.read(0, traceCount);
const saeFirst = await sae.encodeNormalized(residFirst, { features: [traceIndex] });
const span = `the first ${traceCount} frames`;
lw.show(lw.activationTrace(column(residFirst, traceIndex), { frameSeconds: frameSeconds, title: `Residual neuron ${traceIndex} over ${span}${note}` }));
lw.show(lw.activationTrace(column(ffnFirst, traceIndex), { frameSeconds: frameSeconds, title: `FFN neuron ${traceIndex} over ${span}${note}` }));
lw.show(lw.activationTrace(column(saeFirst, 0), { frameSeconds: frameSeconds, title: `SAE feature ${traceIndex} over ${span}${note}` }));
"""),
        md("top-doc", """
## Top-activating clips per feature

For each of the first `featuresToStore` residual neurons, FFN neurons and SAE features, the clips where it
activates most: the highest frames, at most one per clip (the seed skips further frames of a clip already
listed), up to 10 per feature. SAE activations are multiplied by each feature's decoder norm, as the seed does
(Anthropic's normalisation), so that they compare across features. The residual neurons are the baseline.
"""),
        code("top", r"""
const firstFeatures = (n: number): number[] => Array.from({ length: Math.min(featuresToStore, n) }, (_, i) => i);
const residTop = await lw.topNeuronActivations(store, { layer: residName, features: firstFeatures(residSource.dim), perFeature: 10 });
const ffnTop = await lw.topNeuronActivations(store, { layer: ffnName, features: firstFeatures(ffnSource.dim), perFeature: 10 });
const saeTop = await lw.topActivations(sae, store, { layer: residName, features: firstFeatures(sae.latents), perFeature: 10 });
const topByKind = { resid: residTop, ffn: ffnTop, sae: saeTop };
const ranked = (r: lw.TopActivationsResult) => r.examples.filter((list) => list.length > 0).length;
console.log(`ranked ${residTop.features.length} residual neurons, ${ffnTop.features.length} FFN neurons and ${saeTop.features.length} SAE features ` +
  `(${ranked(saeTop)} of them fire on at least one frame)`);
"""),
        md("cards-doc", """
## Listening to features

`displayActivationExamples(feature, kind, n)` shows a feature's top `n` clips as a card, as the seed's
`display_activation_examples`: the activation at the peak, the clip, the time of the peak, a player for the
whole clip and one for the half second around the peak, the feature's activation over the clip (the shaded
span is what the second player plays), and the transcript. The audio is part of the page, so the cards play
in the saved report too.
"""),
        code("cards-helper", r"""
/** The activation of one feature on every frame of one clip. */
async function featureOverClip(kind: 'sae' | 'resid' | 'ffn', feature: number, clipId: string): Promise<Float32Array> {
  if (kind === 'sae') return (await sae.encodeNormalized(store.framesOf(clipId, residName), { features: [feature] })).data;
  return column(store.framesOf(clipId, kind === 'resid' ? residName : ffnName), feature);
}

/** The card of `feature`'s top examples, plus the data behind it. */
async function displayActivationExamples(feature: number, kind: 'sae' | 'resid' | 'ffn', n: number): Promise<lw.FeatureCardExample[]> {
  const top = topByKind[kind];
  const at = top.features.indexOf(feature);
  if (at < 0) throw new Error(`${kind} feature ${feature} has no ranking; the cell above ranks the first ${featuresToStore} (featuresToStore)`);
  const examples: lw.FeatureCardExample[] = [];
  for (const example of top.examples[at].slice(0, n)) {
    const clip = clipById.get(example.clipId);
    if (clip === undefined) throw new Error(`clip ${example.clipId} of the store is not among this run's clips`);
    const audio = await lw.loadAudio(clip.path, { sampleRate: speechModel.sampleRate, start: clip.start, end: clip.end });
    examples.push({
      ...example,
      samples: audio.samples,
      sampleRate: audio.sampleRate,
      trace: await featureOverClip(kind, feature, example.clipId),
      source: `seconds ${clip.start}-${clip.end} of ${utteranceOf.get(clip.id)}`,
    });
  }
  const what = kind === 'sae' ? 'SAE feature' : kind === 'ffn' ? 'FFN neuron' : 'residual neuron';
  lw.show(lw.featureCard(examples, { title: `Top activating examples for ${what} ${feature}${note}`, frameSeconds: frameSeconds }));
  return examples;
}
"""),
        md("sae-cards-doc", """
### SAE features

The seed lists features of its trained SAE worth a listen (23: an 'sk' sound, 55: 'over', 46: 'ual' as in usual,
actual and equal, 27: 'an'/'ang', ...). With `saeFeatures` empty this cell picks the three live features (firing in
at least `numExamples` clips) with the highest peaks. After each card, the feature's activation over its top clip,
with the segment around the peak shaded. With random model weights, a feature's clips share nothing audible.
"""),
        code("sae-cards", r"""
const saeChoice = saeFeatures.length > 0 ? saeFeatures : saeTop.features
  .map((f, i) => ({ feature: f, clips: saeTop.examples[i].length, peak: saeTop.examples[i].length > 0 ? saeTop.examples[i][0].activation : 0 }))
  .filter((c) => c.clips >= Math.min(numExamples, clips.length))
  .sort((a, b) => b.peak - a.peak || a.feature - b.feature)
  .slice(0, 3)
  .map((c) => c.feature);
if (saeChoice.length === 0) console.log(`no SAE feature among the first ${saeTop.features.length} fires in ${numExamples} clips; set saeFeatures to show some anyway`);
for (const feature of saeChoice) {
  const examples = await displayActivationExamples(feature, 'sae', numExamples);
  if (examples.length === 0) continue;
  const best = examples[0];
  lw.show(lw.activationTrace(best.trace ?? [], {
    frameSeconds: frameSeconds,
    title: `SAE feature ${feature} over its top clip ${best.clipId}${note}`,
    highlight: lw.peakSegment(best.seconds, best.samples.length / best.sampleRate, frameSeconds, 0.25),
  }));
}
"""),
        md("ffn-cards-doc", """
### FFN neurons

The seed's last cell: unlike in language models, wav2vec2's FFN neurons are sparse and often interpretable on their
own (30: 'wen'/'won', 33: nasal 'nat', 41: 'tra', 99: 'tion' as in action). With `ffnNeurons` empty this cell shows
the FFN neuron with the highest peak among the first `featuresToStore`.
"""),
        code("ffn-cards", r"""
const ffnChoice = ffnNeurons.length > 0 ? ffnNeurons : ffnTop.features
  .map((f, i) => ({ feature: f, peak: ffnTop.examples[i].length > 0 ? ffnTop.examples[i][0].activation : -Infinity }))
  .sort((a, b) => b.peak - a.peak || a.feature - b.feature)
  .slice(0, 1)
  .map((c) => c.feature);
for (const neuron of ffnChoice) await displayActivationExamples(neuron, 'ffn', numExamples);
"""),
        md("reading", """
## Reading the results

With wav2vec2-base-960h and the seed's SAE (`--param model=<an ONNX export of facebook/wav2vec2-base-960h>
--param saePath=sae-resid-layer-6.pt --param dataPath=<LibriSpeech>`), the seed reports residual values positive
about half the time, FFN neurons about 3% of the time and SAE features 0.17%, and SAE features and FFN neurons
whose top clips share a sound or a word. With the bundled random-weight model the SAE still trains, reconstructs
and sparsifies the activations (the measures and the density above are real), but what it decomposes is the
output of random layers, so its features carry no meaning.

- Bricken, T. et al. (2023). Towards Monosemanticity: Decomposing Language Models With Dictionary Learning.
  *Transformer Circuits Thread*. <https://transformer-circuits.pub/2023/monosemantic-features>
- Conerly, T. et al. (2024). Circuits Updates - April 2024: Update on how we train SAEs. *Transformer Circuits
  Thread*. <https://transformer-circuits.pub/2024/april-update/index.html#training-saes>
- Gao, L. et al. (2024). Scaling and evaluating sparse autoencoders. arXiv:2406.04093 (the `topk` variant).
- Bussmann, B., Leask, P. & Nanda, N. (2024). BatchTopK Sparse Autoencoders. arXiv:2412.06410 (`batch-topk`).
"""),
    ])


def main():
    folder = output_folder()
    write(sparse_autoencoder(), folder, NAME)


if __name__ == "__main__":
    main()
