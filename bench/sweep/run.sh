#!/usr/bin/env bash
# The measured sweep of bench/sweep/README.md: 500 embedded digits, K = 3, L = 2, over epochs and weight decay.
# Usage: bench/sweep/run.sh [OUT]  (default /tmp/memscore-bench-sweep). MEMSCORE_EXE overrides the launcher.
# Rerunning resumes: finished points are skipped, the report is rewritten.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exe="${MEMSCORE_EXE:-$here/../../memscore}"
out="${1:-/tmp/memscore-bench-sweep}"
/usr/bin/time -v "$exe" sweep --out "$out" --limit 500 --folds 3 --repeats 2 --top 0 \
  --vary epochs=60,20 --vary weight-decay=0,1,3
