#!/usr/bin/env bash
# Set up (first run only does real work) and start the web chat + JSON API on the bundled report.
# Extra arguments go to `report-qa serve`, e.g. scripts/chat.sh --port 8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${REPORT_QA_VENV:-.venv}/bin/report-qa" serve "$@"
