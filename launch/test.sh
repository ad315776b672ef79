#!/usr/bin/env bash
# All tests: installs what is missing, builds (tests included), and runs every test through
# ctest. With --slurm first, it then runs tests/slurm/slurm_test.sh too: a real one-node Slurm
# (installed from Debian's packages; root) running cluster/train.sbatch and cluster/scaling.sbatch.
# Other arguments go to ctest, e.g. launch/test.sh -R aggregate
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HRGRAD_BUILD_DIR:-$root/build}"
slurm=0
if [ "${1:-}" = --slurm ]; then
  slurm=1
  shift
fi

"$root/launch/setup.sh"
"$root/launch/build.sh" -DHRGRAD_BUILD_TESTS=ON
ctest --test-dir "$build" -j "$(nproc)" --output-on-failure --timeout 900 "$@"
if [ "$slurm" = 1 ]; then
  echo "test: the Slurm test (tests/slurm/slurm_test.sh)"
  "$root/tests/slurm/slurm_test.sh" "$build"
fi
