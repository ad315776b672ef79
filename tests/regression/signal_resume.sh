#!/usr/bin/env bash
# A graceful stop and a resume under mpirun -np 2, with the run watched while it goes:
#  1. a run with --flush-every 2 and --metrics-csv is read mid-run (h5py, CSV): the rows so far;
#  2. SIGUSR1 to mpirun (which forwards it to every rank) stops it at the next step boundary with
#     a checkpoint and status 3; /history and the CSV then hold every step done;
#  3. a resume finishes, with /history and the CSV holding all steps from 0;
#  4. SIGTERM sent to one rank (not to mpirun, which would kill the job) stops a run the same way.
# usage: signal_resume.sh <hrgrad-train> <mpirun> <work dir>
set -u
train=$1 mpirun=$2 work=$3
py=/usr/bin/python3
dir=$(mktemp -d "$work/signal_resume.XXXXXX") || exit 1
job=
trap '[ -n "$job" ] && kill -KILL "$job" 2>/dev/null; rm -rf "$dir"' EXIT
tiny=(--log-every 1 --threads 1 --eval-eps 1e-2 --t-final 0.01 --model.width 16 --model.depth 2
      --points.interior 16 --points.boundary 8 --points.initial 8 --quadrature 4
      --reference-cache none --checkpoint-every 0 --flush-every 2 --output "$dir/run.h5"
      --metrics-csv "$dir/run.csv")
fail=0

wait_for_step() {  # wait_for_step <n> <log>: until the log shows step n done (60 s at most)
  for _ in $(seq 600); do
    grep -q "^step $1/" "$2" 2>/dev/null && return 0
    kill -0 "$job" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# check_rows <first> <last or "any"> <at least>: /history/step and the CSV's steps are first..last
check_rows() {
  "$py" - "$dir/run.h5" "$dir/run.csv" "$@" <<'PY'
import csv, sys, h5py
path, csv_path, first, last, least = sys.argv[1:]
with h5py.File(path, "r") as f:
    steps = [int(s) for s in f["/history/step"][:]]
    loss = f["/history/loss"][:]
with open(csv_path) as f:
    rows = list(csv.DictReader(f))
csv_steps = [int(r["step"]) for r in rows]
ok = (steps == list(range(int(first), int(first) + len(steps))) and len(steps) >= int(least)
      and (last == "any" or steps[-1] == int(last)) and loss.shape[0] == len(steps)
      and csv_steps[: len(steps)] == steps and "loss_0" in rows[0])
print(f"/history: {len(steps)} rows, steps {steps[:1]}..{steps[-1:]}; CSV: {len(csv_steps)} rows")
sys.exit(0 if ok else 1)
PY
}

# 1-2: watch, then SIGUSR1 to mpirun.
"$mpirun" -np 2 "$train" "${tiny[@]}" --steps 100000 >"$dir/a.out" 2>"$dir/a.err" &
job=$!
wait_for_step 7 "$dir/a.out" || { echo "FAIL: the run did not reach step 7"; cat "$dir/a.err"; exit 1; }
check_rows 0 any 6 || { echo "FAIL: mid-run rows"; fail=1; }
kill -USR1 "$job"
wait "$job"; status=$?; job=
stop=$(grep -o "stopped by SIGUSR1 after step [0-9]*" "$dir/a.err")
echo "status $status: $stop"
[ $status -eq 3 ] || { echo "FAIL: status $status, expected 3"; cat "$dir/a.err"; fail=1; }
n=${stop##* }
[ -n "$n" ] && [ -s "$dir/run.ckpt.h5" ] || { echo "FAIL: no stop message or checkpoint"; exit 1; }
check_rows 0 $((n - 1)) "$n" || { echo "FAIL: rows after the stop"; fail=1; }

# 3: resume and finish.
"$mpirun" -np 2 "$train" "${tiny[@]}" --steps $((n + 3)) --resume "$dir/run.ckpt.h5" \
  >"$dir/b.out" 2>"$dir/b.err" || { echo "FAIL: the resume"; cat "$dir/b.err"; fail=1; }
check_rows 0 $((n + 2)) $((n + 3)) || { echo "FAIL: rows after the resume"; fail=1; }

# 4: SIGTERM to one rank.
"$mpirun" -np 2 "$train" "${tiny[@]}" --steps 100000 --resume "$dir/run.ckpt.h5" \
  >"$dir/c.out" 2>"$dir/c.err" &
job=$!
wait_for_step $((n + 6)) "$dir/c.out" || { echo "FAIL: the third run did not start"; exit 1; }
rank=$(pgrep -P "$job" | head -n 1)
[ -n "$rank" ] && kill -TERM "$rank"
wait "$job"; status=$?; job=
echo "status $status: $(grep -o "stopped by SIGTERM after step [0-9]*" "$dir/c.err")"
[ $status -eq 3 ] || { echo "FAIL: status $status after SIGTERM to rank $rank"; cat "$dir/c.err"; fail=1; }
check_rows 0 any $((n + 6)) || { echo "FAIL: rows after the SIGTERM stop"; fail=1; }
[ $fail -eq 0 ] && echo "ok"
exit $fail
