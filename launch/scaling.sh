#!/usr/bin/env bash
# Strong and weak scaling of hrgrad-train, one run per rank count, timings into one CSV, a table
# and a plot (launch/scaling_report.py):
#   strong: a fixed problem (--regimes R, the points per regime fixed) on P ranks;
#   weak:   one regime per rank (--regimes P), the points per regime fixed.
# Each rank computes with one thread, so P ranks use P cores (more ranks than cores are
# oversubscribed, and the table then measures sharing, not scaling).
#   usage: launch/scaling.sh [--ranks "1 2 4"] [--regimes R] [--steps N] [--out DIR]
#                            [--launcher "mpirun ..."] [-- more hrgrad-train options]
# The launcher gets "-n P" after it; the default is mpirun (oversubscribing; as root with
# --allow-run-as-root). On Slurm: --launcher "srun --mpi=pmix" (cluster/scaling.sbatch).
set -euo pipefail
# One compound command, read whole before any of it runs: editing or updating this file while
# it runs (for hours) cannot change what the running script does next.
{
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HRGRAD_BUILD_DIR:-$root/build}"
ranks="1 2 4" regimes=4 steps=60 out="$root/runs/scaling" launcher=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ranks) ranks=$2; shift 2 ;;
    --regimes) regimes=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --launcher) launcher=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "scaling.sh: unknown argument '$1' (see the usage at the top of the script)" >&2; exit 2 ;;
  esac
done
if [ -z "$launcher" ]; then
  launcher="mpirun --oversubscribe"
  [ "$(id -u)" -eq 0 ] && launcher+=" --allow-run-as-root"
fi
[ -x "$build/hrgrad-train" ] || { echo "scaling.sh: build $build/hrgrad-train first (launch/build.sh)" >&2; exit 2; }
mkdir -p "$out"

files=()
for mode in strong weak; do
  for p in $ranks; do
    m=$regimes
    [ "$mode" = weak ] && m=$p
    file="$out/${mode}_P${p}.h5"
    echo "scaling: $mode, $p rank(s), $m regime(s), $steps steps -> $file"
    # shellcheck disable=SC2086
    OMP_NUM_THREADS=1 $launcher -n "$p" "$build/hrgrad-train" --regimes "$m" --steps "$steps" \
      --threads 1 --log-every 0 --quiet --eval-eps 1e-2 --output "$file" \
      --reference-cache "$out/reference_cache.h5" "$@"
    files+=("$file")
  done
done
/usr/bin/python3 "$root/launch/scaling_report.py" --csv "$out/scaling.csv" \
  --plot "$out/scaling.png" "${files[@]}"
exit
}
