/**
 * Seed 000's analysis in library calls, what `layerwise analyze` does in one command:
 *   npx tsx examples/analyze.ts [DATA] [MODEL] [OUT]
 * DATA: a labelled-folders directory (default '': the demo words), MODEL: default demo:wav2vec2-tiny-synthetic.
 */
import * as lw from 'layerwise';

async function main(): Promise<void> {
  const [data = '', modelSource = 'demo:wav2vec2-tiny-synthetic', out = 'outputs/example-analysis'] = process.argv.slice(2);
  const dir = await lw.dataFolder(data, { demo: 'spoken-words', make: (d) => lw.synthesizeSpokenWords({ outDir: d }) });
  const clips = lw.loadLabelledFolders(dir).shuffle(42);
  const model = await lw.loadModel(modelSource);
  const note = model.info.caveat === undefined ? '' : ` (${model.info.caveat})`; // demo models say what they are
  await lw.extractFeatures(model, clips, { pooling: 'mean', out: `${out}/features` });
  const store = lw.openFeatureStore(`${out}/features`);
  const hidden = model.layerNames.filter((n) => n.startsWith('hidden.')).map((n) => store.layer(n));
  const labels = store.labels.map((l) => String(l));
  const cka = await lw.layerMatrix(hidden, 'linearCKA');
  const perplexity = Math.min(30, Math.floor((labels.length - 1) / 3)); // t-SNE needs perplexity < items
  const panels: lw.ProjectionPanel[] = [];
  for (const layer of [0, hidden.length - 1]) {
    const X = hidden[layer];
    if (X !== undefined) panels.push({ title: `layer ${layer}`, points: (await lw.tsne(X, { seed: 42, perplexity, method: 'barnes-hut' })).embedding });
  }
  const rows: { layer: number; convexity: number; 'probe accuracy': number }[] = [];
  for (const [layer, X] of hidden.entries()) {
    const convexity = await lw.graphConvexity(X, labels, { k: 10, seed: 42 });
    const probe = await lw.linearProbe(X, labels, { folds: 5, seed: 42 });
    rows.push({ layer, convexity: convexity.pooled.mean, 'probe accuracy': probe.accuracy });
  }
  lw.saveCSV(rows, `${out}/layers.csv`);
  const curves = lw.layerCurves([{ name: 'convexity', values: rows.map((r) => r.convexity) }, { name: 'probe accuracy', values: rows.map((r) => r['probe accuracy']) }], { title: `Per layer${note}`, yTitle: 'score', yRange: [0, 1] });
  lw.saveHTML([lw.layerHeatmap(cka.values, { title: `Linear CKA${note}` }), lw.projectionGrid(panels, labels, { title: `t-SNE${note}` }), curves], `${out}/report.html`);
  await model.release();
  console.log(`${labels.length} clips, ${hidden.length} layers: ${out}/layers.csv, ${out}/report.html`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
