/**
 * Benchmark: span-level (phone and word) extraction throughput against frame-level extraction of the same
 * utterances with the same model, in one run: `extractFeatures` with `pooling: 'frames'` and with
 * `span: 'phone' | 'word'` (every hidden state), on the aligned demo corpus (made if missing), alternating
 * the three twice and keeping each one's faster run. Ratio = span throughput / frame throughput (target >= 0.9).
 *   npm run bench:experiments
 *   node bench/out/experiments-build/bench/experiments/spanThroughput.js --model path/to/model.onnx --utterances 60
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAlignments } from '../../src/data/alignments/loadAlignments';
import { loadLibriSpeech } from '../../src/data/datasets/loadLibriSpeech';
import { synthesizeAlignedSpeech } from '../../src/data/synth/synthesizeAlignedSpeech';
import { loadModel } from '../../src/model/loadModel';
import { extractFeatures, type ExtractOptions } from '../../src/store/extractFeatures';
import { benchFinish, benchStart } from '../record';

const REPO = path.resolve(__dirname, '..', '..', '..', '..', '..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const start = benchStart('span-throughput');
  const modelPath = option('model') ?? path.join(REPO, 'models', 'wav2vec2-tiny-random', 'model.onnx');
  const utterances = Number(option('utterances') ?? '60');
  const corpusDir = path.join(REPO, 'data', 'aligned-speech');
  const corpus = await synthesizeAlignedSpeech({ outDir: corpusDir, split: 'dev-clean', speakers: 6, utterancesPerChapter: 60, seed: 0 });
  const alignments = loadAlignments(corpus.alignmentDir);
  const dataset = loadLibriSpeech(corpus.splitDir).select(utterances);
  const model = await loadModel(modelPath, { threads: 2 });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-span-'));
  const runs: Record<string, number[]> = { frames: [], phone: [], word: [] };
  let audio = 0;
  try {
    for (let round = 0; round < 2; round++) {
      for (const kind of ['frames', 'phone', 'word'] as const) {
        const out = path.join(work, `${kind}-${round}`);
        const opts: ExtractOptions = kind === 'frames' ? { out, pooling: 'frames', layers: 'all' } : { out, span: kind, alignments, layers: 'all' };
        const r = await extractFeatures(model, dataset, opts);
        audio = r.audioSeconds;
        (runs[kind] ?? []).push(r.audioSeconds / r.seconds);
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await model.release();
  }
  const best = (k: string): number => Math.max(...(runs[k] ?? [0]));
  console.log(
    JSON.stringify({
      bench: `span vs frame extraction, ${dataset.length} utterances (${audio.toFixed(0)} s), ${path.basename(path.dirname(modelPath))}, all hidden states`,
      framesAudioPerWall: +best('frames').toFixed(1),
      phoneAudioPerWall: +best('phone').toFixed(1),
      wordAudioPerWall: +best('word').toFixed(1),
      phoneRatio: +(best('phone') / best('frames')).toFixed(3),
      wordRatio: +(best('word') / best('frames')).toFixed(3),
    }),
  );
  const task = `${dataset.length} utterances (${audio.toFixed(0)} s), bundled model, every hidden state`;
  benchFinish('span-throughput', 'npm run bench:experiments', start, [
    { task: `phone-level span extraction, ${task}`, against: 'frame-level extraction, audio s per wall s', ratio: best('phone') / best('frames'), better: 'higher', target: 0.9 },
    { task: `word-level span extraction, ${task}`, against: 'frame-level extraction, audio s per wall s', ratio: best('word') / best('frames'), better: 'higher', target: 0.9 },
  ]);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
