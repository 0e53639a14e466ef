#!/usr/bin/env bash
# run.sh NAME ARGS... : bench/reliability/run.sh with the CLI taken from $MEMSCORE_EXE (a copy of a
# build, so rebuilding the worktree during a long run cannot swap the program under it). Timed
# `memscore run --out /tmp/rel/NAME ARGS`, load sampled every 15 s, rerun (resume) after a failure.
set -u
name=$1; shift
exe=${MEMSCORE_EXE:?set MEMSCORE_EXE to a copied MemScore.Cli}
mkdir -p /tmp/rel/logs
log=/tmp/rel/logs/$name
( while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 15; done ) >> $log.load &
sampler=$!
for attempt in 1 2 3 4 5 6 7 8; do
  echo "attempt $attempt start $(date +%T) $(uptime)" >> $log.time
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 MEMSCORE_DEBUG=1 /usr/bin/time -v "$exe" run --out /tmp/rel/$name "$@" >> $log.out 2>> $log.time
  rc=$?
  echo "attempt $attempt rc=$rc end $(date +%T) $(uptime)" >> $log.time
  [ $rc -eq 0 ] && break
done
kill $sampler
