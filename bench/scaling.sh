#!/usr/bin/env bash
# Scaling curves of protocol (c): wall time of a whole `memscore run` against n (examples),
# K (folds) and S (importance samples), one parameter varied at a time, the others at the
# values below. Each point is a fresh run folder; wall time and peak RSS from /usr/bin/time.
# For each curve a least-squares line time = a + b*x is fitted; the table shows time/x and the
# largest relative deviation of a point from the line (small = linear growth).
#
# Usage: bench/scaling.sh [out.csv]      (run ./setup.sh and apt-get install dataset-fashion-mnist first)
# Takes about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
csv=${1:-bench/scaling.csv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
base=(--dataset fashion-mnist --repeats 1 --epochs 3 --eval-every 3 --threads 2)

point() {   # curve x flags...
  local curve=$1 x=$2; shift 2
  local out="$work/$curve-$x"
  /usr/bin/time -f "%e %M" -o "$out.time" ./memscore run "${base[@]}" "$@" --out "$out" >"$out.log" 2>&1 \
    || { echo "memscore run failed for $curve=$x, see below" >&2; tail -n 20 "$out.log" >&2; exit 1; }
  read -r wall kb <"$out.time"
  echo "$curve,$x,$wall,$((kb / 1024)),\"$*\"" | tee -a "$csv"
}

echo "curve,x,wall_s,peak_rss_mb,flags" >"$csv"
for n in 3750 7500 15000 30000; do point n "$n" --limit "$n" --folds 10 --is-samples 64; done
for k in 2 4 6 8 10; do point K "$k" --limit 15000 --folds "$k" --is-samples 64; done
for s in 16 32 64 128 256; do point S "$s" --limit 15000 --folds 2 --is-samples "$s"; done

echo
echo "| curve | x | wall s | peak RSS MB | s per unit of x | fit a + b x: deviation |"
echo "|---|---|---|---|---|---|"
awk -F, 'NR > 1 { c[NR] = $1; x[NR] = $2; t[NR] = $3; r[NR] = $4; n[$1]++; sx[$1] += $2; st[$1] += $3; sxx[$1] += $2 * $2; sxt[$1] += $2 * $3; last = NR }
  END {
    for (k in n) { b[k] = (n[k] * sxt[k] - sx[k] * st[k]) / (n[k] * sxx[k] - sx[k] * sx[k]); a[k] = (st[k] - b[k] * sx[k]) / n[k] }
    for (i = 2; i <= last; i++) {
      k = c[i]; fit = a[k] + b[k] * x[i]
      printf "| %s | %s | %.1f | %s | %.4f | %+.1f%% |\n", k, x[i], t[i], r[i], t[i] / x[i], 100 * (t[i] - fit) / fit
    }
    for (k in n) printf "fit %s: time = %.1f s + %.5f s * %s\n", k, a[k], b[k], k
  }' "$csv"
