#!/usr/bin/env bash
# launch/plot.py end to end: train two tiny runs (hrgrad and sum), plot one (default folder) and
# both at once (--out), and a tiny BGK run (rho, m, E), check every printed PNG exists, is a
# valid PNG and is not blank; bad
# inputs (missing file, not HDF5, no /history) give exit status 2 and exactly one line on stderr.
# usage: plot_test.sh <hrgrad-train> <plot.py> <work dir>
set -u
train=$1 plot=$2 work=$3
py=/usr/bin/python3
# shellcheck source=tests/support/expect_error.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/expect_error.sh"
fail=0
dir=$(mktemp -d "$work/plot_test.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

if ! "$py" -c 'import h5py, matplotlib, numpy' 2>/dev/null; then
  echo "FAIL: $py lacks h5py/matplotlib/numpy (apt install python3-h5py python3-matplotlib)"; exit 1
fi

# A short t-final, a small model and few points keep it quick; both runs share the reference cache.
common=(--steps 20 --log-every 0 --quiet --eval-eps 1,1e-2,1e-4 --t-final 0.01
        --model.width 16 --points.interior 32 --points.boundary 16 --points.initial 16 --quadrature 8
        --reference-cache "$dir/reference_cache.h5")
"$train" "${common[@]}" --output "$dir/a.h5" || { echo "FAIL: training a.h5"; exit 1; }
"$train" "${common[@]}" --aggregator sum --output "$dir/b.h5" || { echo "FAIL: training b.h5"; exit 1; }

check_pngs() {  # check_pngs <expected count> <file listing the PNG paths>
  local expect=$1 list=$2 n
  n=$(grep -c . "$list")
  if [ "$n" -ne "$expect" ]; then echo "FAIL: expected $expect PNGs, plot.py printed $n"; fail=1; fi
  "$py" - "$list" <<'EOF' || fail=1
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mpimg
import numpy as np
bad = 0
for path in open(sys.argv[1]).read().split():
    try:
        with open(path, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                raise ValueError("no PNG signature")
        img = mpimg.imread(path)
        if img.ndim < 2 or min(img.shape[:2]) < 100:
            raise ValueError(f"odd shape {img.shape}")
        if np.ptp(img[..., :3] if img.ndim == 3 else img) == 0:
            raise ValueError("blank (constant pixels)")
        # a plot has a good deal of non-background ink, not a stray pixel
        rgb = img[..., :3] if img.ndim == 3 else img[..., None]
        ink = np.mean(np.any(np.abs(rgb - rgb[0, 0]) > 0.1, axis=-1))
        if ink < 0.005:
            raise ValueError(f"nearly blank ({ink:.4f} of pixels drawn)")
        print(f"ok: {path} {img.shape[1]}x{img.shape[0]} ink {ink:.3f}")
    except Exception as e:
        print(f"FAIL: {path}: {e}")
        bad = 1
sys.exit(bad)
EOF
}

# One file, default folder <stem>_plots beside it: loss, cosine, 3 profiles, error_vs_eps.
if "$py" "$plot" "$dir/a.h5" >"$dir/one.txt" 2>"$dir/one.err"; then
  if grep -qv "^$dir/a_plots/" "$dir/one.txt"; then
    echo "FAIL: default folder is not $dir/a_plots:"; cat "$dir/one.txt"; fail=1
  fi
  check_pngs 6 "$dir/one.txt"
else
  echo "FAIL: plot.py a.h5 -> status $?"; cat "$dir/one.err"; fail=1
fi

# Two files at once into --out: 5 per file + one error_vs_eps comparing both aggregators.
if "$py" "$plot" "$dir/a.h5" "$dir/b.h5" --out "$dir/both" >"$dir/two.txt" 2>"$dir/two.err"; then
  check_pngs 11 "$dir/two.txt"
  grep -q "error_vs_eps.png" "$dir/two.txt" || { echo "FAIL: no error_vs_eps.png"; fail=1; }
else
  echo "FAIL: plot.py a.h5 b.h5 -> status $?"; cat "$dir/two.err"; fail=1
fi

# Executable directly through its #! line too (Debian python3).
if [ -x "$plot" ]; then
  "$plot" "$dir/b.h5" --out "$dir/direct" >/dev/null 2>"$dir/direct.err" \
    || { echo "FAIL: $plot run directly"; cat "$dir/direct.err"; fail=1; }
fi

# BGK: one figure per Kn with the rho, m and E profiles, and all three errors in error_vs_eps.png.
"$train" --problem bgk --steps 5 --log-every 0 --quiet --eval-eps 1,1e-3 --t-final 0.01 \
  --model.width 16 --points.interior 16 --points.initial 8 --quadrature 16 \
  --reference-cache "$dir/reference_cache.h5" --output "$dir/bgk.h5" || { echo "FAIL: training bgk.h5"; exit 1; }
if "$py" "$plot" "$dir/bgk.h5" --out "$dir/bgk" >"$dir/bgk.txt" 2>"$dir/bgk.err"; then
  check_pngs 5 "$dir/bgk.txt"  # loss, cosine, 2 profiles, error_vs_eps
  "$py" -c 'import sys, h5py; g = h5py.File(sys.argv[1])["eval"]; sys.exit(0 if all(
      "relative_l2" in g[e][q].attrs for e in g for q in ("rho", "m", "E")) else 1)' "$dir/bgk.h5" \
    || { echo "FAIL: bgk.h5 lacks rho, m, E errors"; fail=1; }
else
  echo "FAIL: plot.py bgk.h5 -> status $?"; cat "$dir/bgk.err"; fail=1
fi

echo "not hdf5" >"$dir/text.h5"
"$py" -c 'import sys, h5py; h5py.File(sys.argv[1], "w").create_group("config")' "$dir/nohist.h5"
expect_error "missing.h5" "$py" "$plot" "$dir/missing.h5" --out "$dir/err"
expect_error "missing.h5" "$py" "$plot" "$dir/a.h5" "$dir/missing.h5" --out "$dir/err"
expect_error "not an HDF5 file" "$py" "$plot" "$dir/text.h5" --out "$dir/err"
expect_error "/history" "$py" "$plot" "$dir/nohist.h5" --out "$dir/err"
expect_error "" "$py" "$plot" --out "$dir/err"
[ -n "$(ls -A "$dir/err" 2>/dev/null)" ] && { echo "FAIL: PNGs written despite an error"; fail=1; }

[ "$fail" -eq 0 ] && echo "plot_test: all ok"
exit $fail
