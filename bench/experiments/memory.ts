/**
 * Benchmark: peak memory of layerwise-analysis's frame-level workload at full width: the peer's 500-utterance
 * frame sample (about an hour of aligned synthetic speech: Festival sentences three at a time) through a
 * full-size wav2vec2-base architecture (random weights, 768 wide, bench/extract/build_bench.py), extracted
 * frame by frame with every hidden state and the conv layers on the 10 ms grid, then scored with cca-mel on
 * every layer (the experiment that holds the most rows: 10 ms conv frames against 80 fbank dims). Reports the
 * process's peak resident memory (sampled, and by /usr/bin/time when run under it) and the phases' times.
 *   npm run build && npx tsc -p bench/experiments/tsconfig.json
 *   /usr/bin/time -v node bench/out/experiments-build/bench/experiments/memory.js [--utterances 500]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { composeSentences } from '../../src/data/synth/composeSentences';
import { synthesizeAlignedSpeech } from '../../src/data/synth/synthesizeAlignedSpeech';
import { loadLibriSpeech } from '../../src/data/datasets/loadLibriSpeech';
import { ccaMel } from '../../src/experiments/ccaExperiments';
import { loadModel } from '../../src/model/loadModel';
import { extractFeatures } from '../../src/store/extractFeatures';
import { openFeatureStore } from '../../src/store/FeatureStore';
import { benchFinish, benchStart } from '../record';

const REPO = path.resolve(__dirname, '..', '..', '..', '..', '..');
const OUT = path.join(REPO, 'bench', 'out');

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const start = benchStart('memory');
  const utterances = option('utterances', 500);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 200);
  const phase: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await f();
    phase[name] = +((performance.now() - t) / 1000).toFixed(1);
    process.stderr.write(`${name}: ${phase[name]} s, peak RSS so far ${(peak / 2 ** 20).toFixed(0)} MiB\n`);
    return r;
  };
  const modelFile = path.join(OUT, 'extract', 'w2v2_base', 'model.onnx');
  if (!fs.existsSync(modelFile)) execFileSync('/usr/bin/python3', [path.join(REPO, 'bench', 'extract', 'build_bench.py'), path.join(OUT, 'extract')], { stdio: 'inherit' });
  // Three composed sentences per utterance: about 7 s each, so 500 utterances are about an hour.
  const s = composeSentences(3 * utterances, 7);
  const texts = Array.from({ length: utterances }, (_, i) => `${s[3 * i] ?? ''} ${s[3 * i + 1] ?? ''} ${s[3 * i + 2] ?? ''}`);
  const corpus = await timed('synthesize', () =>
    synthesizeAlignedSpeech({ outDir: path.join(OUT, `aligned-hour-${utterances}`), speakers: 5, utterancesPerChapter: Math.ceil(utterances / 5), sentences: texts, seed: 7 }),
  );
  const dataset = loadLibriSpeech(corpus.splitDir).select(utterances);
  const model = await loadModel(modelFile, { threads: 2 });
  const storeDir = path.join(OUT, `memory-frames-${utterances}`);
  const r = await timed('extract', () => extractFeatures(model, dataset, { out: storeDir, pooling: 'frames', layers: ['all', 'local'], localGrid: '10ms' }));
  await model.release();
  const store = openFeatureStore(storeDir);
  const mel = await timed('cca-mel', () => ccaMel(store, { onLayer: (id, v) => process.stderr.write(`  ${id}: ${v === null ? 'n/a' : v.toFixed(4)} (peak ${(peak / 2 ** 20).toFixed(0)} MiB)\n`) }));
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      bench: `frame-level sample: ${dataset.length} utterances, ${(r.audioSeconds || store.meta.items.reduce((t, it) => t + it.numSamples / 16000, 0)).toFixed(0)} s of audio, wav2vec2-base size (768), every hidden state + conv layers on 10 ms; cca-mel on every layer`,
      frames: store.meta.totalFrames,
      layersScored: mel.layers.length,
      seconds: phase,
      peakRssMiB: Math.round(peak / 2 ** 20),
    }),
  );
  benchFinish('memory', '/usr/bin/time -v node bench/out/experiments-build/bench/experiments/memory.js', start, [
    { task: `frame-level extraction + cca-mel, ${dataset.length} utterances, wav2vec2-base size`, against: 'peak resident memory (sampled every 200 ms)', ratio: peak / 2 ** 30, unit: 'GiB', better: 'lower', target: 4 },
  ]);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
