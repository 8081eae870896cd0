// Extraction throughput benchmark (bench/README.md, "Extraction" section): a full-size wav2vec2-base
// architecture with random weights, 2 threads, on the same 24 ten-second clips, measured in one run for
//   (a) a bare onnxruntime-node session running the exported graph (input decoded and normalised
//       beforehand, only session.run timed: the ceiling),
//   (b) the whole layerwise pipeline (dataset detection, WAV decoding, resampling when needed, normalisation,
//       all 13 hidden states, mean pooling, atomic shard writing, final layer files),
//   (c) PyTorch CPU (Debian's torch, torch.set_num_threads(2)) on the same weights,
//   (d) a first run: the pipeline in a fresh process with no cached layer-exposed graph, load included,
//       against a bare session's creation plus all its runs,
//   (e) batching: 192 clips of exactly 1 s (Speech Commands' length), one clip per session run against
//       `batchSize` 8 and 16, with the stores compared,
// plus the peak RSS (/usr/bin/time -v) of a 500-clip mean-pooled extraction (seed 000's workload).
// Usage: npm run build && node bench/extract/bench.js [--repeat N]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { sh, lastJson, timedNode, meanParity } = require('../benchUtil');
const { machineState, describeMachineState } = require('../../dist/util/machineState');
const { writeBenchSummary } = require('../../dist/util/benchSummary');

const root = path.join(__dirname, '..', '..');
const dist = path.join(root, 'dist');
const out = path.join(root, 'bench', 'out', 'extract');
const THREADS = 2;

async function bare(modelPath, manifest) {
  const { Session, tensor } = require(path.join(dist, 'backend', 'ort'));
  const { loadAudio } = require(path.join(dist, 'data', 'audio', 'loadAudio'));
  const { normalizeWaveform } = require(path.join(dist, 'model', 'normalizeWaveform'));
  const dir = path.dirname(manifest);
  const files = fs.readFileSync(manifest, 'utf8').trim().split('\n').slice(1).map((l) => path.join(dir, l.split(',')[1]));
  const inputs = [];
  let audio = 0;
  for (const f of files) {
    const clip = await loadAudio(f, { sampleRate: 16000 });
    audio += clip.frames / 16000;
    inputs.push(normalizeWaveform(clip.samples, f));
  }
  const c0 = performance.now();
  const s = await Session.create(modelPath, { threads: THREADS });
  const createSeconds = (performance.now() - c0) / 1000;
  const names = s.outputNames.filter((n) => n.startsWith('hidden_states.'));
  const feed = (x) => ({ [s.inputNames[0]]: tensor('float32', x, [1, x.length]) });
  const w0 = performance.now();
  await s.run(feed(inputs[0]), names); // warm-up: not in the warm rate, but in the first-run total
  const warmupSeconds = (performance.now() - w0) / 1000;
  let seconds = 0;
  let cpuSeconds = 0;
  for (const x of inputs) {
    const t = performance.now();
    const c = process.cpuUsage();
    await s.run(feed(x), names);
    const dc = process.cpuUsage(c);
    cpuSeconds += (dc.user + dc.system) / 1e6;
    seconds += (performance.now() - t) / 1000;
  }
  await s.release();
  // a fresh session's whole cost for these clips: creation, the first (warm-up) run, then the rest (clip 0 twice
  // would count it double, so the first run stands in for clip 0)
  const firstRunSeconds = createSeconds + warmupSeconds + seconds - seconds / inputs.length;
  return { clips: inputs.length, audioSeconds: audio, seconds, cpuSeconds, outputs: names.length, createSeconds, warmupSeconds, firstRunSeconds };
}

function pipeline(modelPath, data, store, pooling, batch = 1) {
  return timedNode(path.join(__dirname, 'pipeline.js'), [modelPath, data, store, pooling, String(THREADS), String(batch)]);
}

/** Max |a - b| over every layer file of two mean stores of the same items. */
function storeDiff(a, b) {
  const { readNpy } = require(path.join(dist, 'data', 'io', 'readNpy'));
  let worst = 0;
  for (const f of fs.readdirSync(a).filter((n) => /^layer_\d+\.npy$/.test(n))) {
    const x = readNpy(path.join(a, f)).data;
    const y = readNpy(path.join(b, f)).data;
    if (x.length !== y.length) throw new Error(`${f}: ${x.length} vs ${y.length} values`);
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  }
  return worst;
}

async function main() {
  const ri = process.argv.indexOf('--repeat');
  const repeat = ri > 0 ? Number(process.argv[ri + 1]) : 1;
  sh('/usr/bin/python3', [path.join(__dirname, 'build_bench.py'), out], { stdio: ['ignore', 'pipe', 'inherit'] });
  const modelPath = path.join(out, 'w2v2_base', 'model.onnx');
  const manifest = path.join(out, 'clips10s', 'manifest.csv');
  const store = path.join(out, 'store-clips10s');
  const start = machineState();
  process.stderr.write(`bench/extract: ${describeMachineState(start)}\n`);
  // first run: no cached layer-exposed graph beside the model
  for (const f of fs.readdirSync(path.dirname(modelPath))) if (f.includes('.layerwise-')) fs.rmSync(path.join(path.dirname(modelPath), f));
  const first = pipeline(modelPath, manifest, store, 'mean');
  process.stderr.write(`layerwise pipeline, first run: ${JSON.stringify(first)}\n`);
  const bares = [];
  const pipes = [];
  for (let k = 0; k < repeat; k++) {
    bares.push(await bare(modelPath, manifest));
    process.stderr.write(`bare session: ${JSON.stringify(bares[bares.length - 1])}\n`);
    pipes.push(pipeline(modelPath, manifest, store, 'mean'));
    process.stderr.write(`layerwise pipeline: ${JSON.stringify(pipes[pipes.length - 1])}\n`);
  }
  // batching equal-length clips: one clip per run against 8 and 16, alternating, the faster of two rounds each
  const commands = path.join(out, 'commands1s', 'manifest.csv');
  const batchRuns = { 1: [], 8: [], 16: [] };
  for (let round = 0; round < 2; round++) {
    for (const b of [1, 8, 16]) {
      batchRuns[b].push(pipeline(modelPath, commands, path.join(out, `store-commands1s-b${b}`), 'mean', b));
      process.stderr.write(`1 s clips, batchSize ${b}: ${JSON.stringify(batchRuns[b][round])}\n`);
    }
  }
  const batchBest = (b) => Math.min(...batchRuns[b].map((r) => r.extractSeconds));
  const batching = {
    clips: batchRuns[1][0].items,
    seconds: { 1: batchBest(1), 8: batchBest(8), 16: batchBest(16) },
    speedup: { 8: batchBest(1) / batchBest(8), 16: batchBest(1) / batchBest(16) },
    maxAbsDiff: { 8: storeDiff(path.join(out, 'store-commands1s-b1'), path.join(out, 'store-commands1s-b8')), 16: storeDiff(path.join(out, 'store-commands1s-b1'), path.join(out, 'store-commands1s-b16')) },
  };
  const torchNpy = path.join(out, 'torch-clip0-means.npy');
  const torch = lastJson(sh('/usr/bin/python3', [path.join(__dirname, 'torch_extract.py'), manifest, torchNpy]).stdout);
  process.stderr.write(`pytorch: ${JSON.stringify(torch)}\n`);
  const words = pipeline(modelPath, path.join(out, 'words500'), path.join(out, 'store-words500'), 'mean');
  process.stderr.write(`500 clips: ${JSON.stringify(words)}\n`);

  const best = (xs, f) => Math.max(...xs.map(f));
  const bareRt = best(bares, (b) => b.audioSeconds / b.seconds);
  // warm: from the end of the pipeline's first clip, as the bare rate is from after its warm-up run; the cold
  // first clip is in the first-run figure (and in pipelineRealTimeFirstClipIncluded)
  const pipeRt = best(pipes, (p) => p.warmAudioSeconds / p.warmSeconds);
  const torchRt = torch.audioSeconds / torch.totalSeconds;
  const torchFwdRt = torch.audioSeconds / torch.forwardSeconds;
  // CPU seconds per audio second: less sensitive than wall time to other processes on a shared machine.
  const cpu = {
    bare: Math.min(...bares.map((b) => b.cpuSeconds / b.audioSeconds)),
    // the same window as the warm wall-time rate: from the end of the first clip
    pipeline: Math.min(...pipes.map((p) => p.warmCpuSeconds / p.warmAudioSeconds)),
    torch: torch.cpuSeconds / torch.audioSeconds,
  };
  const bareFirst = Math.min(...bares.map((b) => b.firstRunSeconds));
  const firstRun = { pipelineSeconds: first.loadSeconds + first.extractSeconds, loadSeconds: first.loadSeconds, bareSeconds: bareFirst, ratio: bareFirst / (first.loadSeconds + first.extractSeconds) };
  const end = machineState();
  const results = {
    machine: `${require('node:os').cpus()[0].model}, ${require('node:os').cpus().length} cores`,
    start,
    end,
    firstRun,
    batching,
    threads: THREADS,
    audioSeconds: bares[0].audioSeconds,
    bareRealTime: bareRt,
    pipelineRealTime: pipeRt,
    pipelineRealTimeFirstClipIncluded: best(pipes, (p) => p.audioSeconds / p.extractSeconds),
    pipelineRealTimeWithModelLoad: best(pipes, (p) => p.audioSeconds / (p.loadSeconds + p.extractSeconds)),
    torchRealTime: torchRt,
    torchForwardOnlyRealTime: torchFwdRt,
    pipelineOverBare: pipeRt / bareRt,
    pipelineOverTorch: pipeRt / torchRt,
    pipelineOverTorchForwardOnly: pipeRt / torchFwdRt,
    cpuSecondsPerAudioSecond: cpu,
    cpuPipelineOverBare: cpu.bare / cpu.pipeline,
    cpuPipelineOverTorch: cpu.torch / cpu.pipeline,
    parityMaxRelErrorClip0: meanParity(store, torchNpy),
    words500: words,
    runs: { bare: bares, pipeline: pipes, torch },
  };
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
  const task = 'wav2vec2-base, 13 hidden states, mean-pooled, 24 x 10 s';
  writeBenchSummary(out, {
    bench: 'extract',
    command: 'npm run bench:extract',
    start,
    end,
    rows: [
      { task: `extraction (warm), ${task}`, against: 'bare onnxruntime session, audio s per wall s', ratio: pipeRt / bareRt, better: 'higher', target: 0.95 },
      { task: `extraction (first run: exposed graph written), ${task}`, against: "a fresh bare session's creation + runs", ratio: firstRun.ratio, better: 'higher', target: 0.9 },
      { task: `extraction, ${task}`, against: 'PyTorch seed 000 loop, audio s per wall s', ratio: pipeRt / torchRt, better: 'higher', target: 3 },
      { task: `extraction, ${batching.clips} clips of 1 s, batchSize 16`, against: 'the same with one clip per session run (speed-up)', ratio: batching.speedup[16], better: 'higher' },
    ],
  });
  const f = (x) => x.toFixed(2);
  process.stdout.write(
    [
      `| measure | seconds of audio per wall second |`,
      `| --- | --- |`,
      `| bare onnxruntime-node session (ceiling) | ${f(bareRt)} |`,
      `| layerwise extract pipeline | ${f(pipeRt)} (${f(pipeRt / bareRt)}x bare) |`,
      `| PyTorch ${torch.torch}, whole loop | ${f(torchRt)} (pipeline ${f(pipeRt / torchRt)}x) |`,
      `| PyTorch forward + pooling only | ${f(torchFwdRt)} (pipeline ${f(pipeRt / torchFwdRt)}x) |`,
      `CPU seconds per audio second: bare ${f(cpu.bare)}, pipeline ${f(cpu.pipeline)}, PyTorch ${f(cpu.torch)} (pipeline ${f(cpu.bare / cpu.pipeline)}x bare, ${f(cpu.torch / cpu.pipeline)}x PyTorch by CPU time)`,
      `500-clip mean extraction: ${words.items} items, max RSS ${f(words.maxRssMiB)} MiB, ${f(words.audioSeconds / words.extractSeconds)}x real time`,
      `parity (clip 0 layer means, layerwise vs PyTorch): max rel error ${results.parityMaxRelErrorClip0.toExponential(2)}`,
      `first run (no cached exposed graph): load ${f(firstRun.loadSeconds)} s + extract ${f(first.extractSeconds)} s against a fresh bare session ${f(firstRun.bareSeconds)} s: ${f(firstRun.ratio)}x`,
      `1 s clips (${batching.clips}): batchSize 1 ${f(batching.seconds[1])} s, 8 ${f(batching.seconds[8])} s (${f(batching.speedup[8])}x), 16 ${f(batching.seconds[16])} s (${f(batching.speedup[16])}x); stores differ by at most ${batching.maxAbsDiff[8].toExponential(1)} / ${batching.maxAbsDiff[16].toExponential(1)}`,
      `start: ${describeMachineState(start)}`,
      `end:   ${describeMachineState(end)}`,
      '',
    ].join('\n'),
  );
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 1;
});
