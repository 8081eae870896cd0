#!/usr/bin/env bash
# The main job on a fresh machine: set up, synthesize the offline demo data, execute the notebooks and write
# their HTML reports to reports/. Extra arguments go to every `layerwise report` call (e.g. --check).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash environment/setup.sh
# The notebooks make these themselves when missing; making them first keeps the notebook timings honest.
# The settings must match the notebooks' defaults: the synthesizer refuses a folder made with others.
node dist/cli.js synth words --out data/spoken-words
node dist/cli.js synth sentences --out data/spoken-sentences --speakers 10 --chapters 1 --utterances 5
node dist/cli.js synth aligned --out data/aligned-speech --split dev-clean --speakers 6 --utterances 60 --seed 0
node dist/cli.js synth aligned --out data/aligned-speech-train --split train-clean-100 --speakers 6 --utterances 30 --seed 1
for nb in notebooks/0*.ipynb; do
  node dist/cli.js report "$nb" --out reports "$@"
done
echo "reports written to $ROOT/reports"
