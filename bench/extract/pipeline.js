// The layerwise side of the extraction benchmark, in its own process (so /usr/bin/time -v sees its peak
// memory): the same steps as `layerwise extract` (detect and load the dataset, load the model, extract
// into a fresh store), timed separately for model loading and extraction. Prints one JSON line.
// Usage: node bench/extract/pipeline.js MODEL DATA OUT POOLING THREADS
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dist = path.join(__dirname, '..', '..', 'dist');
const { loadModel } = require(path.join(dist, 'model', 'loadModel'));
const { loadDatasetAt } = require(path.join(dist, 'cli', 'extract'));
const { extractFeatures } = require(path.join(dist, 'store', 'extractFeatures'));

async function main() {
  const [model, data, out, pooling, threads] = process.argv.slice(2);
  fs.rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  const { dataset } = loadDatasetAt(data);
  const m = await loadModel(model, { threads: Number(threads) });
  const t1 = performance.now();
  const c = process.cpuUsage();
  const res = await extractFeatures(m, dataset, { out, pooling, layers: 'all' });
  const dc = process.cpuUsage(c);
  const t2 = performance.now();
  await m.release();
  process.stdout.write(
    `${JSON.stringify({ items: res.meta.items.length, audioSeconds: res.audioSeconds, loadSeconds: (t1 - t0) / 1000, extractSeconds: (t2 - t1) / 1000, cpuSeconds: (dc.user + dc.system) / 1e6 })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 1;
});
