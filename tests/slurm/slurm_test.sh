#!/usr/bin/env bash
# cluster/train.sbatch on a real, one-node Slurm (tests/slurm/one_node_slurm.sh):
#   1. a short job runs to the end: COMPLETED, exit 0, and its HDF5 file holds every step and
#      the evaluation;
#   2. a longer job gets USR1 from Slurm (`scancel --batch --signal=USR1`, what --signal=B:USR1@300
#      sends before the time limit) once it has a checkpoint: the ranks checkpoint and stop, the
#      script requeues the job, the job's second run resumes from the checkpoint and completes
#      with the full history;
#   3. cluster/scaling.sbatch at 1 and 2 ranks writes the scaling CSV with all four runs.
# Stops everything it started. Needs root (it installs and runs Slurm and munge).
#   usage: tests/slurm/slurm_test.sh BUILD_DIR
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
dir=$(mktemp -d /tmp/hrgrad-slurm.XXXXXX)
trap '"$root/tests/slurm/one_node_slurm.sh" stop "$dir/slurm"' EXIT
eval "$("$root/tests/slurm/one_node_slurm.sh" start "$dir/slurm")" || exit 1
python=/usr/bin/python3
fail=0
check() {  # check <description> <condition...>
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
field() { scontrol show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
wait_for() {  # wait_for <seconds> <condition...>
  local limit=$1; shift
  for _ in $(seq "$limit"); do "$@" && return 0; sleep 1; done
  return 1
}
finished() { case "$(field "$1" JobState)" in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) return 0 ;; esac; return 1; }
rows() { "$python" -c 'import h5py, sys; print(h5py.File(sys.argv[1], "r")["history/step"].shape[0])' "$1" 2>/dev/null || echo 0; }

small=(--model.width 16 --model.depth 2 --points.interior 16 --points.boundary 8
       --points.initial 8 --quadrature 4)
tiny=(--regimes 2 "${small[@]}" --eval-eps 1e-3 --log-every 50)
submit() {  # submit <output> <hrgrad-train options...>: prints the job id
  local output=$1; shift
  HRGRAD_ROOT=$root HRGRAD_TRAIN=$build/hrgrad-train HRGRAD_OUTPUT=$output \
    sbatch --parsable --ntasks=2 --time=10 --output="${output%.h5}.out" \
    "$root/cluster/train.sbatch" "${tiny[@]}" "$@"
}

echo "== 1. a job that runs to the end"
job=$(submit "$dir/short.h5" --steps 40)
wait_for 300 finished "$job"
check "job $job COMPLETED (state $(field "$job" JobState))" test "$(field "$job" JobState)" = COMPLETED
check "exit code 0:0 ($(field "$job" ExitCode))" test "$(field "$job" ExitCode)" = 0:0
check "40 history rows in short.h5 ($(rows "$dir/short.h5"))" test "$(rows "$dir/short.h5")" = 40
check "an evaluation in short.h5" "$python" -c \
  'import h5py, sys; assert len(h5py.File(sys.argv[1], "r")["eval"]) == 1' "$dir/short.h5"

echo "== 2. USR1 before the time limit: checkpoint, requeue, resume"
job=$(submit "$dir/long.h5" --steps 4000 --checkpoint-every 100)
wait_for 300 test -f "$dir/long.ckpt.h5"
check "a checkpoint before the signal" test -f "$dir/long.ckpt.h5"
scancel --batch --signal=USR1 "$job"
wait_for 120 test "$(field "$job" Restarts)" = 1
wait_for 600 finished "$job"
log="$dir/long.out"
check "job $job COMPLETED after a requeue (state $(field "$job" JobState), restarts $(field "$job" Restarts))" \
  test "$(field "$job" JobState)" = COMPLETED -a "$(field "$job" Restarts)" = 1
check "the script requeued the job" grep -q "requeueing job $job" "$log"
check "the second run resumed from the checkpoint" grep -q "resuming from $dir/long.ckpt.h5" "$log"
check "4000 history rows in long.h5 ($(rows "$dir/long.h5"))" test "$(rows "$dir/long.h5")" = 4000
echo "== 3. the scaling study as a job"
job=$(HRGRAD_ROOT=$root HRGRAD_BUILD_DIR=$build HRGRAD_RANKS="1 2" HRGRAD_REGIMES=2 HRGRAD_STEPS=12 \
  HRGRAD_OUT=$dir/scaling sbatch --parsable --ntasks=2 --time=10 --output="$dir/scaling.out" \
  "$root/cluster/scaling.sbatch" "${small[@]}")
wait_for 300 finished "$job"
check "scaling job $job COMPLETED ($(field "$job" JobState))" test "$(field "$job" JobState)" = COMPLETED
check "the scaling CSV has 4 runs" test "$(tail -n +2 "$dir/scaling/scaling.csv" 2>/dev/null | wc -l)" = 4
[ "$fail" = 0 ] || { echo "--- job logs"; tail -n 30 "$dir"/*.out; }
exit $fail
