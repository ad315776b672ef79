#!/usr/bin/python3
"""Scaling table from hrgrad-train result files (launch/scaling.sh, cluster/scaling.sbatch).

usage: launch/scaling_report.py --csv OUT.csv [--plot OUT.png] strong_P1.h5 ... weak_P4.h5

The mode (strong or weak) is the file name's prefix. Per file: ranks, regimes, the median time
per step over the steps after the first 5 (from /history/wall_time), and the medians of its
phases (compute, exchange, update). Efficiency is T1 / (P TP) for strong and T1 / TP for weak
scaling, T1 being the mode's 1-rank time (or its smallest rank count). Prints the table as
Markdown and writes the CSV and, with --plot, time per step and efficiency against ranks.
Errors give one line on stderr and exit status 2.
"""

import argparse
import csv
import os
import sys

import numpy as np


def fail(message):
    sys.stderr.write(f"scaling_report.py: error: {message}\n")
    sys.exit(2)


def row(path):
    import h5py

    mode = os.path.basename(path).split("_")[0]
    if mode not in ("strong", "weak"):
        fail(f"{path}: the file name must start with strong_ or weak_")
    try:
        with h5py.File(path, "r") as f:
            wall = np.asarray(f["history/wall_time"])
            phases = {k: np.asarray(f["history/time_" + k]) for k in ("compute", "exchange", "update")}
            ranks = int(f["config"].attrs["ranks"])
            regimes = f["config"].attrs["regimes"]
            regimes = int(regimes.decode() if isinstance(regimes, bytes) else regimes)
    except (OSError, KeyError) as e:
        fail(f"{path}: not a hrgrad-train result with a history ({e})")
    if wall.size < 7:
        fail(f"{path}: {wall.size} steps; the report needs at least 7")
    steps = np.diff(wall)[5:]
    out = {"mode": mode, "ranks": ranks, "regimes": regimes, "step_s": float(np.median(steps))}
    for k, v in phases.items():
        out[k + "_s"] = float(np.median(v[6:]))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", required=True)
    parser.add_argument("--plot")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    rows = sorted((row(p) for p in args.files), key=lambda r: (r["mode"], r["ranks"]))
    for mode in ("strong", "weak"):
        group = [r for r in rows if r["mode"] == mode]
        if not group:
            continue
        base = group[0]
        for r in group:
            ratio = base["step_s"] / r["step_s"]
            r["efficiency"] = ratio * base["ranks"] / r["ranks"] if mode == "strong" else ratio
    fields = ["mode", "ranks", "regimes", "step_s", "compute_s", "exchange_s", "update_s", "efficiency"]
    with open(args.csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    print("| mode | ranks | regimes | ms/step | compute ms | exchange ms | update ms | efficiency |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | {r['ranks']} | {r['regimes']} | {1e3 * r['step_s']:.1f} | "
              f"{1e3 * r['compute_s']:.1f} | {1e3 * r['exchange_s']:.2f} | {1e3 * r['update_s']:.2f} | "
              f"{r['efficiency']:.2f} |")
    print(f"wrote {args.csv}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        for mode, marker in (("strong", "o"), ("weak", "s")):
            group = [r for r in rows if r["mode"] == mode]
            if group:
                ranks = [r["ranks"] for r in group]
                left.plot(ranks, [1e3 * r["step_s"] for r in group], marker=marker, label=mode)
                right.plot(ranks, [r["efficiency"] for r in group], marker=marker, label=mode)
        left.set(xlabel="ranks", ylabel="ms per step", title="time per step")
        right.set(xlabel="ranks", ylabel="efficiency", title="parallel efficiency", ylim=(0, 1.2))
        for axis in (left, right):
            axis.set_xscale("log", base=2)
            axis.legend()
            axis.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
