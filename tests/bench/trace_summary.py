#!/usr/bin/python3
"""Sums a Chrome trace of torch's profiler (step_bench with HRGRAD_PROFILE=trace.json) by
operator name: total milliseconds, calls, share of the traced time, largest first.
  usage: tests/bench/trace_summary.py trace.json [top]"""
import collections
import json
import sys

if len(sys.argv) not in (2, 3):
    sys.exit("usage: trace_summary.py trace.json [top]")
try:
    events = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    print(f"trace_summary.py: cannot read '{sys.argv[1]}' ({e})", file=sys.stderr)
    sys.exit(2)
if isinstance(events, dict):
    events = events.get("traceEvents", [])
total, calls = collections.Counter(), collections.Counter()
for e in events:
    if e.get("ph") == "X":
        total[e["name"]] += e.get("dur", 0) / 1e3
        calls[e["name"]] += 1
top = int(sys.argv[2]) if len(sys.argv) == 3 else 30
for name, ms in total.most_common(top):
    print(f"{ms:10.1f} ms {calls[name]:8d} calls  {name}")
