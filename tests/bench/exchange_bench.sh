#!/usr/bin/env bash
# Runs build/tests/bench/exchange_bench at 2 and 4 ranks, writes one CSV and prints it as a
# table (the one in docs/distributed.md). Ranks beyond the machine's cores are oversubscribed,
# which the table's note must say.
#   usage: tests/bench/exchange_bench.sh [OUT.csv] [repeats]   (default build/exchange_bench.csv, 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${HRGRAD_BUILD_DIR:-$root/build}
out=${1:-$build/exchange_bench.csv}
repeats=${2:-20}
bench=$build/tests/bench/exchange_bench
[ -x "$bench" ] || { echo "exchange_bench.sh: build $bench first (launch/build.sh)" >&2; exit 2; }
flags=(--oversubscribe)
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
: >"$out"
for ranks in 2 4; do
  OMP_NUM_THREADS=1 mpirun "${flags[@]}" -np "$ranks" "$bench" "$repeats" |
    { if [ -s "$out" ]; then tail -n +2; else cat; fi; } >>"$out"
done
python3 - "$out" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
key = lambda r: (int(r["ranks"]), int(r["m"]), int(r["p"]))
cases = sorted({key(r) for r in rows})
time = {(r["exchange"],) + key(r): float(r["median_ms"]) for r in rows}
print("| P | m | p | gather ms | sharded ms | sharded / gather |")
print("|---|---|---|---|---|---|")
for c in cases:
    g, s = time.get(("gather",) + c), time.get(("sharded",) + c)
    print(f"| {c[0]} | {c[1]} | {c[2]:.0e} | {g:.3f} | {s:.3f} | {s / g:.2f} |")
PY
echo "wrote $out"
