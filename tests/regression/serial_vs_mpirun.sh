#!/usr/bin/env bash
# hrgrad-train without mpirun and under mpirun -np 2 print the same history (the per-step loss
# lines, less the timing fields).
set -eu
train=$1 mpirun=$2 dir=$3
args=(--steps 50 --log-every 1 --threads 1 --eval-eps 1e-4)
"$train" "${args[@]}" --output "$dir/serial.h5" > "$dir/serial.log"
"$mpirun" -np 2 "$train" "${args[@]}" --output "$dir/np2.h5" > "$dir/np2.log"
history() { grep '^step ' "$1" | sed 's/ | [0-9.]* steps\/s.*//'; }
history "$dir/serial.log" > "$dir/serial.hist"
history "$dir/np2.log" > "$dir/np2.hist"
n=$(wc -l < "$dir/serial.hist")
[ "$n" -eq 50 ] || { echo "FAIL: expected 50 history lines, got $n"; exit 1; }
if ! diff "$dir/serial.hist" "$dir/np2.hist"; then
  echo "FAIL: serial and mpirun -np 2 histories differ"; exit 1
fi
grep -q "rank(s) \[serial\]" "$dir/serial.log" && grep -q "2 rank(s) \[mpi\]" "$dir/np2.log" ||
  { echo "FAIL: runs did not use the expected backends"; exit 1; }
echo "ok: 50 identical history lines"
tail -n 3 "$dir/np2.hist"
