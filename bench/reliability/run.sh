#!/usr/bin/env bash
# run.sh NAME ARGS... : timed memscore run into /tmp/rel/NAME, load sampled every 15 s.
# Resumes (reruns the same command) after a failure, up to 8 attempts: each attempt's
# /usr/bin/time -v block is kept in the log; CPU and wall time are summed over attempts.
# MEMSCORE_EXE=PATH runs a copied MemScore.Cli (tcmalloc preloaded as ./memscore does) instead of
# ./memscore, so rebuilding the checkout during a long run cannot swap the program under it.
set -u
name=$1; shift
cd "$(dirname "$0")/../.."
mkdir -p /tmp/rel/logs
log=/tmp/rel/logs/$name
if [[ -n "${MEMSCORE_EXE:-}" ]]; then
  run=(env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 "$MEMSCORE_EXE")
else
  run=(./memscore)
fi
( while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 15; done ) >> $log.load &
sampler=$!
for attempt in 1 2 3 4 5 6 7 8; do
  echo "attempt $attempt start $(date +%T) $(uptime)" >> $log.time
  MEMSCORE_DEBUG=1 /usr/bin/time -v "${run[@]}" run --out /tmp/rel/$name "$@" >> $log.out 2>> $log.time
  rc=$?
  echo "attempt $attempt rc=$rc end $(date +%T) $(uptime)" >> $log.time
  [ $rc -eq 0 ] && break
done
kill $sampler
