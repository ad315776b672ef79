#!/usr/bin/env bash
# hrgrad and its PyTorch twin (tests/bench/pytorch_twin.py, mode 1) compute the same task
# losses, loss components, parameter gradients and HRGrad weights on hrgrad's initial weights
# and one step's points: float64 to 1e-9 relative, float32 to 1e-5. Skips (status 77) when
# /usr/bin/python3 lacks torch or h5py.
#   usage: twin_compare.sh TWIN_DUMP PYTORCH_TWIN_PY WORKDIR
set -euo pipefail
[ $# -eq 3 ] || { echo "twin_compare.sh: expected TWIN_DUMP PYTORCH_TWIN_PY WORKDIR" >&2; exit 2; }
dump=$1 twin=$2 work=$3
python=/usr/bin/python3
if ! "$python" -c 'import torch, h5py' 2>/dev/null; then
  echo "twin_compare.sh: skipped: $python lacks torch or h5py (python3-torch, python3-h5py)"
  exit 77
fi
for dtype in float64 float32; do
  tolerance=$([ "$dtype" = float64 ] && echo 1e-9 || echo 1e-5)
  "$dump" "$work/twin_dump_$dtype.h5" 3 "$dtype"
  "$python" "$twin" --check "$work/twin_dump_$dtype.h5" --tolerance "$tolerance"
done
