#!/usr/bin/env bash
# Every bad option gives exit status 2 and exactly one line on stderr naming the option, serially
# and under mpirun (-q keeps mpirun's own banner about a non-zero exit out), before any work.
set -u
train=$1 mpirun=$2
# shellcheck source=tests/support/expect_error.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/expect_error.sh"
fail=0
expect_error "--eps-min" "$train" --eps-min 0
expect_error "--eps-min" "$train" --eps-min 1 --eps-max 0.1
expect_error "--regimes" "$train" --regimes 0
expect_error "--steps" "$train" --steps 0
expect_error "--steps" "$train" --steps abc
expect_error "--bogus" "$train" --bogus 3
expect_error "--aggregator" "$train" --aggregator nope
expect_error "--output" "$train" --output /nonexistent/dir/run.h5 --steps 1
expect_error "--eps-min" "$mpirun" -q -np 2 "$train" --eps-min -1
expect_error "--device" "$train" --device tpu
if ! command -v nvidia-smi >/dev/null; then  # a CPU machine: cuda is refused before any work
  expect_error "--device" "$train" --device cuda --steps 1
fi
# 3 ranks fit 2 regimes neither as blocks nor as task groups.
expect_error "--regimes" "$mpirun" -q -np 3 "$train" --regimes 2 --steps 1
exit $fail
