#!/usr/bin/env bash
# Times `memscore report` on a 60,000-example run of protocol (c) (Fashion-MNIST, K=10, L=1, 3 epochs,
# S=64) with synthetic task results (bench/synthetic-results.cs: no training), then opens the report
# in headless Chromium and times sorting the explorer's 60k rows by M (ExplorerBenchmark, 3 sorts). The report runs
# twice: the first searches for near-duplicates (report-time.txt), the second reuses that search (report-time-cached.txt).
# Needs: apt-get install dataset-fashion-mnist chromium; a Release build (./setup.sh).
# Usage: bench/report-60k.sh [RUN_FOLDER=/tmp/report-60k] [OUT=bench/report-60k]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="${1:-/tmp/report-60k}"
out="${2:-$here/bench/report-60k}"
mkdir -p "$out"
rm -rf "$run"
"$here/memscore" plan --dataset fashion-mnist --folds 10 --repeats 1 --epochs 3 --eval-every 3 --is-samples 64 --out "$run"
dotnet run "$here/bench/synthetic-results.cs" -- "$run" 50 30 1
/usr/bin/time -v "$here/memscore" report "$run" 2> "$out/report-time.txt" | tee "$out/report-stdout.txt"
grep -E "Elapsed|Maximum resident" "$out/report-time.txt"
# Again: the near-duplicates search of the first report is cached in $run/near_duplicates.json.
/usr/bin/time -v "$here/memscore" report "$run" 2> "$out/report-time-cached.txt" > /dev/null
grep -E "Elapsed|Maximum resident" "$out/report-time-cached.txt"
{ du -sh "$run/report"; stat -c '%s %n' "$run/report/explorer/data.js" "$run/report/explorer/sheet_0.png"; } | tee "$out/report-size.txt"
MEMSCORE_BENCH_REPORT="$run/report/index.html" MEMSCORE_BENCH_OUT="$out" \
  dotnet test "$here/tests/MemScore.Tests" -c Release --no-build --filter "FullyQualifiedName~ExplorerBenchmark"
cat "$out/explorer-timing.txt"
