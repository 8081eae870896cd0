// One model load in its own process, so /usr/bin/time -v sees its peak memory: file to first forward pass
// (a 1 s clip). Prints one JSON line.
// Usage: node bench/models/load.js DIR FILE cache|nocache THREADS   (FILE: model.safetensors, pytorch_model.bin)
//        node bench/models/load.js --baseline THREADS                 (onnxruntime loaded, a tiny session run)
'use strict';
const path = require('node:path');
const dist = path.join(__dirname, '..', '..', 'dist');

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--baseline') {
    const { Session, tensor } = require(path.join(dist, 'backend', 'ort'));
    const { GraphBuilder } = require(path.join(dist, 'onnx', 'GraphBuilder'));
    const g = new GraphBuilder('baseline');
    const x = g.input('x', 'float32', [1, 4]);
    g.output(g.op('Relu', [x]), 'y', 'float32', [1, 4]);
    const s = await Session.create(g.toBytes(), { threads: Number(args[1]) });
    await s.run({ x: tensor('float32', new Float32Array(4), [1, 4]) });
    process.stdout.write(`${JSON.stringify({ baseline: true })}\n`);
    return;
  }
  const [dir, file, cache, threads] = args;
  const { loadModel } = require(path.join(dist, 'model', 'loadModel'));
  const t0 = performance.now();
  const m = await loadModel(dir, { file, cacheExposed: cache === 'cache', threads: Number(threads), local: false, onWarning: () => undefined });
  const t1 = performance.now();
  const clip = new Float32Array(16000).map((_, i) => Math.sin(i / 7) * 0.3);
  await m.run(clip);
  const t2 = performance.now();
  process.stdout.write(`${JSON.stringify({ dir: path.basename(dir), file, cache, builtFrom: m.info.builtFrom, loadSeconds: (t1 - t0) / 1000, firstForwardSeconds: (t2 - t0) / 1000 })}\n`);
  await m.release();
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 1;
});
