#!/usr/bin/env bash
# Every bad option gives exit status 2 and exactly one line on stderr naming the option, serially
# and under mpirun (-q keeps mpirun's own banner about a non-zero exit out), before any work.
set -u
train=$1 mpirun=$2
fail=0
check() {  # check <expected-substring> <command...>
  local expect=$1; shift
  local err status lines
  err=$("$@" 2>&1 >/dev/null); status=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  if [ "$status" -ne 2 ] || [ "$lines" -ne 1 ] || [[ "$err" != *"$expect"* ]]; then
    echo "FAIL: $* -> status $status, $lines line(s): $err"; fail=1
  else
    echo "ok: $* -> $err"
  fi
}
check "--eps-min" "$train" --eps-min 0
check "--eps-min" "$train" --eps-min 1 --eps-max 0.1
check "--regimes" "$train" --regimes 0
check "--steps" "$train" --steps 0
check "--steps" "$train" --steps abc
check "--bogus" "$train" --bogus 3
check "--aggregator" "$train" --aggregator nope
check "--output" "$train" --output /nonexistent/dir/run.h5 --steps 1
check "--eps-min" "$mpirun" -q -np 2 "$train" --eps-min -1
check "--device" "$train" --device tpu
if ! command -v nvidia-smi >/dev/null; then  # a CPU machine: cuda is refused before any work
  check "--device" "$train" --device cuda --steps 1
fi
# 3 ranks fit 2 regimes neither as blocks nor as task groups.
check "--regimes" "$mpirun" -q -np 3 "$train" --regimes 2 --steps 1
exit $fail
