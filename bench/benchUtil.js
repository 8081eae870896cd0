// What the benchmark scripts share: running a command, reading its last JSON line, running a node script
// under /usr/bin/time -v for its peak memory, and comparing a store's mean-pooled layers with PyTorch's.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r;
}

const lastJson = (text) => JSON.parse(text.trim().split('\n').pop());

/** Run a node script under /usr/bin/time -v: its JSON line plus peak RSS (MiB) and the process's wall seconds. */
function timedNode(script, args) {
  const r = sh('/usr/bin/time', ['-v', process.execPath, script, ...args]);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(r.stderr);
  const parts = wall ? wall[1].split(':').map(Number) : [NaN];
  return { ...lastJson(r.stdout), maxRssMiB: rss ? Number(rss[1]) / 1024 : NaN, processWallSeconds: parts.reduce((a, b) => a * 60 + b, 0) };
}

/** Max relative error (max |a - b| / max |b| per layer) of a mean store's first row against PyTorch's `[layers, hidden]` means. */
function meanParity(store, torchNpy) {
  const { readNpy } = require(path.join(dist, 'data', 'io', 'readNpy'));
  const ref = readNpy(torchNpy);
  const [layers, hidden] = ref.shape;
  let worst = 0;
  for (let l = 0; l < layers; l++) {
    const a = readNpy(path.join(store, `layer_${String(l).padStart(2, '0')}.npy`)).data;
    let num = 0;
    let den = 0;
    for (let j = 0; j < hidden; j++) {
      num = Math.max(num, Math.abs(a[j] - ref.data[l * hidden + j]));
      den = Math.max(den, Math.abs(ref.data[l * hidden + j]));
    }
    worst = Math.max(worst, num / den);
  }
  return worst;
}

module.exports = { sh, lastJson, timedNode, meanParity };
