#!/usr/bin/python3
"""Writes notebooks/00-environment-check.ipynb (without outputs). Run: /usr/bin/python3 notebooks/src/build_00_environment_check.py"""
import os

import nbformat
md = nbformat.v4.new_markdown_cell
code = nbformat.v4.new_code_cell
cells = [
md("""# 00 · Environment check

Run this first on a new machine. It checks that the pieces every analysis notebook needs work here, by
running them for real: the TypeScript kernel imports `layerwise`, onnxruntime runs a graph, espeak-ng and
sox are installed, Jupyter can export reports, the demo dataset is in place and decodes, and the bundled
model returns the hidden states of every layer."""),
code("""// Parameters (a report run can override them: layerwise report notebooks/00-environment-check.ipynb --param dataDir=...)
let dataDir = '../data/spoken-words';
let modelPath = '../models/wav2vec2-tiny-random/model.onnx';""", metadata={'tags': ['parameters']}),
md("""## The library and its runtime
`environmentReport()` runs each check: a small MatMul graph through onnxruntime-node, and the external
programs' version commands. Every row should say `ok`."""),
code("""import * as lw from 'layerwise';

const report = await lw.environmentReport();
console.log(`layerwise ${report.layerwiseVersion} on Node ${report.node} (${report.platform}), ${report.threads} threads`);
lw.show(lw.table(report.checks.map((c) => ({ check: c.name, ok: c.ok ? 'ok' : 'FAILED', detail: c.detail })), { title: 'Environment checks' }));
if (!report.ok) throw new Error('some environment checks failed: see the table above and environment/README.md');"""),
md("""## The demo dataset
The offline demo data is synthetic speech in the Speech Commands layout (`<word>/<clip>.wav`), made by
`layerwise synth words` with espeak-ng (this cell makes it if the folder is missing): 10 words, 50
synthetic speakers each. The table counts clips per word;
the players let you listen to one clip of the first three words."""),
code("""import * as fs from 'fs';

if (!fs.existsSync(dataDir)) {
  console.log(`${dataDir} does not exist; synthesizing the spoken-words demo set there (espeak-ng)...`);
  const made = await lw.synthesizeSpokenWords({ outDir: dataDir });
  console.log(`${made.written} clips written`);
}
const words = lw.loadLabelledFolders(dataDir);
const counts = words.labels().map((label) => ({ word: label, clips: words.filter((item) => item.label === label).length }));
lw.show(lw.table(counts, { title: `${words.length} clips in ${dataDir}` }));
for (const label of words.labels().slice(0, 3)) {
  const item = words.filter((it) => it.label === label).at(0);
  const audio = await lw.loadAudio(item.path);
  lw.show(lw.audioPlayer(audio.samples, audio.sampleRate, { title: `'${label}' (${item.id})` }));
}"""),
md("""## The bundled model
`models/wav2vec2-tiny-random` has the wav2vec2-base architecture (7 conv layers, 12 transformer layers)
at hidden size 64 with **random weights**: it lets the notebooks run offline and is not a source of
findings. Its ONNX file only outputs the last layer; `loadModel` exposes every layer's output, so one run
returns all 13 hidden states, each `[frames, hidden]` (20 ms per frame)."""),
code("""const model = await lw.loadModel(modelPath);
const first = words.at(0);
const clip = await lw.loadAudio(first.path, { sampleRate: model.sampleRate });
const cache = await model.run(clip.samples);
console.log(`${model.id}: ${model.layerNames.length} activations available, frame every ${model.frameSeconds * 1000} ms`);
lw.show(lw.table(cache.names.map((name) => ({ activation: name, frames: cache.get(name).rows, features: cache.get(name).cols })),
  { title: `Hidden states of one 1 s clip (${first.id})` }));
await model.release();"""),
md("""## A first figure
Plotly figures render inline and in the exported HTML report without any network access (plotly.js is
embedded once per notebook). This one plots, for the same clip, the mean L2 norm of a frame's hidden state at
each layer, a quick look at how the scale of the representation changes through the (random) stack."""),
code("""const meanNorm = cache.hiddenStates().map((h) => {
  let total = 0;
  for (let f = 0; f < h.rows; f++) {
    let sq = 0;
    for (let j = 0; j < h.cols; j++) sq += h.data[f * h.cols + j] ** 2;
    total += Math.sqrt(sq);
  }
  return total / h.rows;
});
lw.show(lw.layerCurves([{ name: 'mean frame norm', values: meanNorm }],
  { title: 'Mean hidden-state norm per layer (random weights)', yTitle: 'L2 norm', xTitle: 'layer' }));"""),
]
# Stable cell ids, so regenerating the notebook leaves git with nothing to show.
for i, c in enumerate(cells):
    c['id'] = f'cell-{i:02d}'
nb = nbformat.v4.new_notebook(cells=cells)
nb.metadata['kernelspec'] = {'name': 'layerwise', 'display_name': 'TypeScript (layerwise)', 'language': 'typescript'}
nb.metadata['language_info'] = {'name': 'typescript', 'file_extension': '.ts', 'mimetype': 'text/typescript'}
nbformat.write(nb, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '00-environment-check.ipynb'))
