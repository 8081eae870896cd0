// The evidence in models/wav2vec2-tiny-synthetic/MODEL_CARD.md: the trained demo model against its random-weight
// control (same architecture), per layer, on data it was not trained on:
//   words: notebook 01's data (data/spoken-words, 10 words, seed 42, 500 clips), mean-pooled: 5-fold linear probe
//          and graph convexity (k = 10), as notebook 01 computes them;
//   phones: notebook 04's data (data/aligned-speech/dev-clean: `layerwise synth aligned --seed 0`, 6 speakers x 60
//          utterances, as environment/main.sh makes it; other sentences, rates and pitches than training), one
//          row per sampled phone (notebook 04's first data sample: at most 200 per phone, seed 1; the middle-third
//          rule): 5-fold linear probe and cca-phone.
// Usage (after npm run build): node models/evaluate_demo_model.js [OUT_JSON]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const lw = require(path.join(root, 'dist', 'index.js'));
const cli = path.join(root, 'dist', 'cli.js');
const run = (args) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`layerwise ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
};

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-demo-eval-'));
  const words = path.join(root, 'data', 'spoken-words');
  if (!fs.existsSync(words)) run(['synth', 'words', '--out', words]);
  const aligned = path.join(root, 'data', 'aligned-speech');
  if (!fs.existsSync(aligned)) run(['synth', 'aligned', '--out', aligned, '--split', 'dev-clean', '--speakers', '6', '--utterances', '60', '--seed', '0']);
  const models = { trained: path.join(root, 'models', 'wav2vec2-tiny-synthetic', 'model.onnx'), random: path.join(root, 'models', 'wav2vec2-tiny-random', 'model.onnx') };
  // Notebook 04's first data sample of dev-clean phones (sampleSegments, seed 1, at most 200 per phone; SIL is not a phone).
  const dev = lw.loadLibriSpeech(path.join(aligned, 'dev-clean'));
  const phones = lw.sampleSegments(lw.loadAlignments(path.join(aligned, 'alignments', 'dev-clean')), { span: 'phone', seed: 1, perLabel: 200 });
  const all = lw.loadLabelledFolders(words);
  const kept = all.labels().slice(0, 10);
  const data = all.filter((it) => kept.includes(it.label)).shuffle(42).select(500);
  const results = {};
  for (const [name, file] of Object.entries(models)) {
    const model = await lw.loadModel(file, { cacheExposed: false });
    const wordDir = path.join(work, `${name}-words`);
    await lw.extractFeatures(model, data, { pooling: 'mean', layers: 'all', padding: { mode: 'max_length', maxLength: 16000 }, out: wordDir });
    await model.release();
    const ws = lw.openFeatureStore(wordDir);
    const wl = ws.labels.map(String);
    const hidden = ws.layerNames.filter((n) => n.startsWith('hidden.'));
    const wordProbe = [];
    const convexity = [];
    for (const n of hidden) {
      const X = ws.layer(n);
      wordProbe.push((await lw.linearProbe(X, wl, { folds: 5, seed: 42 })).accuracy);
      convexity.push((await lw.graphConvexity(X, wl, { k: 10, seed: 42 })).pooled.mean);
    }
    const phoneDir = path.join(work, `${name}-phones`);
    const phoneModel = await lw.loadModel(file, { cacheExposed: false });
    await lw.extractFeatures(phoneModel, dev.filter((it) => phones.alignments.has(it.id)), { span: 'phone', alignments: phones.alignments, layers: 'all', out: phoneDir });
    await phoneModel.release();
    const ps = lw.openFeatureStore(phoneDir);
    const pl = ps.labels.map((l) => String(l).replace(/\d/g, ''));
    const phoneProbe = [];
    for (const n of hidden) phoneProbe.push((await lw.linearProbe(ps.layer(n), pl, { folds: 5, seed: 0 })).accuracy);
    const cca = await lw.ccaLabels(ps, { seed: 0 });
    const counts = new Map();
    for (const l of wl) counts.set(l, (counts.get(l) ?? 0) + 1);
    const phoneCounts = new Map();
    for (const l of pl) phoneCounts.set(l, (phoneCounts.get(l) ?? 0) + 1);
    results[name] = {
      model: path.relative(root, file),
      wordProbe,
      wordMajority: Math.max(...counts.values()) / wl.length,
      convexity,
      phoneProbe,
      phoneMajority: Math.max(...phoneCounts.values()) / pl.length,
      phoneSegments: pl.length,
      ccaPhone: hidden.map((n) => cca.scores[n.replace('hidden.', 'T')] ?? null),
    };
    process.stderr.write(`${name}: ${JSON.stringify(results[name])}\n`);
  }
  const out = process.argv[2] ?? path.join(root, 'models', 'wav2vec2-tiny-synthetic', 'evaluation.json');
  fs.writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);
  const f = (x) => (x === null ? '-' : x.toFixed(3));
  const rows = results.trained.wordProbe.map((_, i) => `| ${i} | ${f(results.trained.wordProbe[i])} | ${f(results.random.wordProbe[i])} | ${f(results.trained.convexity[i])} | ${f(results.random.convexity[i])} | ${f(results.trained.phoneProbe[i])} | ${f(results.random.phoneProbe[i])} | ${f(results.trained.ccaPhone[i])} | ${f(results.random.ccaPhone[i])} |`);
  process.stdout.write(
    [
      '| layer | word probe, trained | random | word convexity, trained | random | phone probe, trained | random | cca-phone, trained | random |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      `majority baselines: words ${f(results.trained.wordMajority)}, phones ${f(results.trained.phoneMajority)} (${results.trained.phoneSegments} phone segments)`,
      '',
    ].join('\n'),
  );
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 1;
});
