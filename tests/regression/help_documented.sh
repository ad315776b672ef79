#!/usr/bin/env bash
# Every option hrgrad-train --help lists is documented in docs/config.md (the aggregators'
# own --<method>.<key> options are documented by --help itself and docs/method.md).
set -u
train=$1 doc=$2
fail=0
for option in $("$train" --help | grep -oE -- '--[a-z][a-z0-9.-]*' | sort -u); do
  case "$option" in
    --model.*|--points.*|--debug.*) ;;
    --*.*) continue ;;
  esac
  grep -q -- "\`$option\`" "$doc" || { echo "FAIL: $option is not in $doc"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok: every option is documented"
exit $fail
