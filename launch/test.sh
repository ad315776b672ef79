#!/usr/bin/env bash
# All tests: installs what is missing, builds (tests included), and runs every test through
# ctest. Arguments go to ctest, e.g. launch/test.sh -R aggregate
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HRGRAD_BUILD_DIR:-$root/build}"

"$root/launch/setup.sh"
"$root/launch/build.sh" -DHRGRAD_BUILD_TESTS=ON
ctest --test-dir "$build" -j "$(nproc)" --output-on-failure --timeout 900 "$@"
