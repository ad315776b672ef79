#!/usr/bin/env bash
# Checkpoints that must be refused, and files that cannot be written: each ends the run before
# any training with exit status 2 and one line on stderr naming the culprit (option or file).
# A checkpoint from another network shape or problem says which options differ; one from
# before --model.uncollided-power resumes with the power it implied (2) and refuses another.
# usage: checkpoint_faults.sh <hrgrad-train> <mpirun> <work dir>
set -u
train=$1 mpirun=$2 work=$3
py=/usr/bin/python3
fail=0
dir=$(mktemp -d "$work/checkpoint_faults.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
tiny=(--log-every 1 --threads 1 --eval-eps 1e-2 --t-final 0.01 --model.depth 2
      --points.interior 16 --points.boundary 8 --points.initial 8 --quadrature 4
      --reference-cache none)
net=("${tiny[@]}" --model.width 16)

check() {  # check <expected substring> <command...>: status 2, one stderr line, no training
  local expect=$1; shift
  local err out status lines
  out=$("$@" 2>"$dir/err"); status=$?
  err=$(cat "$dir/err")
  lines=$(grep -c . "$dir/err")
  if [ "$status" -ne 2 ] || [ "$lines" -ne 1 ] || [[ "$err" != *"$expect"* ]] ||
     grep -q "^step " <<<"$out"; then
    echo "FAIL: ${*: -4} -> status $status, $lines line(s): $err"; fail=1
  else
    echo "ok: $err"
  fi
}

"$train" "${net[@]}" --steps 6 --checkpoint-every 3 --output "$dir/run.h5" >/dev/null ||
  { echo "FAIL: the first run"; exit 1; }
ckpt=$dir/run.ckpt.h5
"$py" - "$ckpt" "$dir/run.ckpt.prev.h5" <<'PY' || { echo "FAIL: checkpoint steps"; fail=1; }
import sys, h5py
steps = [int(h5py.File(p, "r").attrs["step"]) for p in sys.argv[1:]]
print("checkpoint steps (latest, previous):", steps)
sys.exit(0 if steps == [6, 3] else 1)
PY

# Another network shape, another problem: refused, naming the options.
check "--model.width 16 there, 24 here" "$train" "${tiny[@]}" --model.width 24 --steps 8 \
  --resume "$ckpt" --output "$dir/b.h5"
check "--eps-min 0.0001 there, 0.001 here" "$train" "${net[@]}" --eps-min 1e-3 --steps 8 \
  --resume "$ckpt" --output "$dir/b.h5"
check "--steps: 4 is below the step count 6" "$train" "${net[@]}" --steps 4 --resume "$ckpt" \
  --output "$dir/b.h5"
# Fractions are named at the fewest digits that read back (0.15, not 0.14999999999999999).
"$train" "${net[@]}" --model.uncollided 0.15 --steps 3 --output "$dir/e015.h5" >/dev/null ||
  { echo "FAIL: the E = 0.15 run"; fail=1; }
check "--model.uncollided 0.15 there, 0.3 here" "$train" "${net[@]}" --steps 4 \
  --resume "$dir/e015.ckpt.h5" --output "$dir/b.h5"
# Missing, truncated, not HDF5, not a checkpoint, corrupt data.
check "$dir/none.h5" "$train" "${net[@]}" --steps 8 --resume "$dir/none.h5" --output "$dir/b.h5"
head -c $(( $(stat -c %s "$ckpt") / 2 )) "$ckpt" >"$dir/truncated.h5"
check "$dir/truncated.h5" "$train" "${net[@]}" --steps 8 --resume "$dir/truncated.h5" \
  --output "$dir/b.h5"
echo "not a checkpoint" >"$dir/text.h5"
check "$dir/text.h5" "$train" "${net[@]}" --steps 8 --resume "$dir/text.h5" --output "$dir/b.h5"
check "is not an hrgrad checkpoint" "$train" "${net[@]}" --steps 8 --resume "$dir/run.h5" \
  --output "$dir/b.h5"
cp "$ckpt" "$dir/corrupt.h5"
"$py" - "$dir/corrupt.h5" <<'PY' || { echo "FAIL: corrupting the copy"; fail=1; }
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    offset = f["/parameters/0"].id.get_offset()  # raw data of the first parameter tensor
with open(sys.argv[1], "r+b") as f:
    f.seek(offset + 8)
    f.write(b"\x3f\xf0\x00\x00\x00\x00\x00\x01")  # one double changed, as bit rot would
PY
check "corrupt.h5' is unreadable or corrupt: the stored arrays do not match their checksum" \
  "$train" "${net[@]}" --steps 8 --resume "$dir/corrupt.h5" \
  --output "$dir/b.h5"

# A checkpoint written before --model.uncollided-power existed (p = 2 then, no key recorded):
# refused under the default power, resumed without a warning with --model.uncollided-power 2.
"$train" "${net[@]}" --model.uncollided-power 2 --steps 3 --output "$dir/legacy.h5" >/dev/null ||
  { echo "FAIL: the power-2 run"; fail=1; }
"$py" - "$dir/legacy.ckpt.h5" <<'PY' || { echo "FAIL: removing the power key"; fail=1; }
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    del f["/config"].attrs["model.uncollided-power"]
PY
check "--model.uncollided-power (unset) there, 4 here" "$train" "${net[@]}" --steps 4 \
  --resume "$dir/legacy.ckpt.h5" --output "$dir/b.h5"
if ! "$train" "${net[@]}" --model.uncollided-power 2 --steps 4 --resume "$dir/legacy.ckpt.h5" \
     --output "$dir/c.h5" >/dev/null 2>"$dir/err" || grep -q "options differ" "$dir/err"; then
  echo "FAIL: resuming the power-2 checkpoint: $(cat "$dir/err")"; fail=1
else
  echo "ok: the power-2 checkpoint resumes with --model.uncollided-power 2, no warning"
fi

# Unwritable places, found before training, serially and under mpirun (no rank left waiting).
if [ "$(id -u)" -eq 0 ]; then
  locked=/proc  # a folder that even root cannot create files in
else
  locked=$dir/locked; mkdir "$locked"; chmod 555 "$locked"
fi
check "--output: cannot write '$locked/run.h5'" "$train" "${net[@]}" --steps 2 \
  --output "$locked/run.h5"
check "--output: cannot write '$locked/run.h5'" "$mpirun" -q -np 2 "$train" "${net[@]}" \
  --steps 2 --output "$locked/run.h5"
check "--metrics-csv: cannot write '$locked/m.csv'" "$train" "${net[@]}" --steps 2 \
  --output "$dir/c.h5" --metrics-csv "$locked/m.csv"
check "--resume: cannot open '$dir/none.h5'" "$mpirun" -q -np 2 "$train" "${net[@]}" --steps 8 \
  --resume "$dir/none.h5" --output "$dir/b.h5"
exit $fail
