#!/usr/bin/env bash
# Builds everything and runs the test suite (xunit). Needs what ./setup.sh installs; npm for the
# real-digit tests (the package is fetched once into ~/.cache/memscore). Starts a single-node
# Slurm on 127.0.0.1 for the scale-out tests (installing Debian's packages if needed, as root)
# and stops it afterwards; where that is impossible those tests are reported as skipped.
# MEMSCORE_SKIP_SLURM=1 skips starting Slurm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./setup.sh
if [[ "${MEMSCORE_SKIP_SLURM:-0}" != "1" ]]; then
  slurm_dir="$(mktemp -d /tmp/memscore-slurm-XXXXXX)"
  if env_file="$(tests/slurm/start-slurm.sh "$slurm_dir")"; then
    # shellcheck disable=SC1090
    source "$env_file"
    trap 'tests/slurm/stop-slurm.sh "$slurm_dir"' EXIT
  else
    echo "test.sh: Slurm could not be started (see above); the Slurm tests will be reported as SKIPPED" >&2
  fi
fi
dotnet test tests/MemScore.Tests -c Release -nologo --logger "console;verbosity=normal" "$@"
