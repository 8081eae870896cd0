#!/usr/bin/env node
/**
 * Times the same kernels from two builds of layerwise in one run, alternating them round by round so that
 * load drift hits both sides alike: how much a change costs or gains, measured where the work is done in
 * JavaScript loops rather than in onnxruntime (t-SNE's Barnes-Hut gradient, graph convexity's Dijkstra,
 * k-means seeding, the L-BFGS probe, the CCA eigen-solver).
 *
 *   git worktree add /tmp/layerwise-base <commit> && ln -s "$PWD/node_modules" /tmp/layerwise-base/
 *   (cd /tmp/layerwise-base && npx tsc -p tsconfig.json)
 *   node bench/builds/compare.js --base /tmp/layerwise-base/dist [--head dist] [--rounds 5] [--only tsne]
 *
 * Prints one JSON line per kernel: median seconds of each build and head / base.
 */
const path = require('node:path');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const base = arg('base');
if (base === undefined) {
  console.error('usage: node bench/builds/compare.js --base DIST [--head DIST] [--rounds N]');
  process.exit(2);
}
const head = arg('head', path.join(__dirname, '..', '..', 'dist'));
const rounds = Number(arg('rounds', '5'));
const libs = { head: require(path.resolve(head)), base: require(path.resolve(base)) };

/** Seeded clustered data `[n, d]` (float32) with `classes` labels, from the head build's generator. */
function clustered(n, d, classes, seed) {
  const rng = new libs.head.Random(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: d }, () => 3 * rng.normal()));
  const data = new Float32Array(n * d);
  const labels = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels.push(c);
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c][j] + rng.normal();
  }
  return { X: { rows: n, cols: d, data }, labels };
}

const convexityData = clustered(3000, 64, 10, 1);
const tsneData = clustered(2000, 30, 10, 2);
const kmeansData = clustered(4000, 64, 20, 3);
const probeData = clustered(1500, 48, 6, 4);
const ccaA = clustered(3000, 64, 4, 5);
const ccaB = clustered(3000, 48, 4, 6);

const only = arg('only');
const kernels = {
  graphConvexity: (lw) => lw.graphConvexity(convexityData.X, convexityData.labels, { k: 10, seed: 0 }),
  'tsne (Barnes-Hut)': (lw) => lw.tsne(tsneData.X, { seed: 0, method: 'barnes-hut', nIter: 500 }),
  'kmeans (k = 100)': (lw) => lw.kmeans(kmeansData.X, { k: 100, seed: 0 }),
  linearProbe: (lw) => lw.linearProbe(probeData.X, probeData.labels, { folds: 3, seed: 0 }),
  pwcca: (lw) => lw.pwcca(ccaA.X, ccaB.X),
};

async function main() {
  const times = {};
  const chosen = Object.entries(kernels).filter(([name]) => only === undefined || name.startsWith(only));
  for (const [name] of chosen) times[name] = { head: [], base: [] };
  for (let r = 0; r < rounds; r++) {
    // Alternate which build goes first, so neither always runs on a warmer (or busier) machine.
    const order = r % 2 === 0 ? ['head', 'base'] : ['base', 'head'];
    for (const [name, run] of chosen) {
      for (const side of order) {
        const t0 = process.hrtime.bigint();
        await run(libs[side]);
        times[name][side].push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, t] of Object.entries(times)) {
    const h = median(t.head);
    const b = median(t.base);
    console.log(JSON.stringify({ kernel: name, rounds, headSeconds: +h.toFixed(3), baseSeconds: +b.toFixed(3), ratio: +(h / b).toFixed(3) }));
  }
  libs.head.releaseGraphSessions();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
