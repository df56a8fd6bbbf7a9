#!/usr/bin/env bash
# Set up with the test tools, install Debian's Chromium for the browser tests, run the suite.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser"; -n 0 runs in one process.
# Two workers (pytest-xdist): the quality test in one, everything else in the other (tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test

if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
  if [ "$(id -u)" = 0 ]; then
    echo "test: installing Debian's chromium (and a CJK font for screenshots) for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null) \
      || echo "test: could not install chromium; browser tests will fail under CI, skip otherwise" >&2
  else
    echo "test: /usr/bin/chromium missing and not root: browser tests will be skipped (run as root or apt-get install chromium)" >&2
  fi
fi

set +e
"${REPORT_QA_VENV:-.venv}/bin/python" -m pytest -q -p no:cacheprovider -n 2 "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "test: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
