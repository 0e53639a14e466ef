#!/usr/bin/env bash
# Starts munge and a single-node Slurm (slurmctld + slurmd) on 127.0.0.1 without systemd, for the
# Slurm tests. Installs Debian's packages when missing (needs root and apt). All state lives in
# $1 (default /tmp/memscore-slurm); prints the path of an env file to source (SLURM_CONF, PIDs).
# Stop with tests/slurm/stop-slurm.sh $1. Exit code 0 and "slurm: ready" when sinfo shows the node.
set -euo pipefail
dir="${1:-/tmp/memscore-slurm}"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "slurm: not installed and cannot install (need root + apt-get)" >&2; exit 3
  fi
  echo "slurm: installing slurmctld slurmd slurm-client munge (apt)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null) \
    || { echo "slurm: apt-get install failed" >&2; exit 3; }
fi
"$(dirname "$0")/stop-slurm.sh" "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"; mkdir -p "$dir"/{state,spool,munge}
chmod 700 "$dir/munge"
host="$(hostname -s)"
mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null 2>&1 || mungekey -c -k "$dir/munge/munge.key"
chmod 600 "$dir/munge/munge.key"
munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --force
cat > "$dir/slurm.conf" <<CONF
ClusterName=memscore
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SlurmctldPort=6917
SlurmdPort=6918
MinJobAge=3600
NodeName=${host} NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -D -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
echo $! > "$dir/slurmctld.daemon.pid"
slurmd -D -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 &
echo $! > "$dir/slurmd.daemon.pid"
cat > "$dir/env" <<ENV
export SLURM_CONF=$dir/slurm.conf
ENV
for i in $(seq 1 30); do
  if sinfo -h -o "%T" 2>/dev/null | grep -qE "^idle"; then echo "slurm: ready ($dir/env)" >&2; echo "$dir/env"; exit 0; fi
  sleep 1
done
echo "slurm: node did not become idle; logs in $dir" >&2
tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
exit 4
