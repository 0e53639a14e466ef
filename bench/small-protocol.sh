#!/usr/bin/env bash
# The small protocol of issue 17 item 4: 6,000 Fashion-MNIST images, K=5, L=1, 2 epochs, S=32 at
# epoch 2, 2 threads on the Python side, MemScore's defaults otherwise. Runs the authors' approach
# (bench/python/authors_protocol.py, Debian's PyTorch 1.13 + OpenBLAS) and `memscore run`
# alternately, PAIRS times (A B A B ...), each under /usr/bin/time, with `uptime` before and after.
#
# Usage: bench/small-protocol.sh [PAIRS] [OUT]    (default 2 pairs, OUT a new temp folder)
#   BASELINE=DIR (optional): a built checkout of another commit; its ./memscore runs the same protocol after
#   each pair ("baseline-N"), so before and after are measured in the same minutes.
# Prints one line per run: side, wall seconds (from /usr/bin/time), peak RSS, load before/after.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pairs=${1:-2}
out=${2:-$(mktemp -d /tmp/small-protocol.XXXXXX)}
mkdir -p "$out"
blas_dir=${OPENBLAS_DIR:-/usr/lib/x86_64-linux-gnu/openblas-pthread}
[[ -f $blas_dir/libblas.so.3 ]] || { echo "small-protocol: no OpenBLAS in $blas_dir (bench/python/README.md)" >&2; exit 2; }

load() { cut -d' ' -f1 /proc/loadavg; }
# Runs "$@" under /usr/bin/time -v; prints: NAME wall_s peak_rss_mb load_before load_after
timed() {
  local name=$1; shift
  local before; before=$(load)
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1
  local wall rss
  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:03.04" -> seconds
  wall=$(sed -nE 's/.*Elapsed .*\): //p' "$out/$name.time" \
    | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
  rss=$(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$out/$name.time")
  printf '%-12s wall_s=%-7s peak_rss_mb=%-5s load_before=%s load_after=%s\n' "$name" "$wall" "$((rss / 1024))" "$before" "$(load)"
}

for ((p = 1; p <= pairs; p++)); do
  timed "authors-$p" env OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 LD_LIBRARY_PATH="$blas_dir" \
    /usr/bin/python3 bench/python/authors_protocol.py --limit 6000 --folds 5 --epochs 2 --eval-every 2 \
    --is-samples 32 --threads 2
  rm -rf "$out/memscore-$p"
  timed "memscore-$p" ./memscore run --dataset fashion-mnist --limit 6000 --folds 5 --repeats 1 --epochs 2 \
    --eval-every 2 --is-samples 32 --out "$out/memscore-$p"
  if [[ -n ${BASELINE:-} ]]; then
    rm -rf "$out/baseline-$p"
    timed "baseline-$p" "$BASELINE/memscore" run --dataset fashion-mnist --limit 6000 --folds 5 --repeats 1 --epochs 2 \
      --eval-every 2 --is-samples 32 --out "$out/baseline-$p"
  fi
done
