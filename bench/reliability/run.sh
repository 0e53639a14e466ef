#!/usr/bin/env bash
# run.sh NAME ARGS... : one timed memscore run into /tmp/rel/NAME, load sampled every 15 s.
set -u
name=$1; shift
cd "$(dirname "$0")/../.."
mkdir -p /tmp/rel/logs
log=/tmp/rel/logs/$name
( while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 15; done ) > $log.load &
sampler=$!
echo "start $(date +%T) $(uptime)" > $log.time
/usr/bin/time -v ./memscore run --out /tmp/rel/$name "$@" > $log.out 2>> $log.time
echo "rc=$? end $(date +%T) $(uptime)" >> $log.time
kill $sampler
