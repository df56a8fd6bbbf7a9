#!/usr/bin/env bash
# Create the virtualenv (default .venv) and install report-qa into it.
# PyTorch: an importable torch is kept as it is; otherwise a CPU-only build is installed first
# (the 2.13.0 CPU wheel that pip finds locally here, else PyTorch's CPU index), so pip never
# pulls a multi-GB CUDA build. Usage: scripts/setup.sh [test]
# Nothing is installed again while nothing changed: a stamp in the virtualenv holds a hash of
# pyproject.toml, the extras and this checkout's path (code edits need no reinstall: the install
# is editable). Set REPORT_QA_REINSTALL=1 to force it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${REPORT_QA_VENV:-.venv}
EXTRA=${1:-}
STAMP="$VENV/.report-qa-setup"

stamp_of() {  # the hash of what an install with extras "$1" depends on
  { cat pyproject.toml; echo "extras=$1"; echo "checkout=$PWD"; } | sha256sum | cut -d' ' -f1
}
if [ -z "${REPORT_QA_REINSTALL:-}" ] && [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] \
   && grep -qx "$(stamp_of "$EXTRA")" "$STAMP" \
   && "$VENV/bin/python" -c "import embeddings, qa, ui" 2>/dev/null; then
  exit 0  # installed and unchanged
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true

if ! "$PY" -c "import torch" 2>/dev/null; then
  echo "setup: installing CPU-only PyTorch"
  # numpy with it: torch imported without numpy warns "Failed to initialize NumPy"
  "$PY" -m pip install -q "torch==2.13.0+cpu" numpy 2>&1 | { grep -v '^WARNING: Location' || true; } \
    || "$PY" -m pip install -q torch numpy --index-url "${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
  "$PY" -c "import torch" || { echo "setup: could not install torch" >&2; exit 1; }
fi

target="."
[ "$EXTRA" = "test" ] && target=".[test]"
echo "setup: installing report-qa${EXTRA:+ with $EXTRA extras}"
# pip's full output (setuptools' informational "Editable installation" banner included) goes to a
# log in the virtualenv and is shown only if the installation fails
LOG="$VENV/.report-qa-install.log"
if ! "$PY" -m pip install -q -e "$target" > "$LOG" 2>&1 \
   || ! "$PY" -c "import embeddings, qa, ui, sentence_transformers, faiss" 2>> "$LOG"; then
  grep -v '^WARNING: Location' "$LOG" | tail -40 >&2
  echo "setup: installation failed (full log: $LOG)" >&2
  exit 1
fi
echo "setup: done; run report-qa as $VENV/bin/report-qa (or after: source $VENV/bin/activate)"
# an install with the test extras also has everything a plain one needs
if [ "$EXTRA" = "test" ]; then
  { stamp_of test; stamp_of ""; } > "$STAMP"
else
  stamp_of "$EXTRA" > "$STAMP"
fi
