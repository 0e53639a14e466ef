#!/usr/bin/env bash
# RSS over training epochs under both allocator set-ups, side by side in one run.
# Protocol: 10,000 embedded digits, K=2 (5,000 training examples per model), L=1, 10 epochs,
# log p(x) with S=8 at epoch 10 only. Reads the "rss N MB" of each epoch line of task 1.
# Usage: bench/rss.sh [extra memscore flags]     (run ./setup.sh first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=(run --folds 2 --repeats 1 --epochs 10 --eval-every 10 --is-samples 8 --threads 2 "$@")
declare -A modes=(
  [glibc-malloc]="MEMSCORE_NO_TCMALLOC=1"
  [tcmalloc]=""
)
printf "%-22s %10s %10s %10s %12s %10s\n" mode epoch2_MB epoch10_MB growth_% peak_RSS_MB wall_s
for mode in glibc-malloc tcmalloc; do
  log="$out/$mode.log"
  start=$(date +%s.%N)
  env ${modes[$mode]} /usr/bin/time -f "%M" -o "$out/$mode.peak" ./memscore "${flags[@]}" --out "$out/$mode" >"$log" 2>&1
  end=$(date +%s.%N)
  e2=$(grep -m1 "repeat 0, fold 0: epoch 2/10" "$log" | sed -E 's/.*rss ([0-9]+) MB.*/\1/')
  e10=$(grep -m1 "repeat 0, fold 0: epoch 10/10" "$log" | sed -E 's/.*rss ([0-9]+) MB.*/\1/')
  peak=$(( $(cat "$out/$mode.peak") / 1024 ))
  printf "%-22s %10s %10s %10.1f %12s %10.1f\n" "$mode" "$e2" "$e10" "$(echo "100*($e10-$e2)/$e2" | bc -l)" "$peak" "$(echo "$end-$start" | bc -l)"
done
