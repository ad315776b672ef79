#!/usr/bin/python3
"""Tables of the Knudsen-range accuracy study (launch/study.sh, docs/study.md).

usage: launch/study_report.py DIR [--csv OUT.csv] [--markdown OUT.md] [--plots PLOTDIR]
                              [--target 5e-2]
       launch/study_report.py --check FILE [hrgrad-train options...]
       launch/study_report.py --scan [-- options common to every run]   (lines on stdin)

Report: reads DIR/<problem>/<method>_s<seed>.h5 (and the earlier evaluations in
DIR/<problem>/progress/<method>_s<seed>_step<N>.h5) and prints, per problem, a Markdown table per
field (rho; and m, E for BGK): one row per method (aggregator and ε encoding; the single-regime
specialists, one file per test ε, make one row), one column per test ε, cells the mean ± sample
standard deviation over seeds of the relative L2 error at t = T, a worst-regime column (per seed
the largest error over the test ε); then a budget table: seeds, steps, wall time per network, and
the steps and wall time at which every test ε first reached --target (rho; rho and E for BGK),
among the evaluated steps. --csv writes the same numbers in long form, --markdown the tables,
--plots one <problem>_error_vs_eps.png per problem (needs matplotlib).

--check: exit 0 and a one-line summary when FILE is a finished result (it has /eval) made with
these options; 1 when it is absent or unfinished; 2 and one line when it was made with other
values of these options. --scan: the same for stdin lines "FILE<TAB>options", the options after
-- added to each; prints the files that are absent or unfinished; exit 2 on the first mismatch.

Errors give one line on stderr and exit status 2.
"""

import csv
import math
import os
import re
import sys

import script_errors
from script_errors import Parser

PROG = "study_report.py"
FIELDS = ("rho", "m", "E")
# Row order of the known methods (docs/study.md); others follow alphabetically, specialists last.
ORDER = ["sum", "mean", "pcgrad", "mgda", "config", "nash-mtl", "hrgrad1", "hrgrad0.1", "hrgrad0"]
STEM = re.compile(r"^(?P<method>.+)_s(?P<seed>\d+)$")
PROGRESS = re.compile(r"^(?P<stem>.+_s\d+)_step(?P<step>\d+)\.h5$")


def fail(message):
    script_errors.fail(PROG, message)


try:
    import numpy as np
    from hrgrad_results import ResultError, config, errors, open_run
except ImportError as e:
    fail(f"{e} (run with /usr/bin/python3 and python3-h5py installed)")


# --- --check and --scan ------------------------------------------------------------------------

def option_pairs(tokens):
    """{key: value} of '--key value' tokens; flags without a value are left out."""
    out = {}
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.startswith("--") and i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
            out[t[2:]] = tokens[i + 1]
            i += 2
        else:
            i += 1
    return out


def same_value(a, b):
    """Option values equal as text, or element-wise as numbers (1e-4 == 0.0001)."""
    if a == b:
        return True
    xs, ys = a.split(","), b.split(",")
    if len(xs) != len(ys):
        return False
    try:
        return all(math.isclose(float(x), float(y), rel_tol=1e-9) for x, y in zip(xs, ys))
    except ValueError:
        return False


def summary(errs):
    """'worst rho 3.2e-01 at eps 1[, E ... at eps ...]' of {eps: {field: error}}."""
    parts = []
    for n in FIELDS:
        pts = [(e, v[n]) for e, v in errs.items() if n in v]
        if pts and (n == "rho" or n == "E"):
            e, worst = max(pts, key=lambda t: t[1])
            parts.append(f"{n} {worst:.2e} at eps {e:g}")
    return "worst " + ", ".join(parts) if parts else "no errors recorded"


# Options that hrgrad-train records in /config only when they are used: a file without the key
# was made with the default.
UNRECORDED_DEFAULTS = {"points.front": "0", "points.front-width": "1.5"}


def check(path, tokens):
    """(status, text): 0 finished and made with these options, 1 absent or unfinished, 2 not."""
    if not os.path.exists(path):
        return 1, ""
    try:
        f = open_run(path)
    except ResultError:
        return 1, ""
    with f:
        errs = errors(f)
        if not errs:
            return 1, ""
        cfg = {**UNRECORDED_DEFAULTS, **config(f)}
        for key, value in option_pairs(tokens).items():
            if key in cfg and not same_value(cfg[key], value):
                return 2, (f"{path} was made with --{key} {cfg[key]}, this study asks for {value}: "
                           "pick another --out or remove the file")
        wall = float(f["history/wall_time"][-1]) if "wall_time" in f["history"] else float("nan")
        return 0, f"{cfg.get('steps', '?')} steps, {wall:.0f} s, {summary(errs)}"


def main_check(argv):
    if not argv:
        fail("--check needs a file")
    status, message = check(argv[0], argv[1:])
    if status == 2:
        fail(message)
    if message:
        print(message)
    return status


def main_scan(argv):
    common = argv[1:] if argv[:1] == ["--"] else argv
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        path, _, opts = line.partition("\t")
        status, message = check(path, opts.split() + common)
        if status == 2:
            fail(message)
        if status == 1:
            print(path)
    return 0


# --- the report --------------------------------------------------------------------------------

def method_of(stem):
    """(method, test eps of a specialist or None, seed) from a file stem."""
    m = STEM.match(stem)
    if not m:
        return None
    method, seed = m.group("method"), int(m.group("seed"))
    spec = re.match(r"^specialist_eps(.+)$", method)
    if spec:
        return "specialist", spec.group(1), seed
    return method, None, seed


def label(method):
    if method == "specialist":
        return "specialists (one network per ε)"
    name, _, encoding = method.rpartition("_")
    hr = re.match(r"^hrgrad([0-9.]+)$", name)
    if hr:
        name = f"hrgrad ρ={hr.group(1)}"
    return f"{name}, {encoding}" if name else method


def sort_key(method):
    name = method.rpartition("_")[0] if method != "specialist" else method
    rank = ORDER.index(name) if name in ORDER else (len(ORDER) + 1 if name == "specialist" else len(ORDER))
    return rank, method


def target_fields(problem):
    return ("rho", "E") if problem == "bgk" else ("rho",)


def worst(errs, names):
    vals = [v[n] for v in errs.values() for n in names if n in v]
    return max(vals) if vals else float("nan")


def read_study(folder):
    """{problem: {"runs": {method: {seed: run}}, "unfinished": [stem]}}; a run holds errors
    {eps: {field: err}}, steps, wall (s) and progress [(step, errs, wall)], specialists' per ε."""
    problems = {}
    for problem in sorted(os.listdir(folder)):
        pdir = os.path.join(folder, problem)
        if not os.path.isdir(pdir):
            continue
        runs, unfinished = {}, []
        names = sorted(n for n in os.listdir(pdir) if n.endswith(".h5") and ".ckpt" not in n)
        for name in names:
            parsed = method_of(name[:-3])
            if parsed is None:
                continue
            method, eps_text, seed = parsed
            path = os.path.join(pdir, name)
            try:
                f = open_run(path)
            except ResultError:  # e.g. cut short by a crash; the study reruns it
                unfinished.append(name[:-3] + " (unreadable)")
                continue
            with f:
                errs = errors(f)
                if not errs:
                    unfinished.append(name[:-3])
                    continue
                cfg = config(f)
                steps = int(cfg.get("steps", len(f["history/step"])))
                wall = float(f["history/wall_time"][-1])
            progress = read_progress(pdir, name[:-3]) + [(steps, errs, wall)]
            run = runs.setdefault(method, {}).setdefault(seed, {"parts": []})
            run["parts"].append({"errs": errs, "steps": steps, "wall": wall, "progress": progress})
        for method, seeds in runs.items():
            for seed, run in seeds.items():
                merge(run)
        if runs or unfinished:
            problems[problem] = {"runs": runs, "unfinished": unfinished}
    return problems


def read_progress(pdir, stem):
    """[(step, errs, wall)] of the earlier evaluations of one run."""
    out = []
    sub = os.path.join(pdir, "progress")
    if not os.path.isdir(sub):
        return out
    for name in os.listdir(sub):
        m = PROGRESS.match(name)
        if not m or m.group("stem") != stem:
            continue
        try:
            f = open_run(os.path.join(sub, name))
        except ResultError:
            continue
        with f:
            errs = errors(f)
            if errs:
                out.append((int(m.group("step")), errs, float(f["history/wall_time"][-1])))
    return sorted(out, key=lambda t: t[0])


def merge(run):
    """One seed of a method: a grid run has one part; specialists have one part per test ε,
    merged into one set of errors (their steps are per network, their wall time the mean)."""
    parts = run.pop("parts")
    run["errs"] = {e: v for p in parts for e, v in p["errs"].items()}
    run["steps"] = sorted({p["steps"] for p in parts})
    run["wall"] = float(np.mean([p["wall"] for p in parts]))
    # Steps evaluated by every part: the errors there, and the slowest part's wall time.
    common = set.intersection(*({s for s, _, _ in p["progress"]} for p in parts))
    run["progress"] = []
    for step in sorted(common):
        errs, walls = {}, []
        for p in parts:
            for s, e, w in p["progress"]:
                if s == step:
                    errs.update(e)
                    walls.append(w)
        run["progress"].append((step, errs, max(walls)))


def stats(values):
    v = np.asarray([x for x in values if math.isfinite(x)], dtype=float)
    if v.size == 0:
        return None
    return {"n": int(v.size), "mean": float(v.mean()), "std": float(v.std(ddof=1)) if v.size > 1 else 0.0,
            "min": float(v.min()), "max": float(v.max())}


def cell(s):
    if s is None:
        return "–"
    return f"{s['mean']:.2e}" + (f" ± {s['std']:.1e}" if s["n"] > 1 else "")


def duration(seconds):
    if not math.isfinite(seconds):
        return "–"
    seconds = int(round(seconds))
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


def reached(run, names, target):
    """(step, wall) of the first evaluated step where every test ε is at or below target."""
    for step, errs, wall in run["progress"]:
        if worst(errs, names) <= target:
            return step, wall
    return None


def tables(problem, data, target, rows):
    """Markdown lines for one problem; appends CSV rows."""
    runs = data["runs"]
    methods = sorted(runs, key=sort_key)
    eps = sorted({e for m in methods for r in runs[m].values() for e in r["errs"]}, reverse=True)
    names = [n for n in FIELDS if any(n in v for m in methods for r in runs[m].values()
                                      for v in r["errs"].values())]
    lines = [f"## {problem}", ""]
    if data["unfinished"]:
        lines += [f"Unfinished (no /eval yet, left out): {', '.join(sorted(data['unfinished']))}.", ""]
    for n in names:
        lines += [f"### relative L2 error of {n} at t = T (mean ± std over seeds)", "",
                  "| method | " + " | ".join(f"ε = {e:g}" for e in eps) + " | worst |",
                  "|---" * (len(eps) + 2) + "|"]
        for m in methods:
            seeds = runs[m].values()
            cells = []
            for e in eps:
                s = stats([r["errs"][e][n] for r in seeds if e in r["errs"] and n in r["errs"][e]])
                cells.append(cell(s))
                rows.append(csv_row(problem, m, n, f"{e:g}", s))
            s = stats([worst(r["errs"], (n,)) for r in seeds])
            rows.append(csv_row(problem, m, n, "worst", s))
            lines.append(f"| {label(m)} | " + " | ".join(cells) + f" | {cell(s)} |")
        lines.append("")
    goal = " and ".join(target_fields(problem))
    lines += [f"### budget, and the first evaluated step with {goal} at most {target:g} at every ε", "",
              "| method | seeds | steps | wall time per network | steps to target | wall time to target |",
              "|---|---|---|---|---|---|"]
    for m in methods:
        seeds = list(runs[m].values())
        steps = sorted({s for r in seeds for s in r["steps"]})
        wall = stats([r["wall"] for r in seeds])
        hits = [reached(r, target_fields(problem), target) for r in seeds]
        got = [h for h in hits if h is not None]
        hs = stats([h[0] for h in got])
        hw = stats([h[1] for h in got])
        if got:
            to_steps = f"{hs['mean']:.0f}" + ("" if len(got) == len(seeds) else f" ({len(got)}/{len(seeds)} seeds)")
            to_wall = duration(hw["mean"])
        else:
            to_steps, to_wall = "not reached", "–"
        step_text = str(steps[0]) if len(steps) == 1 else f"{steps[0]}–{steps[-1]}"
        lines.append(f"| {label(m)} | {len(seeds)} | {step_text} | {duration(wall['mean'])} | "
                     f"{to_steps} | {to_wall} |")
        rows.append(csv_row(problem, m, "wall_s", "", wall))
        rows.append(csv_row(problem, m, "steps_to_target", "", hs))
        rows.append(csv_row(problem, m, "wall_to_target_s", "", hw))
    lines.append("")
    return lines


def csv_row(problem, method, quantity, eps, s):
    row = {"problem": problem, "method": method, "quantity": quantity, "eps": eps}
    for k in ("n", "mean", "std", "min", "max"):
        row[k] = "" if s is None else s[k]
    return row


def plot(problem, data, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = data["runs"]
    methods = sorted(runs, key=sort_key)
    names = [n for n in FIELDS if any(n in v for m in methods for r in runs[m].values()
                                      for v in r["errs"].values())]
    fig, axes = plt.subplots(1, len(names), figsize=(6.5 * len(names), 5), squeeze=False)
    colors = plt.get_cmap("tab20").colors
    for ax, n in zip(axes[0], names):
        for i, m in enumerate(methods):
            eps = sorted({e for r in runs[m].values() for e in r["errs"]})
            mean, low, high = [], [], []
            for e in eps:
                s = stats([r["errs"][e][n] for r in runs[m].values() if e in r["errs"] and n in r["errs"][e]])
                mean.append(s["mean"] if s else np.nan)
                low.append(s["mean"] - s["min"] if s else 0)
                high.append(s["max"] - s["mean"] if s else 0)
            special = m == "specialist"
            ax.errorbar(eps, mean, yerr=[low, high], marker="o", capsize=2,
                        color="k" if special else colors[i % len(colors)],
                        linewidth=2.2 if special else 1.2,
                        linestyle="--" if m.endswith("_raw") else "-", label=label(m))
        ax.set(xscale="log", yscale="log", xlabel="ε (Knudsen number)",
               ylabel=f"relative L2 error of {n}", title=f"{problem}: {n} (mean, bars min–max over seeds)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0, -1].legend(fontsize="x-small", ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main_report(argv):
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("folder", metavar="DIR", help="the study's --out folder")
    parser.add_argument("--csv", metavar="OUT.csv")
    parser.add_argument("--markdown", metavar="OUT.md")
    parser.add_argument("--plots", metavar="PLOTDIR")
    parser.add_argument("--target", type=float, default=5e-2)
    args = parser.parse_args(argv)
    if not os.path.isdir(args.folder):
        fail(f"{args.folder}: no such folder")
    if not (args.target > 0):
        fail(f"--target must be > 0, got {args.target}")
    for option, path in (("--csv", args.csv), ("--markdown", args.markdown)):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            fail(f"{option} {path}: its folder does not exist")
    if args.plots and not os.path.isdir(args.plots):
        fail(f"--plots {args.plots}: no such folder")
    try:
        study = read_study(args.folder)
    except (KeyError, ValueError, OSError, IndexError) as e:
        fail(f"unexpected file content: {type(e).__name__}: {e}")
    if not any(d["runs"] for d in study.values()):
        fail(f"{args.folder}: no finished result files <problem>/<method>_s<seed>.h5")
    lines, rows = [], []
    for problem, data in study.items():
        if data["runs"]:
            lines += tables(problem, data, args.target, rows)
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
        print(f"wrote {args.markdown}")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {args.csv}")
    if args.plots:
        for problem, data in study.items():
            if data["runs"]:
                path = os.path.join(args.plots, f"{problem}_error_vs_eps.png")
                plot(problem, data, path)
                print(f"wrote {path}")
    return 0


def main(argv):
    if argv[:1] == ["--check"]:
        return main_check(argv[1:])
    if argv[:1] == ["--scan"]:
        return main_scan(argv[1:])
    return main_report(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
