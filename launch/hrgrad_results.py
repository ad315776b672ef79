"""Reading hrgrad-train result files (HDF5, docs/usage.md "Output file"): shared by
launch/plot.py and launch/study_report.py. Needs h5py and numpy, not matplotlib."""

import os

import h5py
import numpy as np


class ResultError(Exception):
    """A file that is not a readable hrgrad-train result; the message names it."""


def text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return text(value[()])
    return str(value)


def config(f):
    """The /config attributes (every resolved option) as strings."""
    if "config" not in f:
        return {}
    return {k: text(v) for k, v in f["config"].attrs.items()}


def open_run(path):
    """Opens a result file for reading; it must have /history with step and loss."""
    if not os.path.exists(path):
        raise ResultError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ResultError(f"{path}: is a directory, not an HDF5 file")
    try:
        ok = h5py.is_hdf5(path)
    except OSError as e:
        raise ResultError(f"{path}: cannot read ({e.strerror or e})")
    if not ok:
        raise ResultError(f"{path}: not an HDF5 file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ResultError(f"{path}: cannot open as HDF5 ({e})")
    if "history" not in f or not isinstance(f["history"], h5py.Group):
        f.close()
        raise ResultError(f"{path}: no /history group (not an hrgrad-train result file?)")
    for name in ("step", "loss"):
        if name not in f["history"]:
            f.close()
            raise ResultError(f"{path}: /history/{name} is missing")
    return f


def eval_groups(f):
    """[(eps, group_name, group)] of /eval, sorted by eps; empty before the run has ended."""
    if "eval" not in f or not isinstance(f["eval"], h5py.Group):
        return []
    groups = []
    for name, g in f["eval"].items():
        if not name.startswith("eps_") or not isinstance(g, h5py.Group):
            continue
        try:
            eps = float(g.attrs["eps"]) if "eps" in g.attrs else float(name[4:])
        except (TypeError, ValueError):
            continue
        groups.append((eps, name, g))
    groups.sort(key=lambda t: t[0])
    return groups


def fields(g):
    """Names of predicted fields that have a <name>_reference partner: rho, m, E first."""
    names = [n for n in g if not n.endswith("_reference") and n != "x"
             and isinstance(g[n], h5py.Dataset) and f"{n}_reference" in g]
    order = {"rho": 0, "m": 1, "E": 2}
    return sorted(names, key=lambda n: (order.get(n, 3), n))


def errors(f):
    """{eps: {field: relative L2 error}} of every /eval group (fields with a relative_l2)."""
    out = {}
    for eps, _, g in eval_groups(f):
        out[eps] = {n: float(g[n].attrs["relative_l2"]) for n in fields(g)
                    if "relative_l2" in g[n].attrs}
    return out
