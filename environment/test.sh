#!/usr/bin/env bash
# Every test, on a fresh machine: set up with the test references (NumPy, SciPy, scikit-learn, PyTorch,
# Chromium), then build and run the Jest suite, which also executes every notebook in the tslab kernel.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash environment/setup.sh --dev
npm test
