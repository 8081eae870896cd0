// The layerwise side of the extraction benchmark, in its own process (so /usr/bin/time -v sees its peak
// memory): the same steps as `layerwise extract` (detect and load the dataset, load the model, extract
// into a fresh store), timed separately for model loading and extraction. Prints one JSON line.
// Usage: node bench/extract/pipeline.js MODEL DATA OUT POOLING THREADS [BATCH_SIZE]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dist = path.join(__dirname, '..', '..', 'dist');
const { loadModel } = require(path.join(dist, 'model', 'loadModel'));
const { wantsLocalLayers } = require(path.join(dist, 'model', 'resolveLayers'));
const { loadDataset } = require(path.join(dist, 'data', 'datasets', 'loadDataset'));
const { extractFeatures } = require(path.join(dist, 'store', 'extractFeatures'));

async function main() {
  const [model, data, out, pooling, threads, batch = '1'] = process.argv.slice(2);
  fs.rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  const { dataset } = await loadDataset(data);
  // as `layerwise extract` loads it: conv layers exposed only when the selection names them
  const m = await loadModel(model, { threads: Number(threads), local: wantsLocalLayers('all') });
  const t1 = performance.now();
  const c = process.cpuUsage();
  // the end of the first item: the warm rate starts there, as the bare session's timing starts after its warm-up run
  let afterFirst = NaN;
  let cpuAfterFirst = null;
  const onProgress = (p) => {
    if (p.done === 1 && Number.isNaN(afterFirst)) {
      afterFirst = performance.now();
      cpuAfterFirst = process.cpuUsage();
    }
  };
  const res = await extractFeatures(m, dataset, { out, pooling, layers: 'all', batchSize: Number(batch), onProgress });
  const dc = process.cpuUsage(c);
  const dw = cpuAfterFirst === null ? dc : process.cpuUsage(cpuAfterFirst);
  const t2 = performance.now();
  const firstItemSeconds = res.meta.items.length > 0 ? res.meta.items[0].numSamples / res.meta.sampleRate : 0;
  await m.release();
  process.stdout.write(
    `${JSON.stringify({
      items: res.meta.items.length,
      audioSeconds: res.audioSeconds,
      loadSeconds: (t1 - t0) / 1000,
      extractSeconds: (t2 - t1) / 1000,
      warmSeconds: (t2 - afterFirst) / 1000,
      warmAudioSeconds: res.audioSeconds - firstItemSeconds,
      cpuSeconds: (dc.user + dc.system) / 1e6,
      warmCpuSeconds: (dw.user + dw.system) / 1e6,
    })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 1;
});
