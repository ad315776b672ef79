#!/usr/bin/env bash
# A failure on one rank ends the whole mpirun job promptly, with that rank's message and a
# non-zero status, instead of leaving the other rank waiting in a collective.
set -u
train=$1 mpirun=$2 dir=$3
start=$(date +%s)
err=$("$mpirun" -np 2 "$train" --steps 100 --log-every 0 --debug.fail-rank 1 --debug.fail-step 3 \
      --output "$dir/fail.h5" 2>&1 >/dev/null); status=$?
elapsed=$(( $(date +%s) - start ))
echo "$err" | head -n 5
if [ $status -eq 0 ]; then echo "FAIL: the job exited 0"; exit 1; fi
if ! grep -q "\[hrgrad rank 1\] error: injected failure (--debug.fail-rank 1) at step 3" <<<"$err"; then
  echo "FAIL: rank 1's message is missing"; exit 1
fi
if [ $elapsed -gt 60 ]; then echo "FAIL: the job took ${elapsed}s to end"; exit 1; fi
echo "ok: status $status after ${elapsed}s"
