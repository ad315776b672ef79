#!/usr/bin/env bash
# The main job: installs what is missing, builds, and trains the default problem (linear
# transport, eps in [1e-4, 1], 4 regimes, HRGrad) on as many MPI ranks as regimes fit the
# cores, then prints the per-eps error table and writes plots beside runs/default.h5. A first
# argument ending in .ini picks another config (output runs/<its name>.h5); the other arguments
# go to hrgrad-train, e.g.
#   launch/run.sh --steps 500
#   launch/run.sh launch/configs/bgk.ini --steps 500
set -euo pipefail
# One compound command, read whole before any of it runs: editing or updating this file while
# it runs (for hours) cannot change what the running script does next.
{
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HRGRAD_BUILD_DIR:-$root/build}"

"$root/launch/setup.sh"
HRGRAD_TARGETS="${HRGRAD_TARGETS:-hrgrad-train}" "$root/launch/build.sh"

config="$root/launch/configs/default.ini"
if [ $# -gt 0 ] && [[ "$1" == *.ini ]]; then
  config=$1
  shift
  [ -f "$config" ] || { echo "run: config file '$config' not found" >&2; exit 2; }
fi
name=$(basename "$config" .ini)
regimes=$(sed -n 's/^[[:space:]]*regimes[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$config" | head -n1)
regimes=${regimes:-4}
cores=$(nproc)
ranks=${HRGRAD_RANKS:-$(( regimes < cores ? regimes : cores ))}
mkdir -p "$root/runs"
output="$root/runs/$name.h5"

mpi_flags=()
if [ "$(id -u)" -eq 0 ]; then
  echo "run: running as root, so mpirun gets --allow-run-as-root"
  mpi_flags+=(--allow-run-as-root)
fi
echo "run: mpirun -np $ranks hrgrad-train --config $config --output $output $*"
mpirun "${mpi_flags[@]}" -np "$ranks" "$build/hrgrad-train" --config "$config" --output "$output" "$@"

echo "run: plots of $output"
/usr/bin/python3 "$root/launch/plot.py" "$output"
exit
}
