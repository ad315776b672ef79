#!/usr/bin/env bash
# Configures and builds hrgrad (Release) in build/ (or $HRGRAD_BUILD_DIR). Extra arguments go to
# the CMake configure step.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HRGRAD_BUILD_DIR:-$root/build}"
jobs="${HRGRAD_JOBS:-$(nproc)}"
generator=()
if command -v ninja >/dev/null && [ ! -f "$build/Makefile" ]; then generator=(-G Ninja); fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j "$jobs"
