#!/usr/bin/env bash
# Idempotent setup of a Debian/Ubuntu machine for layerwise: system packages (Jupyter, espeak-ng, Festival with two voices, sox, flac),
# npm dependencies, the TypeScript build, and a Jupyter kernel 'layerwise' that runs this project's own tslab.
# Ends by executing a one-cell notebook in that kernel, so a green run means notebooks work here.
#
#   bash environment/setup.sh          # what the notebooks and the main job need
#   bash environment/setup.sh --dev    # also what the tests need (NumPy/SciPy/scikit-learn/PyTorch references, Chromium, SLURM + munge for the cluster test)
#   bash environment/setup.sh --no-apt # skip system packages (you installed them yourself; see environment/README.md)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

dev=0
apt=1
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    --no-apt) apt=0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*"; }

runtime_pkgs=(jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel python3-nbformat espeak-ng festival festvox-kallpc16k festvox-us-slt-hts sox libsox-fmt-all flac)
dev_pkgs=(python3-numpy python3-scipy python3-sklearn python3-torch python3-torchaudio python3-onnx chromium slurm-wlm munge)

if [ "$apt" = 1 ]; then
  pkgs=("${runtime_pkgs[@]}")
  [ "$dev" = 1 ] && pkgs+=("${dev_pkgs[@]}")
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    if ! command -v apt-get >/dev/null; then
      echo "setup.sh: apt-get not found; install these yourself (see environment/README.md): ${missing[*]}" >&2
      exit 1
    fi
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
  else
    say "system packages already installed"
  fi
fi

say "checking Node.js"
if ! command -v node >/dev/null; then
  echo "setup.sh: Node.js >= 20.19 is required (https://nodejs.org or your distribution's nodejs package)" >&2
  exit 1
fi
node -e '
  const [a, b] = process.versions.node.split(".").map(Number);
  if (a < 20 || (a === 20 && b < 19)) { console.error(`setup.sh: Node.js ${process.version} is too old; layerwise needs >= 20.19`); process.exit(1); }
  console.log(`node ${process.version}`);'

# npm ci only when the lock file changed since the last install: it wipes node_modules, which takes a minute.
lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.layerwise-lock.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sha" ]; then
  say "npm dependencies up to date"
else
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  echo "$lock_sha" > "$stamp"
fi

say "building"
npm run --silent build
node environment/link-self.js

say "registering the Jupyter kernel"
node dist/cli.js kernel install

say "verifying the kernel with a one-cell notebook"
/usr/bin/env python3 --version >/dev/null 2>&1 || true
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" environment/verify_kernel.py
say "setup complete"
