#!/usr/bin/env bash
# The default-style job behind the screenshots in this folder: 1,000 digits, K = 5, L = 5, 60 epochs,
# evaluated every 20; a full run of the same data (20 epochs); a report with --full; screenshots of the
# page, the per-class panels and the explorer's detail panel (with neighbours) in headless Chromium.
# Two small runs at lr 1e-3 and 1e-4 go through `memscore compare` (quantiles of M against epoch).
# Needs: a Release build (./setup.sh), apt-get install chromium. Usage: bench/report-explorer/run.sh [WORK=/tmp/rf]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-/tmp/rf}"
out="$here/bench/report-explorer"
mkdir -p "$work"
"$here/memscore" run --limit 1000 --epochs 60 --eval-every 20 --out "$work/run"
"$here/memscore" full --limit 1000 --epochs 20 --out "$work/full"
/usr/bin/time -v "$here/memscore" report "$work/run" --full "$work/full" 2> "$work/report-time.txt" | tee "$out/report-stdout.txt"
MEMSCORE_BENCH_REPORT="$work/run/report/index.html" MEMSCORE_BENCH_OUT="$out" \
  dotnet test "$here/tests/MemScore.Tests" -c Release --no-build --filter "FullyQualifiedName~ExplorerBenchmark"
for lr in 1e-3 1e-4; do
  "$here/memscore" run --limit 300 --folds 5 --repeats 2 --epochs 20 --eval-every 5 --lr "$lr" --out "$work/lr$lr"
done
"$here/memscore" compare "$work/lr1e-3" "$work/lr1e-4" --out "$work/compare-lr"
cp "$work/compare-lr/figures/quantiles_by_epoch.png" "$out/compare-lr-quantiles.png"
