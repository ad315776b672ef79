#!/usr/bin/env bash
# Configures and builds hrgrad (Release) in build/ (or $HRGRAD_BUILD_DIR). Arguments go to the
# CMake configure step; HRGRAD_TARGETS="a b" builds only those targets, HRGRAD_JOBS sets the
# parallelism (default: the number of cores).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HRGRAD_BUILD_DIR:-$root/build}"
jobs="${HRGRAD_JOBS:-$(nproc)}"
generator=()
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
echo "build: configuring $build"
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log" >&2; echo "build: CMake configure failed (log above)" >&2; exit 1; }
grep -E '^-- hrgrad:' "$build.configure.log" || true
targets=()
for t in ${HRGRAD_TARGETS:-}; do targets+=(--target "$t"); done
echo "build: compiling ${HRGRAD_TARGETS:-all targets} with $jobs jobs"
cmake --build "$build" -j "$jobs" "${targets[@]}"
