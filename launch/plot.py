#!/usr/bin/python3
"""Plot one or more hrgrad-train result files (HDF5).

usage: launch/plot.py run.h5 [more.h5 ...] [--out DIR]

For every input file <stem>.h5 it writes, into DIR (default: <stem>_plots/ beside the first file):
  <stem>_loss.png             loss of each regime vs step (log y; raw faintly, running median on top)
  <stem>_cosine.png           min update cosine and conflict level vs step
  <stem>_eval_eps_<e>.png     rho (and m, E when present) prediction vs reference over x, per /eval group
and, once for all inputs together:
  error_vs_eps.png            relative L2 error of rho (and m, E for BGK) vs eps, one colour per
                              file (label: aggregator), one line style per field
It prints the paths it wrote, one per line. Errors give one line on stderr and exit status 2.

Needs Debian's python3 with python3-h5py, python3-matplotlib and python3-numpy.
"""

import math
import os
import sys

import script_errors
from script_errors import Parser

PROG = "plot.py"


def fail(message):
    script_errors.fail(PROG, message)


try:
    import numpy as np
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from hrgrad_results import ResultError as PlotError, config, eval_groups, fields, open_run
except ImportError as e:  # e.g. run with a python lacking h5py
    fail(f"{e} (run with /usr/bin/python3 and python3-h5py, python3-matplotlib installed)")


def regime_labels(cfg, m):
    """Labels for the m log-uniform regimes of [eps-min, eps-max]."""
    try:
        a = math.log10(float(cfg["eps-min"]))
        b = math.log10(float(cfg["eps-max"]))
        if int(cfg.get("regimes", m)) != m:
            raise ValueError
    except (KeyError, ValueError):
        return [f"regime {k}" for k in range(m)]
    labels = []
    for k in range(m):
        lo = 10 ** (a + (b - a) * k / m)
        hi = 10 ** (a + (b - a) * (k + 1) / m)
        labels.append(f"regime {k}: ε ∈ [{lo:.3g}, {hi:.3g}]")
    return labels


def running_median(y, window):
    """Centred running median over `window` samples (odd), NaN-aware, edges use a shrunk window."""
    y = np.asarray(y, dtype=float)
    n = y.size
    if window <= 1 or n < 3:
        return y.copy()
    window = min(window, n if n % 2 else n - 1)
    half = window // 2
    padded = np.pad(y, half, mode="constant", constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(windows, axis=1)


def smooth_window(n):
    w = max(1, int(round(n / 100)))
    return w if w % 2 else w + 1


def positive(y):
    y = np.asarray(y, dtype=float).copy()
    y[~(y > 0)] = np.nan
    return y


def save(fig, path, written):
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    written.append(path)


def plot_loss(f, stem, cfg, out, written):
    h = f["history"]
    step = h["step"][()]
    loss = np.asarray(h["loss"][()], dtype=float)
    if loss.ndim == 1:
        loss = loss[:, None]
    m = loss.shape[1]
    labels = regime_labels(cfg, m)
    w = smooth_window(len(step))
    fig, ax = plt.subplots(figsize=(8, 5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k in range(m):
        c = colors[k % len(colors)]
        y = positive(loss[:, k])
        ax.plot(step, y, color=c, alpha=0.25, linewidth=0.6)
        ax.plot(step, running_median(y, w), color=c, linewidth=1.6, label=labels[k])
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    note = f", running median over {w} steps" if w > 1 else ""
    ax.set_title(f"{stem}: loss per regime ({cfg.get('aggregator', '?')}{note})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    save(fig, os.path.join(out, f"{stem}_loss.png"), written)


def plot_cosine(f, stem, cfg, out, written):
    h = f["history"]
    step = h["step"][()]
    series = [(n, lab) for n, lab in (("min_update_cosine", "min cosine (update vs regime gradient)"),
                                      ("conflict", "conflict level")) if n in h]
    if not series:
        return
    w = smooth_window(len(step))
    fig, axes = plt.subplots(len(series), 1, figsize=(8, 3.2 * len(series)), sharex=True, squeeze=False)
    for ax, (name, label) in zip(axes[:, 0], series):
        y = np.asarray(h[name][()], dtype=float)
        ax.plot(step, y, color="C0", alpha=0.25, linewidth=0.6, label="raw")
        if w > 1:
            ax.plot(step, running_median(y, w), color="C0", linewidth=1.6,
                    label=f"running median ({w} steps)")
        if name == "min_update_cosine":
            ax.axhline(0.0, color="k", linewidth=0.8, linestyle="--")
        ax.set_ylabel(label if len(label) < 20 else "min cosine")
        ax.set_title(label)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    axes[-1, 0].set_xlabel("step")
    fig.suptitle(f"{stem} ({cfg.get('aggregator', '?')})")
    save(fig, os.path.join(out, f"{stem}_cosine.png"), written)


def plot_profiles(f, stem, out, written):
    for eps, name, g in eval_groups(f):
        names = fields(g)
        if not names:
            continue
        x = g["x"][()] if "x" in g else None
        fig, axes = plt.subplots(1, len(names), figsize=(5.5 * len(names), 4.2), squeeze=False)
        for ax, n in zip(axes[0], names):
            pred = np.asarray(g[n][()], dtype=float)
            ref = np.asarray(g[f"{n}_reference"][()], dtype=float)
            xs = x if x is not None and len(x) == len(pred) else np.arange(len(pred))
            ax.plot(xs, ref, color="k", linewidth=1.8, label=f"{n} reference")
            ax.plot(xs, pred, color="C1", linewidth=1.4, linestyle="--", label=f"{n} prediction")
            title = n
            if "relative_l2" in g[n].attrs:
                title += f"  (relative L2 = {float(g[n].attrs['relative_l2']):.3g})"
            ax.set_title(title)
            ax.set_xlabel("x" if x is not None else "index")
            ax.set_ylabel(n)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize="small")
        fig.suptitle(f"{stem}: ε = {eps:.3g}")
        save(fig, os.path.join(out, f"{stem}_eval_{name}.png"), written)


def plot_errors(runs, out, written):
    """runs: [(label, file)]. One line per file and field (rho; also m and E for BGK): relative
    L2 error vs eps, one colour per file, one line style per field."""
    fig, ax = plt.subplots(figsize=(7, 5))
    styles = {"rho": "-", "m": "--", "E": ":"}
    drawn = set()
    for i, (label, f) in enumerate(runs):
        groups = eval_groups(f)
        several = any("m" in g for _, _, g in groups)
        for n in ("rho", "m", "E"):
            pts = [(eps, float(g[n].attrs["relative_l2"])) for eps, _, g in groups
                   if n in g and "relative_l2" in g[n].attrs]
            pts = [(e, r) for e, r in pts if e > 0 and r > 0 and math.isfinite(r)]
            if not pts:
                continue
            e, r = zip(*pts)
            name = f"{label}: {n}" if several else label
            ax.plot(e, r, marker="o", linewidth=1.5, linestyle=styles[n], color=f"C{i % 10}",
                    label=name)
            drawn.add(n)
    if not drawn:
        plt.close(fig)
        return
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ε (Knudsen number)")
    ax.set_ylabel("relative L2 error" + (" of rho" if drawn == {"rho"} else ""))
    ax.set_title("error vs ε")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(title="aggregator", fontsize="small")
    save(fig, os.path.join(out, "error_vs_eps.png"), written)


def main(argv):
    parser = Parser(prog=PROG, description="Plot hrgrad-train result files (HDF5) to PNGs.")
    parser.add_argument("files", nargs="+", metavar="run.h5")
    parser.add_argument("--out", metavar="DIR",
                        help="output folder (default: <stem>_plots/ beside the first file)")
    args = parser.parse_args(argv)

    files = []
    try:
        for path in args.files:
            files.append((path, open_run(path)))

        first = args.files[0]
        out = args.out or os.path.join(os.path.dirname(os.path.abspath(first)),
                                       os.path.splitext(os.path.basename(first))[0] + "_plots")
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as e:
            raise PlotError(f"--out {out}: cannot create folder ({e.strerror or e})")
        if not os.access(out, os.W_OK):
            raise PlotError(f"--out {out}: folder is not writable")

        # Unique stems (two inputs may share a basename) and unique error-plot labels.
        stems, labels = [], []
        cfgs = [config(f) for _, f in files]
        for i, (path, _) in enumerate(files):
            stem = os.path.splitext(os.path.basename(path))[0]
            stems.append(stem if stem not in stems else f"{stem}-{i}")
        aggs = [c.get("aggregator", "?") for c in cfgs]
        for i, a in enumerate(aggs):
            labels.append(a if aggs.count(a) == 1 else f"{a} ({stems[i]})")

        written = []
        for (path, f), stem, cfg in zip(files, stems, cfgs):
            plot_loss(f, stem, cfg, out, written)
            plot_cosine(f, stem, cfg, out, written)
            plot_profiles(f, stem, out, written)
        plot_errors([(lab, f) for lab, (_, f) in zip(labels, files)], out, written)
    except PlotError as e:
        fail(str(e))
    except (KeyError, ValueError, OSError, TypeError, IndexError) as e:
        fail(f"unexpected file content: {type(e).__name__}: {e}")
    finally:
        for _, f in files:
            f.close()

    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
