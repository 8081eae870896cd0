// Makes `import ... from 'layerwise'` work in notebooks inside this repository. Node resolves the package
// by name through package.json "exports" (self-reference), but the TypeScript compiler inside tslab uses
// classic node resolution, which only looks in node_modules, so a link node_modules/layerwise -> .. is made.
// It is skipped when layerwise is installed as someone else's dependency.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
if (path.basename(path.dirname(root)) === 'node_modules') process.exit(0);
const link = path.join(root, 'node_modules', 'layerwise');
fs.mkdirSync(path.dirname(link), { recursive: true });
let current = null;
try {
  current = fs.readlinkSync(link);
} catch {
  current = null;
}
if (current !== '..') {
  fs.rmSync(link, { force: true, recursive: false });
  fs.symlinkSync('..', link, 'dir');
}
