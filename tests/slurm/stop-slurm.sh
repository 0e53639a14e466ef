#!/usr/bin/env bash
# Stops the daemons started by start-slurm.sh, by their PIDs.
dir="${1:-/tmp/memscore-slurm}"
for f in slurmd.daemon.pid slurmctld.daemon.pid munge/munged.pid; do
  [[ -f "$dir/$f" ]] && kill "$(cat "$dir/$f")" 2>/dev/null || true
done
sleep 1
for f in slurmd.daemon.pid slurmctld.daemon.pid munge/munged.pid; do
  [[ -f "$dir/$f" ]] && kill -9 "$(cat "$dir/$f")" 2>/dev/null || true
done
exit 0
