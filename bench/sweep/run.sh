#!/usr/bin/env bash
# The measured sweep of bench/sweep/README.md: 500 embedded digits, K = 3, L = 2, over epochs and weight decay.
# Usage: bench/sweep/run.sh [OUT]  (default /tmp/memscore-bench-sweep). MEMSCORE_EXE overrides the launcher.
# --threads 1 for the full runs too: on a machine shared by many processes, 2 libtorch threads ran a full
# epoch ~20x slower than one thread does. Rerunning resumes: finished points are skipped, the report is rewritten.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exe="${MEMSCORE_EXE:-$here/../../memscore}"
out="${1:-/tmp/memscore-bench-sweep}"
/usr/bin/time -v "$exe" sweep --out "$out" --limit 500 --folds 3 --repeats 2 --threads 1 --top 0 \
  --vary epochs=30,10 --vary weight-decay=0,1,3
# The null: the first point (30 epochs, no weight decay) again with two other root seeds. The spread of its
# quantiles across the three seeds is what the sweep's differences read as when a lever does nothing.
/usr/bin/time -v "$exe" sweep --out "$out-seeds" --limit 500 --folds 3 --repeats 2 --threads 1 --top 0 --epochs 30 \
  --vary seed=43,44
