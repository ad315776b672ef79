#!/usr/bin/env bash
# The Knudsen-range accuracy study (issue 10, docs/study.md): for each problem, every method x
# ε encoding x seed trains one network over the whole ε range, and single-regime specialists
# train one network per test ε at the same budget per network; then launch/study_report.py
# tables the errors per test ε (mean ± spread over seeds, worst regime, steps and wall time).
#   usage: launch/study.sh [--problem transport|bgk|both] [--methods "sum ... specialist"]
#            [--encodings "hidden raw"] [--seeds N] [--steps N] [--points N] [--evals K]
#            [--eps LIST] [--band W] [--margin D] [--regimes N] [-j N] [--threads N] [--out DIR]
#            [--list]
#            [-- more hrgrad-train options]
# Each run writes DIR/<problem>/<method>_<encoding>_s<seed>.h5 (specialist_eps<ε>_s<seed>.h5),
# evaluated at K evenly spaced steps (the earlier ones in DIR/<problem>/progress/). A run whose
# complete file exists is skipped, an interrupted one resumes from its checkpoint, one that another
# study is training waits for it. A failing run stops the study (status 1, its log's end shown);
# SIGTERM or SIGINT checkpoints the running runs, exit 3 (rerun to continue); bad arguments exit 2.
# Defaults, files, the report and the budget on this machine: docs/study.md.
set -euo pipefail
# One compound command, read whole before any of it runs: editing or updating this file while
# it runs (for hours) cannot change what the running script does next.
{
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HRGRAD_BUILD_DIR:-$root/build}"
train="$build/hrgrad-train"
py=/usr/bin/python3
report="$root/launch/study_report.py"

problem=both methods="sum mean pcgrad mgda config nash-mtl hrgrad1 hrgrad0.1 hrgrad0 specialist"
encodings="hidden raw" seeds=3 steps=3000 points=128 evals=4 eps="" band=0.1 margin="" regimes=""
jobs=1
threads="" list=0
out="$root/runs/study"

die() { echo "study.sh: $*" >&2; exit 2; }
integer() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got '$2'"; }
number() {  # number <option> <value>: a positive decimal number
  if ! [[ "$2" =~ ^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]] || ! awk -v v="$2" 'BEGIN { exit !(v > 0) }'; then
    die "$1 must be a positive number, got '$2'"
  fi
}
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    --problem | --methods | --encodings | --seeds | --steps | --points | --evals | --eps | --band | \
      --margin | --regimes | -j | --jobs | --threads | --out)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$1" in
        --problem) problem=$2 ;; --methods) methods=$2 ;; --encodings) encodings=$2 ;;
        --seeds) seeds=$2 ;; --steps) steps=$2 ;; --points) points=$2 ;; --evals) evals=$2 ;;
        --eps) eps=$2 ;; --band) band=$2 ;; -j | --jobs) jobs=$2 ;; --threads) threads=$2 ;;
        --out) out=$2 ;; --margin) margin=$2 ;; --regimes) regimes=$2 ;;
      esac
      shift 2 ;;
    --list) list=1; shift ;;
    -h | --help) sed -n '2,16p' "${BASH_SOURCE[0]}" | cut -c3-; exit 0 ;;
    *) die "unknown argument '$1' (see the usage at the top of launch/study.sh)" ;;
  esac
done
extra=("$@")

case "$problem" in
  transport | bgk) problems=$problem ;;
  both) problems="transport bgk" ;;
  *) die "--problem must be transport, bgk or both, got '$problem'" ;;
esac
[ -n "${methods// /}" ] || die "--methods must name at least one method"
for m in $methods; do
  case "$m" in
    sum | mean | pcgrad | mgda | cagrad | imtl-g | config | aligned-mtl | nash-mtl | upgrad | hrgrad | \
      specialist) ;;
    hrgrad*) [[ "${m#hrgrad}" =~ ^[0-9]*\.?[0-9]+$ ]] ||
      die "--methods: '$m' is not hrgrad<rho> with a number rho, e.g. hrgrad0.5" ;;
    *) die "--methods: unknown method '$m' (an aggregator of hrgrad-train, hrgrad<rho> or specialist)" ;;
  esac
done
[ -n "${encodings// /}" ] || die "--encodings must name at least one encoding"
for e in $encodings; do
  [[ "$e" == hidden || "$e" == raw ]] || die "--encodings: unknown encoding '$e' (hidden or raw)"
done
integer --seeds "$seeds"
integer --steps "$steps"
integer --points "$points"
integer --evals "$evals"
[ "$evals" -le "$steps" ] || die "--evals must be at most --steps ($steps), got $evals"
integer --jobs "$jobs"
if [ -n "$threads" ]; then integer --threads "$threads"; else threads=$(( $(nproc) / jobs )); fi
[ "$threads" -ge 1 ] || threads=1
number --band "$band"
if [ -n "$margin" ] && [ "$margin" != 0 ]; then number --margin "$margin"; fi
if [ -n "$regimes" ]; then integer --regimes "$regimes"; fi
if [ -n "$eps" ]; then
  for e in ${eps//,/ }; do number --eps "$e"; done
fi
for ((i = 0; i < ${#extra[@]}; i++)); do  # the study sets these itself, per run
  case "${extra[i]}" in
    --problem | --steps | --seed | --aggregator | --hrgrad.rho | --model.encoding | --eps-min | \
      --eps-max | --eps-margin | --regimes | --eval-eps | --points.interior | --points.boundary | \
      --points.initial | --output | -o | --resume | --threads | --reference-cache | --config)
      die "option '${extra[i]}' after -- is set by the study itself (see docs/study.md)" ;;
  esac
done

# The evaluation steps: K evenly spaced, the last one --steps.
milestones=()
for ((k = 1; k <= evals; k++)); do
  m=$(( (k * steps + evals / 2) / evals ))
  [ "${#milestones[@]}" -gt 0 ] && [ "$m" -le "${milestones[-1]}" ] && continue
  milestones+=("$m")
done

default_eps() {  # the test Knudsen numbers of a problem (hrgrad-train's --eval-eps defaults)
  if [ -n "$eps" ]; then echo "$eps"; elif [ "$1" = bgk ]; then echo 1,0.1,0.01,0.001
  else echo 1,0.1,0.01,0.001,0.0001; fi
}

# The run list: one line per run, "<problem> <stem> <hrgrad-train options...>" (no spaces inside
# an option), the runs of seed 0 first so that a partial study already covers every method.
runs=()
half=$(( points / 2 > 0 ? points / 2 : 1 ))
for p in $problems; do
  test_eps=$(default_eps "$p")
  budget="--problem $p --points.interior $points --points.boundary $half --points.initial $half"
  for ((s = 0; s < seeds; s++)); do
    for m in $methods; do
      if [ "$m" = specialist ]; then
        # One regime on a band W decades wide centred (in log) on the test ε.
        for e in ${test_eps//,/ }; do
          range=$(awk -v e="$e" -v w="$band" 'BEGIN { printf "%.6g %.6g", e * 10^(-w/2), e * 10^(w/2) }')
          runs+=("$p specialist_eps${e}_s$s $budget --seed $s --aggregator sum --regimes 1 --eps-min ${range% *} --eps-max ${range#* } --eps-margin 0 --eval-eps $e")
        done
        continue
      fi
      agg=(--aggregator "$m")
      [[ "$m" =~ ^hrgrad[0-9.]+$ ]] && agg=(--aggregator hrgrad --hrgrad.rho "${m#hrgrad}")
      for enc in $encodings; do
        runs+=("$p ${m}_${enc}_s$s $budget --seed $s ${agg[*]} --model.encoding $enc --eval-eps $test_eps${margin:+ --eps-margin $margin}${regimes:+ --regimes $regimes}")
      done
    done
  done
done

if [ "$list" -eq 1 ]; then  # the plan only: one line per run, "<problem> <stem> <options>"
  printf '%s\n' "${runs[@]}"
  exit 0
fi
[ -x "$train" ] || die "build $train first (launch/build.sh)"
"$py" -c 'import h5py, numpy, matplotlib' 2>/dev/null ||
  die "$py lacks h5py, numpy or matplotlib (launch/setup.sh installs them)"
mkdir -p "$out" 2>/dev/null || die "--out: cannot create folder '$out'"
[ -w "$out" ] || die "--out: folder '$out' is not writable"

# check <file> <options...>: 0 when the file is a complete result of these options (its summary
# on stdout), 1 when absent or unfinished, 2 (with a message) when made with other options.
check() { [ -f "$1" ] || return 1; "$py" "$report" --check "$@"; }

scan() {  # scan <problem>: the runs without a complete result file; exit 2 on one made otherwise
  local line
  for line in "${runs[@]}"; do
    [ "${line%% *}" = "$1" ] || continue
    line=${line#* }
    printf '%s\t%s --steps %s\n' "$out/$1/${line%% *}.h5" "${line#* }" "$steps"
  done | "$py" "$report" --scan -- "${extra[@]}"
}

duration() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# run_one <index> <problem> <stem> <options...>: trains one run through its evaluation steps,
# each a segment that resumes from the one before (exactly: docs/usage.md, "Resume").
run_one() {
  local index=$1 p=$2 stem=$3
  shift 3
  local opts=("$@") dir="$out/$p" log="$out/$p/logs/$stem.log" final="$out/$p/$stem.h5"
  local tag="[$index/${#runs[@]}] $p/$stem" start=$SECONDS m o ck prev="" status summary tp=""
  local stopping=0 lock
  trap 'stopping=1; [ -n "$tp" ] && kill -TERM "$tp" 2>/dev/null' TERM INT
  # One study at a time per run: another study into the same folder that reaches this run waits
  # here, then finds it complete or resumes it. The trainer inherits the lock and holds it to the end.
  exec {lock}>>"$dir/logs/$stem.lock"
  if ! flock -n "$lock"; then
    echo "study: $tag: another study is training it; waiting for that to end"
    until flock -n "$lock"; do
      sleep 2 &
      wait $! || true
      if [ "$stopping" -eq 1 ]; then
        echo "study: $tag: stopped while waiting; rerun the same command to continue" >&2
        return 3
      fi
    done
  fi
  status=0
  summary=$(check "$final" "${opts[@]}" --steps "$steps" "${extra[@]}") || status=$?
  if [ "$status" -eq 0 ]; then echo "study: $tag: complete, skipped: $summary"; return 0; fi
  [ "$status" -eq 1 ] || return 2
  for m in "${milestones[@]}"; do
    o="$dir/progress/${stem}_step$m.h5"
    [ "$m" -eq "$steps" ] && o=$final
    ck="${o%.h5}.ckpt.h5"
    status=0
    if [ "$o" = "$final" ] || [ ! -f "$o" ]; then status=1
    else check "$o" "${opts[@]}" --steps "$m" "${extra[@]}" >/dev/null || status=$?; fi
    if [ "$status" -eq 0 ]; then prev=$ck; continue; fi
    [ "$status" -le 1 ] || return 2
    if [ "$stopping" -eq 1 ]; then  # the signal came as the last segment ended
      echo "study: $tag: stopped before training to step $m; rerun the same command to continue" >&2
      return 3
    fi
    local resume=()
    if [ -f "$ck" ]; then resume=(--resume "$ck")
    elif [ -n "$prev" ] && [ -f "$prev" ]; then resume=(--resume "$prev"); fi
    echo "study: $tag: training to step $m of $steps${resume[1]:+ (resuming ${resume[1]##*/})}"
    "$train" "${opts[@]}" --steps "$m" "${extra[@]}" --threads "$threads" \
      --reference-cache "$dir/reference_cache.h5" --output "$o" "${resume[@]}" >>"$log" 2>&1 &
    tp=$!
    [ "$stopping" -eq 1 ] && kill -TERM "$tp" 2>/dev/null  # the signal came before $! was known
    while :; do  # a signal's trap interrupts the wait (the stop may signal more than once)
      status=0
      wait "$tp" || status=$?
      if [ "$status" -le 128 ] || ! kill -0 "$tp" 2>/dev/null; then break; fi
    done
    tp=""
    if [ "$status" -eq 3 ] || [ "$status" -gt 128 ]; then
      echo "study: $tag: stopped; rerun the same command to continue (from its checkpoint, if it wrote one)" >&2
      return 3
    elif [ "$status" -ne 0 ]; then
      echo "study: $tag failed (hrgrad-train status $status); the end of $log:" >&2
      tail -n 5 "$log" | sed 's/^/  /' >&2
      return 1
    fi
    prev=$ck
  done
  summary=$(check "$final" "${opts[@]}" --steps "$steps" "${extra[@]}") || return 1
  echo "study: $tag: done in $(duration $((SECONDS - start))): $summary"
}

echo "study: ${#runs[@]} runs (problems: $problems; $steps steps, evaluated at ${milestones[*]};" \
  "$points interior points; $jobs at a time, $threads thread(s) each) into $out"
for p in $problems; do
  mkdir -p "$out/$p/progress" "$out/$p/logs"
  todo=$(scan "$p") || exit 2
  [ -n "$todo" ] || continue
  # The reference solutions, once per problem, before any run reads them (a cache written by
  # several runs at once could be lost); this also vets the options after -- in seconds.
  echo "study: $p: reference solutions at ε = $(default_eps "$p") into $out/$p/reference_cache.h5"
  warm="$out/$p/logs/reference.h5"
  status=0
  "$train" --problem "$p" --steps 1 --eval-eps "$(default_eps "$p")" --points.interior 1 \
    --points.boundary 1 --points.initial 1 --threads "$threads" \
    --reference-cache "$out/$p/reference_cache.h5" --output "$warm" "${extra[@]}" \
    >/dev/null 2>"$out/$p/logs/reference.err" || status=$?
  rm -f "$warm" "${warm%.h5}.ckpt.h5" "${warm%.h5}.ckpt.prev.h5"
  if [ "$status" -ne 0 ]; then
    message=$(grep -m1 'error' "$out/$p/logs/reference.err" || head -n 1 "$out/$p/logs/reference.err")
    echo "study.sh: $p: hrgrad-train refused the options (status $status): $message" >&2
    exit "$([ "$status" -eq 2 ] && echo 2 || echo 1)"
  fi
done

# The runs, -j at a time. The first failure or a stop signal stops the running ones at a
# checkpoint (SIGTERM) and starts no more.
children=()
stop() { for c in "${children[@]}"; do kill -TERM "$c" 2>/dev/null || true; done; }
trap 'stop; trap - TERM INT' TERM INT
failed=0 index=0
reap() {  # wait for one run to end; the first failure stops the others
  local s=0
  wait -n || s=$?
  if [ "$s" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=$s; stop; fi
}
for line in "${runs[@]}"; do
  index=$((index + 1))
  read -r -a f <<<"$line"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    reap
  done
  [ "$failed" -eq 0 ] || break
  run_one "$index" "${f[@]}" &
  children+=($!)
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do
  reap
done
if [ "$failed" -eq 1 ]; then
  echo "study.sh: a run failed (above), so the study stopped; rerun the same command to continue" >&2
  exit 1
elif [ "$failed" -ne 0 ]; then
  [ "$failed" -gt 128 ] && failed=3
  echo "study.sh: stopped (status $failed) before every run was done; rerun the same command to continue" >&2
  exit "$failed"
fi

"$py" "$report" "$out" --csv "$out/study.csv" --markdown "$out/study.md" --plots "$out"
exit
}
