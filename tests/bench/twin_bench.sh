#!/usr/bin/env bash
# hrgrad against its PyTorch twin (issue 9, docs/performance.md), in one invocation: each round
# runs, one after another, hrgrad's step harness (step_bench) and the twin (pytorch_twin.py) on
# the default linear-transport problem at 1 rank and 1 thread, the twin once with glibc's default
# malloc and once with the malloc tuning hrgrad applies to itself (core/allocator.hpp), the twin's
# mode 2 (the papers' scheme), and hrgrad at the default rank count for transport and BGK. Rounds
# are repeated; the table gives the median over rounds of each run's median step, and the ratios.
#   usage: tests/bench/twin_bench.sh [rounds] [steps] [OUT.jsonl]   (default 3, 30,
#          $build/twin_bench.jsonl); HRGRAD_BUILD_DIR picks the build (default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${HRGRAD_BUILD_DIR:-$root/build}
rounds=${1:-3}
steps=${2:-30}
out=${3:-$build/twin_bench.jsonl}
bench=$build/tests/bench/step_bench
twin=$root/tests/bench/pytorch_twin.py
python=/usr/bin/python3
for n in "$rounds" "$steps"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "twin_bench.sh: '$n' is not a positive count" >&2; exit 2; }
done
[ -x "$bench" ] || { echo "twin_bench.sh: build $bench first (launch/build.sh)" >&2; exit 2; }
"$python" -c 'import torch' 2>/dev/null ||
  { echo "twin_bench.sh: $python lacks torch (apt-get install python3-torch)" >&2; exit 2; }
flags=(--oversubscribe)
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
ranks=2  # launch/run.sh's default rank count
tuned=(env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456)
label() { "$python" -c "import json,sys; d=json.loads(sys.argv[2]); d['run']=sys.argv[1]; print(json.dumps(d))" "$@"; }
: 2>/dev/null >"$out" || { echo "twin_bench.sh: cannot write '$out'" >&2; exit 2; }
echo "twin_bench: $rounds rounds of $steps steps; load before: $(uptime | sed 's/.*load/load/')"
for r in $(seq "$rounds"); do
  export OMP_NUM_THREADS=1
  label hrgrad_1rank "$("$bench" transport "$steps" 5 1 | tail -1)" >>"$out"
  label twin1 "$("$python" "$twin" --mode 1 --steps "$steps" --threads 1)" >>"$out"
  label twin1_tuned_malloc "$("${tuned[@]}" "$python" "$twin" --mode 1 --steps "$steps" --threads 1)" >>"$out"
  label twin2 "$("${tuned[@]}" "$python" "$twin" --mode 2 --steps "$((steps / 3 + 1))" --warmup 2 --threads 1)" >>"$out"
  label hrgrad_${ranks}ranks "$(mpirun "${flags[@]}" -np $ranks "$bench" transport "$steps" 5 | tail -1)" >>"$out"
  label bgk_1rank "$("$bench" bgk "$steps" 5 1 | tail -1)" >>"$out"
  label bgk_${ranks}ranks "$(mpirun "${flags[@]}" -np $ranks "$bench" bgk "$steps" 5 | tail -1)" >>"$out"
  echo "twin_bench: round $r done"
done
echo "twin_bench: load after: $(uptime | sed 's/.*load/load/')"
"$python" - "$out" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    runs.setdefault(d["run"], []).append(d)
med = lambda name, key: statistics.median(d["median_ms"][key] for d in runs[name])
print("| run | step ms | forward | backward | exchange | aggregation | optimizer | peak RSS MB/rank | GFLOP/step | % sgemm peak |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, ds in runs.items():
    d = ds[0]
    cells = [f"{med(name, k):.2f}" if k in d["median_ms"] else "-" for k in
             ("step", "forward", "backward", "exchange", "aggregation", "optimizer")]
    rss = max(d.get("peak_rss_mb_per_rank", d.get("peak_rss_mb", 0)) for d in ds)
    gf = f"{d['step_gflop']:.3f}" if "step_gflop" in d else "-"
    frac = (f"{100 * statistics.median(x['rank0_compute_fraction_of_peak'] for x in ds):.1f}"
            if "rank0_compute_fraction_of_peak" in d else "-")
    print(f"| {name} | " + " | ".join(cells) + f" | {rss:.0f} | {gf} | {frac} |")
peak = statistics.median(d["sgemm_peak_gflops"] for d in runs["hrgrad_1rank"])
print(f"\nsingle-core sgemm peak (torch::mm 512^3): {peak:.1f} GFLOP/s")
h = med("hrgrad_1rank", "step")
for twin in ("twin1", "twin1_tuned_malloc", "twin2"):
    print(f"hrgrad 1 rank 1 thread / {twin}: {h / med(twin, 'step'):.3f}")
for name in runs:
    if name.endswith("ranks"):
        share = (med(name, "exchange") + med(name, "aggregation")) / med(name, "step")
        print(f"{name}: exchange + aggregation = {100 * share:.1f}% of the step")
PY
echo "wrote $out"
