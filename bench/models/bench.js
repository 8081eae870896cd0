// Models from their weights (bench/README.md, "Models from weights"): full-size random-weight checkpoints built
// by bench/models/build_checkpoints.py, 2 threads, measured in one run:
//   (a) the graph loadModel builds from wav2vec2-base's model.safetensors against torch.onnx's export of the
//       same weights: two bare onnxruntime-node sessions, the same 12 ten-second clips, the 13 hidden states
//       fetched, rounds alternating between the two graphs;
//   (b) load time (file to first forward pass of a 1 s clip) and peak RSS of wav2vec2-base from
//       model.safetensors and from pytorch_model.bin (graph built, no cache), and from the cached graph;
//       with --large, wav2vec2-large-lv60 (315M parameters) from model.safetensors;
//   (c) extraction through the pipeline (bench/extract/pipeline.js: the steps of `layerwise extract --pooling mean
//       --layers all`) against PyTorch on the same weights (bench/models/torch_models.py), for WavLM base-plus
//       and Whisper base's encoder.
// Usage: npm run build && node bench/models/bench.js [--large] [--rounds N] [--parts built,loads,wavlm,whisper]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { sh, lastJson, timedNode: timed, meanParity } = require('../benchUtil');
const { machineState, describeMachineState } = require('../../dist/util/machineState');
const { writeBenchSummary } = require('../../dist/util/benchSummary');

const root = path.join(__dirname, '..', '..');
const dist = path.join(root, 'dist');
const out = path.join(root, 'bench', 'out', 'models');
const THREADS = 2;

async function clipsOf(manifest) {
  const { loadAudio } = require(path.join(dist, 'data', 'audio', 'loadAudio'));
  const { normalizeWaveform } = require(path.join(dist, 'model', 'normalizeWaveform'));
  const dir = path.dirname(manifest);
  const files = fs.readFileSync(manifest, 'utf8').trim().split('\n').slice(1).map((l) => path.join(dir, l.split(',')[1]));
  const clips = [];
  for (const f of files) clips.push(normalizeWaveform((await loadAudio(f, { sampleRate: 16000 })).samples, f));
  return clips;
}

/** Seconds for one pass of `session` over every clip, fetching `names`. */
async function pass(session, names, clips, tensor) {
  let seconds = 0;
  for (const x of clips) {
    const t = performance.now();
    await session.run({ [session.inputNames[0]]: tensor('float32', x, [1, x.length]) }, names);
    seconds += (performance.now() - t) / 1000;
  }
  return seconds;
}

async function builtVsExport(rounds, clips) {
  const { Session, tensor } = require(path.join(dist, 'backend', 'ort'));
  const { loadModel } = require(path.join(dist, 'model', 'loadModel'));
  const dir = path.join(out, 'w2v2_base');
  // The built graph, cached beside the checkpoint (hidden states only, as the export outputs).
  const m = await loadModel(dir, { from: 'weights', local: false, threads: THREADS });
  const builtPath = m.info.runPath;
  await m.release();
  const built = await Session.create(builtPath, { threads: THREADS });
  const exported = await Session.create(path.join(dir, 'onnx', 'model_all_hidden.onnx'), { threads: THREADS });
  const builtNames = built.outputNames.filter((n) => n.startsWith('hidden.'));
  const exportNames = exported.outputNames.filter((n) => n.startsWith('hidden_states.'));
  // Same weights: the two graphs agree on clip 0.
  const a = await built.run({ input_values: tensor('float32', clips[0], [1, clips[0].length]) }, builtNames);
  const b = await exported.run({ input_values: tensor('float32', clips[0], [1, clips[0].length]) }, exportNames);
  let worst = 0;
  builtNames.forEach((n, i) => {
    const x = a[n].data;
    const y = b[exportNames[i]].data;
    let num = 0;
    let den = 0;
    for (let j = 0; j < y.length; j++) {
      num = Math.max(num, Math.abs(x[j] - y[j]));
      den = Math.max(den, Math.abs(y[j]));
    }
    worst = Math.max(worst, num / den);
  });
  await pass(built, builtNames, clips.slice(0, 1), tensor); // warm-up, untimed
  await pass(exported, exportNames, clips.slice(0, 1), tensor);
  const times = { built: [], exported: [] };
  for (let r = 0; r < rounds; r++) {
    times.built.push(await pass(built, builtNames, clips, tensor));
    times.exported.push(await pass(exported, exportNames, clips, tensor));
    process.stderr.write(`round ${r + 1}: built ${times.built[r].toFixed(2)} s, torch.onnx export ${times.exported[r].toFixed(2)} s\n`);
  }
  await built.release();
  await exported.release();
  const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
  const audio = clips.reduce((s, c) => s + c.length, 0) / 16000;
  return {
    audioSeconds: audio,
    builtSeconds: median(times.built),
    exportSeconds: median(times.exported),
    builtOverExport: median(times.exported) / median(times.built),
    maxRelErrorClip0: worst,
    outputs: builtNames.length,
    times,
  };
}

function loads(large) {
  const script = path.join(__dirname, 'load.js');
  const dir = path.join(out, 'w2v2_base');
  const base = timed(script, ['--baseline', String(THREADS)]);
  const rows = [
    timed(script, [dir, 'model.safetensors', 'nocache', String(THREADS)]),
    timed(script, [dir, 'pytorch_model.bin', 'nocache', String(THREADS)]),
  ];
  timed(script, [dir, 'model.safetensors', 'cache', String(THREADS)]); // writes the cached graph (local: false)
  rows.push({ ...timed(script, [dir, 'model.safetensors', 'cache', String(THREADS)]), note: 'cached graph' });
  if (large) rows.push(timed(script, [path.join(out, 'w2v2_large'), 'model.safetensors', 'nocache', String(THREADS)]));
  return { baselineRssMiB: base.maxRssMiB, rows };
}

function extraction(kind, dirName, manifest) {
  const dir = path.join(out, dirName);
  const store = path.join(out, `store-${dirName}`);
  // Build (and cache) the graph first, so the pipeline's load is the everyday one.
  timed(path.join(__dirname, 'load.js'), [dir, 'model.safetensors', 'cache', String(THREADS)]);
  const pipe = timed(path.join(root, 'bench', 'extract', 'pipeline.js'), [dir, manifest, store, 'mean', String(THREADS)]);
  const npy = path.join(out, `torch-${dirName}-clip0.npy`);
  const torch = lastJson(sh('/usr/bin/python3', [path.join(__dirname, 'torch_models.py'), kind, dir, manifest, npy]).stdout);
  const worst = meanParity(store, npy);
  const pipeRt = pipe.audioSeconds / pipe.extractSeconds;
  const torchRt = torch.audioSeconds / torch.totalSeconds;
  return { kind, pipeline: pipe, torch, pipelineRealTime: pipeRt, torchRealTime: torchRt, pipelineOverTorch: pipeRt / torchRt, cpuPipelineOverTorch: (torch.cpuSeconds / torch.audioSeconds) / (pipe.cpuSeconds / pipe.audioSeconds), parityMaxRelErrorClip0: worst };
}

async function main() {
  const large = process.argv.includes('--large');
  const ri = process.argv.indexOf('--rounds');
  const rounds = ri > 0 ? Number(process.argv[ri + 1]) : 5;
  const pi = process.argv.indexOf('--parts');
  const parts = new Set(pi > 0 ? process.argv[pi + 1].split(',') : ['built', 'loads', 'wavlm', 'whisper']);
  const start = machineState();
  process.stderr.write(`bench/models: ${describeMachineState(start)}\n`);
  sh('/usr/bin/python3', [path.join(__dirname, 'build_checkpoints.py'), out, ...(large ? ['--large'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const manifest = path.join(out, 'clips10s', 'manifest.csv');
  const clips = await clipsOf(manifest);
  const results = { machine: `${os.cpus()[0].model}, ${os.cpus().length} cores`, threads: THREADS, date: new Date().toISOString() };
  if (parts.has('built')) {
    results.builtVsExport = await builtVsExport(rounds, clips);
    process.stderr.write(`built vs export: ${JSON.stringify(results.builtVsExport)}\n`);
  }
  if (parts.has('loads')) {
    results.loads = loads(large);
    process.stderr.write(`loads: ${JSON.stringify(results.loads)}\n`);
  }
  if (parts.has('wavlm')) {
    results.wavlm = extraction('wavlm', 'wavlm_base_plus', manifest);
    process.stderr.write(`wavlm: ${JSON.stringify(results.wavlm)}\n`);
  }
  if (parts.has('whisper')) {
    results.whisper = extraction('whisper', 'whisper_base', manifest);
    process.stderr.write(`whisper: ${JSON.stringify(results.whisper)}\n`);
  }
  const end = machineState();
  results.machineState = { start, end };
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
  const rows = [];
  if (results.builtVsExport !== undefined) rows.push({ task: 'wav2vec2-base graph built from model.safetensors, 12 x 10 s', against: "torch.onnx's export of the same weights, bare sessions (speed)", ratio: results.builtVsExport.builtOverExport, better: 'higher', target: 0.95 });
  for (const e of [results.wavlm, results.whisper]) {
    if (e !== undefined) rows.push({ task: `${e.kind === 'wavlm' ? 'WavLM base-plus' : 'Whisper base encoder'} extraction, 12 x 10 s`, against: 'PyTorch, the same weights (audio s per wall s)', ratio: e.pipelineOverTorch, better: 'higher', target: 3 });
  }
  writeBenchSummary(out, { bench: 'models', command: `npm run build && node bench/models/bench.js${large ? ' --large' : ''}`, start, end, rows });
  const f = (x, d = 2) => x.toFixed(d);
  const bve = results.builtVsExport;
  const lines = [
    ...(bve === undefined ? [] : [`built graph ${f(bve.builtSeconds)} s vs torch.onnx export ${f(bve.exportSeconds)} s for ${f(bve.audioSeconds, 0)} s of audio: built runs at ${f(bve.builtOverExport, 3)}x the export's speed (max rel diff ${bve.maxRelErrorClip0.toExponential(1)})`]),
    ...(results.loads === undefined ? [] : [`baseline RSS ${f(results.loads.baselineRssMiB, 0)} MiB`, ...results.loads.rows.map((r) => `load ${r.dir}/${r.file} (${r.note ?? r.cache}): ${f(r.firstForwardSeconds)} s to first forward, peak RSS ${f(r.maxRssMiB, 0)} MiB`)]),
    ...[results.wavlm, results.whisper].filter((e) => e !== undefined).map((e) => `${e.kind}: pipeline ${f(e.pipelineRealTime)}x real time, PyTorch ${f(e.torchRealTime)}x: pipeline ${f(e.pipelineOverTorch)}x PyTorch by wall time (${f(e.cpuPipelineOverTorch)}x by CPU time); parity ${e.parityMaxRelErrorClip0.toExponential(1)}`),
    `start: ${describeMachineState(start)}`,
    `end:   ${describeMachineState(end)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 1;
});
