#!/usr/bin/env bash
# The main job on a fresh machine: set up, synthesize the offline demo data, execute the notebooks and write
# their HTML reports to reports/. Pass notebook parameters through to every notebook with --param key=value.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash environment/setup.sh
node dist/cli.js synth words --out data/spoken-words
for nb in notebooks/00-environment-check.ipynb; do
  node dist/cli.js report "$nb" --out reports "$@"
done
echo "reports written to $ROOT/reports"
