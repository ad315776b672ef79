# shellcheck shell=bash disable=SC2034  # fail is the sourcing script's
# Sourced by the shell tests: expect_error <expected substring> <command...> runs the command and
# checks that it exits with status 2 and prints exactly one line on stderr containing the
# substring; prints "ok: <line>" or "FAIL: ..." and then sets fail=1.
expect_error() {
  local expect=$1; shift
  local err status lines
  err=$("$@" 2>&1 >/dev/null); status=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  if [ "$status" -ne 2 ] || [ "$lines" -ne 1 ] || [[ "$err" != *"$expect"* ]]; then
    echo "FAIL: $* -> status $status, $lines line(s): $err"; fail=1
  else
    echo "ok: $* -> $err"
  fi
}
