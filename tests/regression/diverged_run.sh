#!/usr/bin/env bash
# A run whose gradients stop being finite skips those steps on every rank and ends after
# --max-skipped-steps in a row, with status 1 and a message saying what to change.
set -u
train=$1 mpirun=$2 dir=$3
err=$("$mpirun" -q -np 2 "$train" --lr 1e30 --steps 50 --max-skipped-steps 2 --log-every 0 \
      --threads 1 --eval-eps 1e-2 --output "$dir/diverged.h5" 2>&1 >/dev/null); status=$?
echo "$err" | grep "hrgrad" | head -n 6
[ $status -eq 1 ] || { echo "FAIL: status $status, expected 1"; exit 1; }
grep -q "error: training diverged: 2 consecutive steps with non-finite gradients" <<<"$err" ||
  { echo "FAIL: no divergence message"; exit 1; }
grep -q "step skipped on every rank" <<<"$err" || { echo "FAIL: no skip warning"; exit 1; }
echo "ok"
