#!/usr/bin/env bash
# DP-SGD epoch cost against a normal epoch, side by side in one process (bench/dp/README.md).
# Usage: bench/dp/run.sh [images] [rounds] [threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run -c Release --project bench/dp -- "$@"
