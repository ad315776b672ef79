#!/usr/bin/env bash
# A checkpoint write that runs out of space (simulated with a file-size limit, ulimit -f, with
# SIGXFSZ ignored so that write() fails with EFBIG as on a full disk) ends the run with status 1
# and a message naming the checkpoint; the checkpoint from before and the one before it stay
# intact, and a run resumes from the former and finishes.
# usage: checkpoint_full_disk.sh <hrgrad-train> <mpirun (unused)> <work dir>
set -u
train=$1 work=$3
py=/usr/bin/python3
dir=$(mktemp -d "$work/checkpoint_full_disk.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
tiny=(--log-every 0 --threads 1 --eval-eps 1e-2 --t-final 0.01 --model.width 16 --model.depth 2
      --points.interior 16 --points.boundary 8 --points.initial 8 --quadrature 4
      --reference-cache none --output "$dir/run.h5")
steps_of() {  # steps_of <checkpoint>: its step attribute
  "$py" -c 'import sys, h5py; print(int(h5py.File(sys.argv[1], "r").attrs["step"]))' "$1"
}

"$train" "${tiny[@]}" --steps 6 --checkpoint-every 3 >/dev/null || { echo "FAIL: first run"; exit 1; }
ckpt=$dir/run.ckpt.h5 prev=$dir/run.ckpt.prev.h5
size=$(stat -c %s "$ckpt")
sum_ckpt=$(md5sum <"$ckpt") sum_prev=$(md5sum <"$prev")
# Half the checkpoint's size: the output file written at the start fits, the checkpoint does not.
limit_kb=$(( size / 2048 ))
echo "checkpoint: $size bytes; file-size limit ${limit_kb} KiB"
err=$( (trap '' XFSZ; ulimit -f "$limit_kb"; exec "$train" "${tiny[@]}" --steps 12 \
        --checkpoint-every 2) 2>&1 >/dev/null); status=$?
echo "$err"
fail=0
[ $status -eq 1 ] || { echo "FAIL: status $status, expected 1"; fail=1; }
grep -q "error: checkpoint after step 2: $ckpt: cannot write" <<<"$err" ||
  { echo "FAIL: the message does not name the checkpoint"; fail=1; }
[ "$(md5sum <"$ckpt")" = "$sum_ckpt" ] || { echo "FAIL: $ckpt changed"; fail=1; }
[ "$(md5sum <"$prev")" = "$sum_prev" ] || { echo "FAIL: $prev changed"; fail=1; }
[ ! -e "$ckpt.tmp" ] || { echo "FAIL: $ckpt.tmp left behind"; fail=1; }
[ "$(steps_of "$ckpt")" = 6 ] && [ "$(steps_of "$prev")" = 3 ] ||
  { echo "FAIL: the checkpoints do not read back"; fail=1; }
"$train" "${tiny[@]}" --steps 9 --resume "$ckpt" >/dev/null ||
  { echo "FAIL: resuming from the intact checkpoint"; fail=1; }
rows=$("$py" -c 'import sys, h5py; print(list(h5py.File(sys.argv[1], "r")["/history/step"][:]))' \
       "$dir/run.h5")
[ "$rows" = "[0, 1, 2, 3, 4, 5, 6, 7, 8]" ] || { echo "FAIL: /history/step is $rows"; fail=1; }
[ $fail -eq 0 ] && echo "ok"
exit $fail
