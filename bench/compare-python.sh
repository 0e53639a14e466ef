#!/usr/bin/env bash
# Protocol (c) fold by fold: the authors' approach under Debian's PyTorch (bench/python/authors_protocol.py)
# against MemScore (`memscore plan` once, then `memscore task --index k`), alternating A B A B per fold
# so a change in machine load hits both. Writes a table of per-fold seconds and ratios (python / memscore).
#
# Usage: bench/compare-python.sh [--folds-to-run 0,1] [--epochs 3] [--is-samples 64] [--threads 2]
#                                [--limit N] [--out DIR] [--python-hidden 512,256]
# Smoke test: bench/compare-python.sh --folds-to-run 0 --epochs 1 --limit 600
#
# Model: both sides run the paper's network, hidden layers 512-256 after the 1024 inputs (1.3M
# parameters; memscore's bernoulli-mlp-vae had an extra 1024-wide layer until this comparison found it).
#
# BLAS: Debian's torch calls whatever libblas.so.3 resolves to; the reference BLAS (libblas3) is
# ~10x slower at these matmuls than OpenBLAS. The Python side uses OpenBLAS from $OPENBLAS_DIR
# (default: the folder `apt-get install libopenblas0-pthread` creates) and says which BLAS it loaded.
#
# Timing: memscore's train seconds run from the task process's start to its last "epoch E/E" line;
# its start-up (process, libtorch, data loading) is measured by running the finished task once more
# (it then only starts and exits) and subtracted for the train ratio; the fold ratio keeps it (whole
# task process). Eval seconds run from the "epoch E/E" line to the "log p(x)" line. Python's per-fold
# figures exclude its one-off data loading.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

folds_to_run=0,1 epochs=3 samples=64 threads=2 limit="" out="" hidden=512,256
while [[ $# -gt 0 ]]; do
  case "$1" in
    --folds-to-run) folds_to_run=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --is-samples) samples=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --python-hidden) hidden=$2; shift 2 ;;
    *) echo "compare-python: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/compare-python.XXXXXX)}
mkdir -p "$out"
limit_flag=(); [[ -n $limit ]] && limit_flag=(--limit "$limit")

blas_dir=${OPENBLAS_DIR:-/usr/lib/x86_64-linux-gnu/openblas-pthread}
python_env=(OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads")
if [[ -f $blas_dir/libblas.so.3 ]]; then
  python_env+=(LD_LIBRARY_PATH="$blas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
else
  echo "compare-python: WARNING no OpenBLAS in $blas_dir; Python runs on the system libblas.so.3 (see bench/README.md)" >&2
fi

now() { date +%s.%N; }
# Prefixes each line of stdin with the seconds since $1.
stamp() { local t0=$1 line; while IFS= read -r line; do printf '%.3f %s\n' "$(echo "$(now) - $t0" | bc -l)" "$line"; done; }

./memscore plan --dataset fashion-mnist --folds 10 --repeats 1 --epochs "$epochs" --eval-every "$epochs" \
  --is-samples "$samples" --threads "$threads" "${limit_flag[@]}" --out "$out/memscore" >"$out/plan.log" 2>&1

IFS=, read -r -a folds <<<"$folds_to_run"
rows=()
for k in "${folds[@]}"; do
  env "${python_env[@]}" /usr/bin/python3 bench/python/authors_protocol.py --folds-to-run "$k" --epochs "$epochs" \
    --eval-every "$epochs" --is-samples "$samples" --threads "$threads" --hidden "$hidden" "${limit_flag[@]}" >"$out/python-fold$k.log"
  py=$(grep "^fold=$k " "$out/python-fold$k.log")
  value() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$py"; }
  py_train=$(value train_s) py_test=$(value test_s) py_eval=$(value eval_s) py_fold=$(value fold_s)

  t0=$(now)
  ./memscore task --run "$out/memscore" --index "$k" 2>&1 | stamp "$t0" >"$out/memscore-fold$k.log"
  ms_task=$(echo "$(now) - $t0" | bc -l)
  ms_trained=$(grep "epoch $epochs/$epochs" "$out/memscore-fold$k.log" | tail -1 | cut -d' ' -f1)
  ms_evaluated=$(grep "log p(x) of" "$out/memscore-fold$k.log" | tail -1 | cut -d' ' -f1)
  ms_eval=$(echo "$ms_evaluated - $ms_trained" | bc -l)
  # The same command again finds the task done: it only starts, loads the data and exits.
  t0=$(now)
  ./memscore task --run "$out/memscore" --index "$k" >"$out/memscore-fold$k-again.log" 2>&1
  ms_start=$(echo "$(now) - $t0" | bc -l)
  rows+=("$k $py_train $py_test $py_eval $py_fold $ms_start $ms_trained $ms_eval $ms_task")
done

{
  echo "protocol: fashion-mnist, K=10, L=1, epochs=$epochs, S=$samples, threads=$threads${limit:+, limit=$limit}; folds $folds_to_run; python hidden $hidden"
  echo "python: $(head -1 "$out/python-fold${folds[0]}.log")"
  echo
  echo "| fold | py train s | py test-loss s | py eval s | py fold s | ms start s | ms train s | ms eval s | ms task s | train ratio | eval ratio | fold ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}" | awk '
    function row(name, v) {
      printf "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |\n",
        name, v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[2] / (v[7] - v[6]), v[4] / v[8], v[5] / v[9] }
    { for (i = 2; i <= 9; i++) { v[i] = $i; sum[i] += $i }; row($1, v) }
    END { row("all", sum) }'
  echo
  echo "ms train s includes ms start s (process start + data loading); train ratio = py train / (ms train - ms start);"
  echo "fold ratio = py fold (split + train + test-loss + eval + save) / ms task (whole process, start-up included)."
} | tee "$out/table.md"
echo "logs and table: $out"
