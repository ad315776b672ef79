#!/usr/bin/env bash
# launch/study.sh and launch/study_report.py end to end: the default plan (--list) has every
# method, encoding, seed and specialist; then a tiny budget (4 steps, evaluated at steps 2 and 4): two aggregators and the specialists of two test ε train, the report has the
# expected rows and columns (Markdown, CSV, PNG); a rerun skips every run; a different --steps in
# the same folder is refused; a run whose final file is lost resumes from its step-2 checkpoint
# and ends with the same errors; a failing run stops the study with its message (status 1);
# SIGTERM stops it at a checkpoint (status 3) and the same command resumes; a run that another
# study is training (its lock held) is waited for, not trained twice; editing the script while it
# runs changes nothing; bad arguments give exit status 2 and exactly one line on stderr.
# usage: study_test.sh <folder of hrgrad-train> <launch folder> <work dir>
set -u
bin=$1 launch=$2 work=$3
study=$launch/study.sh report=$launch/study_report.py py=/usr/bin/python3
export HRGRAD_BUILD_DIR=$bin
# shellcheck source=tests/support/expect_error.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/expect_error.sh"
fail=0
dir=$(mktemp -d "$work/study_test.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

# A short t-final, a tiny model and few points keep each run to a second or two.
tiny=(--t-final 0.01 --model.width 8 --quadrature 8 --checkpoint-every 2)
# shellcheck disable=SC2054  # --eps takes a comma-separated list
args=(--problem transport --methods "sum hrgrad0 specialist" --encodings hidden --seeds 1
      --steps 4 --points 8 --evals 2 --eps 1,0.01 --jobs 1)

has() {  # has <file> <fixed string> <what>
  grep -qF -- "$2" "$1" || { echo "FAIL: $3: '$2' not in $1"; fail=1; }
}
wait_for() {  # wait_for <file> <pattern>: until the file has the pattern (at most a minute)
  for _ in $(seq 600); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
first_step() { wait_for "$1" '^step '; }  # first_step <run log>: the run has made a step

# 0. The default plan (--list): 9 methods x 2 encodings x 3 seeds per problem, and specialists
# for the 5 transport and 4 BGK test ε x 3 seeds: 69 + 66 runs, nothing trained or created.
bash "$study" --list --out "$dir/none" >"$dir/plan.txt" 2>&1 || { echo "FAIL: --list exited $?"; fail=1; }
plan=$(awk '{ n[$1 " " ($2 ~ /^specialist/ ? "specialist" : "grid")]++ } END { for (k in n) print k, n[k] }' \
  "$dir/plan.txt" | sort | tr '\n' ';')
[ "$plan" = "bgk grid 54;bgk specialist 12;transport grid 54;transport specialist 15;" ] ||
  { echo "FAIL: the default plan is $plan"; fail=1; }
has "$dir/plan.txt" "transport hrgrad0_raw_s2 --problem transport --points.interior 128 --points.boundary 64 --points.initial 64 --seed 2 --aggregator hrgrad --hrgrad.rho 0 --model.encoding raw --eval-eps 1,0.1,0.01,0.001,0.0001" "the plan"
has "$dir/plan.txt" "bgk specialist_eps0.001_s1 --problem bgk --points.interior 128 --points.boundary 64 --points.initial 64 --seed 1 --aggregator sum --regimes 1 --eps-min 0.000891251 --eps-max 0.00112202 --eps-margin 0 --eval-eps 0.001" "the plan"
[ -e "$dir/none" ] && { echo "FAIL: --list created the study folder"; fail=1; }
# --margin and --regimes reach the grid runs only; the specialists keep one regime, no margin.
bash "$study" --list --problem transport --seeds 1 --methods "sum specialist" --encodings hidden \
  --margin 0.3 --regimes 5 >"$dir/plan_margin.txt" 2>&1 ||
  { echo "FAIL: --list --margin --regimes exited $?"; fail=1; }
has "$dir/plan_margin.txt" "transport sum_hidden_s0 --problem transport --points.interior 128 --points.boundary 64 --points.initial 64 --seed 0 --aggregator sum --model.encoding hidden --eval-eps 1,0.1,0.01,0.001,0.0001 --eps-margin 0.3 --regimes 5" "the plan with --margin --regimes"
has "$dir/plan_margin.txt" "--regimes 1 --eps-min 0.891251 --eps-max 1.12202 --eps-margin 0 --eval-eps 1" "the plan with --margin --regimes"

# 1. The tiny study.
if ! bash "$study" "${args[@]}" --out "$dir/s" -- "${tiny[@]}" >"$dir/run1.txt" 2>&1; then
  echo "FAIL: the tiny study exited $?:"; cat "$dir/run1.txt"; exit 1
fi
[ "$(grep -c ': training to step' "$dir/run1.txt")" -eq 8 ] ||
  { echo "FAIL: expected 8 training segments (4 runs x 2):"; cat "$dir/run1.txt"; fail=1; }
[ "$(grep -c ': done in ' "$dir/run1.txt")" -eq 4 ] || { echo "FAIL: expected 4 runs done"; fail=1; }
has "$dir/run1.txt" "(resuming sum_hidden_s0_step2.ckpt.h5)" "step 4 resumes from step 2"
for f in sum_hidden_s0 hrgrad0_hidden_s0 specialist_eps1_s0 specialist_eps0.01_s0; do
  [ -f "$dir/s/transport/$f.h5" ] || { echo "FAIL: no $f.h5"; fail=1; }
  [ -f "$dir/s/transport/progress/${f}_step2.h5" ] || { echo "FAIL: no progress/${f}_step2.h5"; fail=1; }
done
md=$dir/s/study.md
[ -f "$md" ] || { echo "FAIL: no study.md"; cat "$dir/run1.txt"; exit 1; }
has "$md" "| method | ε = 1 | ε = 0.01 | worst |" "the error table's columns"
has "$md" "| method | seeds | steps | wall time per network | steps to target | wall time to target |" \
  "the budget table's columns"
for row in "| sum, hidden |" "| hrgrad ρ=0, hidden |" "| specialists (one network per ε) |"; do
  [ "$(grep -cF -- "$row" "$md")" -eq 2 ] || { echo "FAIL: '$row' is not a row of both tables"; fail=1; }
done
[ "$(grep -c '^| ' "$md")" -eq 8 ] || { echo "FAIL: expected 2 tables of 3 rows:"; cat "$md"; fail=1; }
# Every error cell is a number, the budget rows say 1 seed and 4 steps.
"$py" - "$md" <<'EOF' || fail=1
import re, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("| ") and not l.startswith("| method")]
bad = [l for l in rows[:3] if len(re.findall(r"\| \d\.\d\de[-+]\d\d ", l)) != 3]
bad += [l for l in rows[3:] if not re.match(r"\| [^|]+ \| 1 \| 4 \| \d+m\d\ds \| ", l)]
for l in bad:
    print(f"FAIL: malformed row: {l.strip()}")
sys.exit(1 if bad else 0)
EOF
csv=$dir/s/study.csv
has "$csv" "problem,method,quantity,eps,n,mean,std,min,max" "the CSV header"
has "$csv" "transport,specialist,rho,0.01,1," "the specialists' CSV row"
has "$csv" "transport,hrgrad0_hidden,rho,worst,1," "the worst-regime CSV row"
[ -s "$dir/s/transport_error_vs_eps.png" ] || { echo "FAIL: no transport_error_vs_eps.png"; fail=1; }
[ "$(head -c 4 "$dir/s/transport_error_vs_eps.png" | tail -c 3)" = PNG ] || { echo "FAIL: not a PNG"; fail=1; }

# 2. The same command again: every run is skipped, no file is rewritten.
stamp=$(stat -c %Y "$dir/s/transport/"*.h5 | md5sum)
sleep 1
bash "$study" "${args[@]}" --out "$dir/s" -- "${tiny[@]}" >"$dir/run2.txt" 2>&1 ||
  { echo "FAIL: the rerun exited $?"; cat "$dir/run2.txt"; fail=1; }
if [ "$(grep -c ': complete, skipped: ' "$dir/run2.txt")" -ne 4 ] || grep -q 'training' "$dir/run2.txt"; then
  echo "FAIL: the rerun trained again:"; cat "$dir/run2.txt"; fail=1
fi
[ "$stamp" = "$(stat -c %Y "$dir/s/transport/"*.h5 | md5sum)" ] || { echo "FAIL: the rerun rewrote files"; fail=1; }

# 3. Another budget in the same folder is refused before any work.
expect_error "--steps 4, this study asks for 5" bash "$study" "${args[@]/#4/5}" --out "$dir/s" -- "${tiny[@]}"
# So is a lever that the finished files lack (hrgrad-train records --points.front only when set).
expect_error "--points.front 0, this study asks for 0.5" bash "$study" "${args[@]}" --out "$dir/s" -- \
  "${tiny[@]}" --points.front 0.5

# 4. A lost final file: the run resumes from its step-2 checkpoint, to the same errors.
before=$(grep -F 'sum_hidden_s0: complete' "$dir/run2.txt" | sed 's/.*steps, [0-9]* s, //')
rm "$dir/s/transport/sum_hidden_s0.h5" "$dir/s/transport/sum_hidden_s0.ckpt"*
bash "$study" "${args[@]}" --out "$dir/s" -- "${tiny[@]}" >"$dir/run3.txt" 2>&1 ||
  { echo "FAIL: the resuming rerun exited $?"; cat "$dir/run3.txt"; fail=1; }
has "$dir/run3.txt" "sum_hidden_s0: training to step 4 of 4 (resuming sum_hidden_s0_step2.ckpt.h5)" "resume"
after=$(grep -F 'sum_hidden_s0: done' "$dir/run3.txt" | sed 's/.*steps, [0-9]* s, //')
if [ -z "$before" ] || [ "$before" != "$after" ]; then
  echo "FAIL: the resumed run's errors differ: '$before' then '$after'"; fail=1
fi
[ "$(grep -c ': training to step' "$dir/run3.txt")" -eq 1 ] || { echo "FAIL: more than one run trained"; fail=1; }

# 5. A failing run stops the study with its message and status 1.
bash "$study" --problem transport --methods "sum mean" --encodings hidden --seeds 1 --steps 4 \
  --points 8 --evals 1 --eps 1 --out "$dir/f" -- "${tiny[@]}" --debug.fail-rank 0 \
  --debug.fail-step 2 >"$dir/fail.txt" 2>&1
status=$?
if [ "$status" -ne 1 ] || ! grep -q "injected failure" "$dir/fail.txt" || grep -q "mean_hidden" "$dir/fail.txt"; then
  echo "FAIL: a failing run -> status $status:"; cat "$dir/fail.txt"; fail=1
else
  echo "ok: a failing run stops the study with status 1"
fi

# 6. SIGTERM to study.sh stops the running run at a checkpoint (status 3); the same command
# resumes it from there. Enough steps that the signal lands in training, not after it (the
# checkpoint every 2 steps makes them take about 20 ms each). The study passes the signal on more
# than once; it must still wait for the run to end (once it did not, and this grep lost the race).
sig=(--problem transport --methods sum --encodings hidden --seeds 1 --steps 3000 --points 8
     --evals 1 --eps 1 --out "$dir/t" -- "${tiny[@]}" --log-every 1)
bash "$study" "${sig[@]}" >"$dir/sig1.txt" 2>&1 &
pid=$!
first_step "$dir/t/transport/logs/sum_hidden_s0.log"
kill -TERM "$pid"
wait "$pid"
status=$?
if [ "$status" -ne 3 ] || ! grep -q "stopped by SIGTERM after step" "$dir/t/transport/logs/sum_hidden_s0.log"; then
  echo "FAIL: SIGTERM -> status $status:"; cat "$dir/sig1.txt"; fail=1
elif ! bash "$study" "${sig[@]}" >"$dir/sig2.txt" 2>&1 ||
     ! grep -q "training to step 3000 of 3000 (resuming sum_hidden_s0.ckpt.h5)" "$dir/sig2.txt"; then
  echo "FAIL: the rerun after SIGTERM did not resume:"; cat "$dir/sig2.txt"; fail=1
else
  echo "ok: SIGTERM stops the study with status 3, the rerun resumes"
fi

# 6c. One study at a time per run: a study that finds the run's lock held (here the test holds it,
# as another study would) waits without training, stops with status 3 on SIGTERM while waiting,
# and trains once the lock is free, holding the lock while it trains.
lock=(--problem transport --methods sum --encodings hidden --seeds 1 --steps 3000 --points 8
      --evals 1 --eps 1 --out "$dir/l" -- "${tiny[@]}" --log-every 1)
lockfile=$dir/l/transport/logs/sum_hidden_s0.lock
mkdir -p "$dir/l/transport/logs"
exec {held}>>"$lockfile"
flock -n "$held" || { echo "FAIL: the test could not take a fresh lock"; fail=1; }
bash "$study" "${lock[@]}" >"$dir/lock1.txt" 2>&1 {held}>&- &  # the study must not inherit the test's lock
pid=$!
wait_for "$dir/lock1.txt" "sum_hidden_s0: another study is training it; waiting" ||
  { echo "FAIL: a held lock did not make the study wait:"; cat "$dir/lock1.txt"; fail=1; }
kill -TERM "$pid"
wait "$pid"
status=$?
if [ "$status" -ne 3 ] || ! grep -q "stopped while waiting" "$dir/lock1.txt" ||
   grep -q "training to step" "$dir/lock1.txt"; then
  echo "FAIL: SIGTERM while waiting -> status $status:"; cat "$dir/lock1.txt"; fail=1
fi
bash "$study" "${lock[@]}" >"$dir/lock2.txt" 2>&1 {held}>&- &
pid=$!
wait_for "$dir/lock2.txt" "waiting" || { echo "FAIL: the second study did not wait"; fail=1; }
exec {held}>&-  # the other study ends
first_step "$dir/l/transport/logs/sum_hidden_s0.log"
flock -n "$lockfile" true 2>/dev/null &&
  { echo "FAIL: the lock was free while the study trained the run"; fail=1; }
kill -TERM "$pid"  # it trains: that is enough, the rest of the run would only take time
wait "$pid"
status=$?
if [ "$status" -ne 3 ] || ! grep -q "sum_hidden_s0: training to step 3000 of 3000" "$dir/lock2.txt"; then
  echo "FAIL: the study after the lock was freed -> status $status:"; cat "$dir/lock2.txt"; fail=1
else
  echo "ok: a study waits for a run another study holds, stops on SIGTERM, trains once it is free"
fi

# 6b. Editing study.sh while it runs (a git pull during a long study) leaves the running study
# as it was: the script is read whole before it starts. A copy is edited, never the source.
mkdir -p "$dir/copy" && cp -r "$launch" "$dir/copy/launch"
edit=(--problem transport --methods sum --encodings hidden --seeds 1 --steps 500 --points 8
      --evals 1 --eps 1 --out "$dir/e" -- --t-final 0.01 --model.width 8 --quadrature 8)
bash "$dir/copy/launch/study.sh" "${edit[@]}" >"$dir/edit.txt" 2>&1 &
pid=$!
first_step "$dir/e/transport/logs/sum_hidden_s0.log"
{ echo '#!/usr/bin/env bash'; for _ in $(seq 40); do echo '# a line that moves every offset'; done
  tail -n +2 "$launch/study.sh"; } >"$dir/copy/launch/study.sh"
wait "$pid"
status=$?
if [ "$status" -ne 0 ] || ! grep -q "transport/sum_hidden_s0: done in" "$dir/edit.txt"; then
  echo "FAIL: editing study.sh during a study -> status $status:"; cat "$dir/edit.txt"; fail=1
else
  echo "ok: editing study.sh while it runs changes nothing in the running study"
fi

# 7. Bad arguments: one line, status 2, before any run.
touch "$dir/file"
expect_error "--seeds" bash "$study" --seeds 0
expect_error "--steps" bash "$study" --steps abc
expect_error "--steps needs a value" bash "$study" --steps
expect_error "--problem" bash "$study" --problem fluid
expect_error "'nope'" bash "$study" --methods "sum nope"
expect_error "hrgrad<rho>" bash "$study" --methods "hrgradx"
expect_error "--encodings" bash "$study" --encodings "hidden learned"
expect_error "--evals" bash "$study" --steps 3 --evals 5
expect_error "--eps" bash "$study" --eps 1,-1
expect_error "--band" bash "$study" --band 0
expect_error "--margin" bash "$study" --margin x
expect_error "--regimes" bash "$study" --regimes 0
expect_error "'--eps-margin' after --" bash "$study" --out "$dir/b" -- --eps-margin 0.3
expect_error "--jobs" bash "$study" -j 0
expect_error "--threads" bash "$study" --threads x
expect_error "'--bogus'" bash "$study" --bogus
expect_error "--out" bash "$study" --out "$dir/file/sub"
expect_error "'--steps' after --" bash "$study" --out "$dir/b" -- --steps 3
expect_error "'--points.interior' after --" bash "$study" --out "$dir/b" -- --points.interior 3
expect_error "'--nonsense'" bash "$study" "${args[@]}" --out "$dir/b" -- --nonsense 1
expect_error "no such folder" "$py" "$report" "$dir/missing"
expect_error "no finished result files" "$py" "$report" "$dir/f/transport/logs"
expect_error "--target" "$py" "$report" "$dir/s" --target 0
expect_error "--check needs a file" "$py" "$report" --check

[ "$fail" -eq 0 ] && echo "study_test: all ok"
exit $fail
