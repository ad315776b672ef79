#!/usr/bin/python3
"""The PyTorch twin of hrgrad's default linear-transport training step (issue 9).

What a careful PyTorch user would write for the same job: vectorised batches, input derivatives
by torch.autograd.grad(create_graph=True), one flat gradient per regime, the HRGrad aggregation
(docs/method.md, ported from src/aggregate/hrgrad.cpp) on their Gram matrix, torch.optim.Adam.

  --mode 1  hrgrad's default mathematics: the same networks (ε encoder, ρ = exp(-o) and ĝ MLPs
            4 x 64 tanh, inputs scaled to [-1, 1]), (t, x) samples taken at all 16
            Gauss-Legendre nodes (128 interior, 64 boundary, 64 initial per regime), g = ĝ - <ĝ>.
  --mode 2  the APNN papers' scheme (shared/reference/physics.md §1.3): 512 interior (t, x, v),
            256 boundary (t, v_b), 256 initial (x, v) points per regime with v uniform, and the
            velocity averages <ĝ>, ∂x<v ĝ> evaluated per point at the 16 nodes.

Modes of use:
  pytorch_twin.py --mode 1 --steps 40 --warmup 5       time steps; prints one JSON line
  pytorch_twin.py --mode 2 --steps 6000 --warmup 0 --eval-every 250 --reference RUN.h5
      time to accuracy: every 250 steps the relative L2 error of ρ(T, x) against the references
      in an hrgrad output file (its /eval group, same grid and ε), one JSON line each; stops
      once every ε <= --target-eps-max is within --target (docs/performance.md)
  pytorch_twin.py --check DUMP.h5 [--tolerance 1e-5]   recompute hrgrad's losses, gradients and
      HRGrad weights on the weights and points tests/regression/twin_dump wrote; exit 1 when a
      relative difference exceeds the tolerance
Needs Debian's python3 with python3-torch (and python3-h5py for --check).
"""
import argparse
import json
import math
import resource
import sys
import time

try:
    import numpy as np
    import torch
except ImportError as e:  # run with a python that lacks torch
    print(f"pytorch_twin.py: {e}; use /usr/bin/python3 with python3-torch", file=sys.stderr)
    sys.exit(2)

EPS_MIN, EPS_MAX, REGIMES, T_FINAL = 1e-4, 1.0, 4, 0.1
# Decades by which the first and last regimes sample beyond [EPS_MIN, EPS_MAX], the ε encoding
# spanning the whole trained range (hrgrad-train --eps-margin); set by --eps-margin.
MARGIN = 0.0
WEIGHT_BC, WEIGHT_IC = 10.0, 10.0


def fail(message):
    print(f"pytorch_twin.py: {message}", file=sys.stderr)
    sys.exit(2)


class Mlp(torch.nn.Module):
    """Linear(inputs, width) -> tanh -> (depth-1) x [Linear -> tanh] -> Linear(width, 1)."""

    def __init__(self, inputs, width, depth):
        super().__init__()
        sizes = [inputs] + [width] * depth + [1]
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        for layer in self.layers:
            torch.nn.init.xavier_normal_(layer.weight)
            torch.nn.init.zeros_(layer.bias)

    def forward(self, h):
        for layer in self.layers[:-1]:
            h = torch.tanh(layer(h))
        return self.layers[-1](h)


class Apnn(torch.nn.Module):
    """The ε encoder z = tanh(W [s, sin kπs, cos kπs] + b) shared by the ρ and ĝ networks."""

    def __init__(self, width=64, depth=4, harmonics=4, hidden=8):
        super().__init__()
        self.harmonics = harmonics
        self.encoder = torch.nn.Linear(1 + 2 * harmonics, hidden)
        torch.nn.init.xavier_normal_(self.encoder.weight)
        torch.nn.init.zeros_(self.encoder.bias)
        self.rho = Mlp(2 + hidden, width, depth)
        self.g = Mlp(3 + hidden, width, depth)

    def encode(self, eps):
        low, high = math.log10(EPS_MIN) - MARGIN, math.log10(EPS_MAX) + MARGIN
        s = 2 * (torch.log10(eps) - low) / (high - low) - 1
        features = [s]
        for k in range(1, self.harmonics + 1):
            features += [torch.sin(k * math.pi * s), torch.cos(k * math.pi * s)]
        return torch.tanh(self.encoder(torch.cat(features, 1)))

    def hrgrad_parameters(self):
        """Parameters in hrgrad's order: encoder, then ρ's and ĝ's layers (weight, bias)."""
        out = [self.encoder.weight, self.encoder.bias]
        for net in (self.rho, self.g):
            for layer in net.layers:
                out += [layer.weight, layer.bias]
        return out

    def load_hrgrad(self, params):
        """params: hrgrad's named parameters (encoder.linear.*, rho.linearK.*, g.linearK.*)."""
        with torch.no_grad():
            self.encoder.weight.copy_(params["encoder.linear.weight"])
            self.encoder.bias.copy_(params["encoder.linear.bias"])
            for name, net in (("rho", self.rho), ("g", self.g)):
                for k, layer in enumerate(net.layers):
                    layer.weight.copy_(params[f"{name}.linear{k}.weight"])
                    layer.bias.copy_(params[f"{name}.linear{k}.bias"])


def gauss_legendre(n, dtype):
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return torch.tensor(nodes, dtype=dtype), torch.tensor(0.5 * weights, dtype=dtype)


# ---- mode 1: hrgrad's collocation, (t, x) x all nodes ----------------------------------------

def fields_on_nodes(model, nodes, w, t, x, eps, derivatives):
    """ρ (B,1) and g = ĝ - <ĝ> (B,K) at (t, x) and every node; with derivatives, also ρ_t, ρ_x,
    g_t, g_x and ∂x<v ĝ> by autograd with create_graph."""
    b, k = t.shape[0], nodes.shape[0]
    if derivatives:
        t = t.detach().requires_grad_(True)
        x = x.detach().requires_grad_(True)
    z = model.encode(eps)
    t_hat, x_hat = t * (2 / T_FINAL) - 1, x * 2 - 1
    o = model.rho(torch.cat([t_hat, x_hat, z], 1))
    rho = torch.exp(-o)
    g_in = torch.cat([t_hat.repeat_interleave(k, 0), x_hat.repeat_interleave(k, 0),
                      nodes.repeat(b).unsqueeze(1), z.repeat_interleave(k, 0)], 1)
    g_hat = model.g(g_in).reshape(b, k)
    g = g_hat - (g_hat @ w).unsqueeze(1)
    if not derivatives:
        return {"rho": rho, "g": g}
    rho_t, rho_x = torch.autograd.grad(rho.sum(), [t, x], create_graph=True)
    # Row b of ĝ depends on t[b] only: the gradient of the sum over a column gives ∂t ĝ[:, k].
    g_t = torch.stack([torch.autograd.grad(g[:, j].sum(), t, create_graph=True)[0][:, 0]
                       for j in range(k)], 1)
    g_x = torch.stack([torch.autograd.grad(g[:, j].sum(), x, create_graph=True)[0][:, 0]
                       for j in range(k)], 1)
    flux_x = torch.autograd.grad(((g_hat * nodes) @ w).sum(), x, create_graph=True)[0]
    return {"rho": rho, "g": g, "rho_t": rho_t, "rho_x": rho_x, "g_t": g_t, "g_x": g_x,
            "flux_x": flux_x}


def fields_on_nodes_fast(model, nodes, w, t, x, eps):
    """The same derivatives as fields_on_nodes, as a careful user writes them: input leaves
    on the repeated (B·K) batch, so one grad call per quantity gives every ∂ĝ at once."""
    b, k = t.shape[0], nodes.shape[0]
    t = t.detach().requires_grad_(True)
    x = x.detach().requires_grad_(True)
    tg = t.detach().repeat_interleave(k, 0).requires_grad_(True)
    xg = x.detach().repeat_interleave(k, 0).requires_grad_(True)
    z = model.encode(eps)
    rho = torch.exp(-model.rho(torch.cat([t * (2 / T_FINAL) - 1, x * 2 - 1, z], 1)))
    g_in = torch.cat([tg * (2 / T_FINAL) - 1, xg * 2 - 1, nodes.repeat(b).unsqueeze(1),
                      z.repeat_interleave(k, 0)], 1)
    g_flat = model.g(g_in)
    rho_t, rho_x = torch.autograd.grad(rho.sum(), [t, x], create_graph=True)
    gh_t, gh_x = torch.autograd.grad(g_flat.sum(), [tg, xg], create_graph=True)
    g_hat, gh_t, gh_x = g_flat.reshape(b, k), gh_t.reshape(b, k), gh_x.reshape(b, k)

    def centred(a):
        return a - (a @ w).unsqueeze(1)

    return {"rho": rho, "g": centred(g_hat), "rho_t": rho_t, "rho_x": rho_x,
            "g_t": centred(gh_t), "g_x": centred(gh_x),
            "flux_x": ((gh_x * nodes) @ w).unsqueeze(1)}


def mode1_loss(model, nodes, w, p, fields=fields_on_nodes_fast):
    """One regime's loss and its components (micro, macro, bc_left, bc_right, initial)."""
    v = nodes.unsqueeze(0)
    eps = p["eps_in"]
    f = fields(model, nodes, w, p["t_in"], p["x_in"], eps)
    micro = eps * eps * f["g_t"] + eps * (v * f["g_x"] - f["flux_x"]) + v * f["rho_x"] + f["g"]
    macro = f["rho_t"] + f["flux_x"]
    t_bd, eps_bd = p["t_bd"], p["eps_bd"]
    left = fields_on_nodes(model, nodes, w, t_bd, torch.zeros_like(t_bd), eps_bd, False)
    right = fields_on_nodes(model, nodes, w, t_bd, torch.ones_like(t_bd), eps_bd, False)
    f_left = (left["rho"] + eps_bd * left["g"])[:, nodes > 0]
    f_right = (right["rho"] + eps_bd * right["g"])[:, nodes < 0]
    x_ic, eps_ic = p["x_ic"], p["eps_ic"]
    init = fields_on_nodes(model, nodes, w, torch.zeros_like(x_ic), x_ic, eps_ic, False)
    f_init = init["rho"] + eps_ic * init["g"]
    comps = [micro.square().mean(), macro.square().mean(), (f_left - 1).square().mean(),
             f_right.square().mean(), f_init.square().mean()]
    total = comps[0] + comps[1] + WEIGHT_BC * (comps[2] + comps[3]) + WEIGHT_IC * comps[4]
    return total, comps


def mode1_points(regime, dtype, interior=128, boundary=64, initial=64):
    def eps(n):
        lo = math.log10(EPS_MIN) + regime * (math.log10(EPS_MAX) - math.log10(EPS_MIN)) / REGIMES
        hi = lo + (math.log10(EPS_MAX) - math.log10(EPS_MIN)) / REGIMES
        lo -= MARGIN if regime == 0 else 0.0
        hi += MARGIN if regime == REGIMES - 1 else 0.0
        return 10 ** (lo + (hi - lo) * torch.rand(n, 1, dtype=dtype))
    return {"t_in": T_FINAL * torch.rand(interior, 1, dtype=dtype),
            "x_in": torch.rand(interior, 1, dtype=dtype), "eps_in": eps(interior),
            "t_bd": T_FINAL * torch.rand(boundary, 1, dtype=dtype), "eps_bd": eps(boundary),
            "x_ic": torch.rand(initial, 1, dtype=dtype), "eps_ic": eps(initial)}


# ---- mode 2: the papers' scheme, uniform random v, averages per point --------------------------

def per_point_fields(model, nodes, w, t, x, v, eps, derivatives):
    """g(t,x,v) = ĝ(t,x,v) - <ĝ(t,x,·)> with the average evaluated at this point's (t, x)."""
    n, k = t.shape[0], nodes.shape[0]
    if derivatives:
        t = t.detach().requires_grad_(True)
        x = x.detach().requires_grad_(True)
    z = model.encode(eps)
    t_hat, x_hat = t * (2 / T_FINAL) - 1, x * 2 - 1
    rho = torch.exp(-model.rho(torch.cat([t_hat, x_hat, z], 1)))
    g_point = model.g(torch.cat([t_hat, x_hat, v, z], 1))
    g_nodes = model.g(torch.cat([t_hat.repeat_interleave(k, 0), x_hat.repeat_interleave(k, 0),
                                 nodes.repeat(n).unsqueeze(1), z.repeat_interleave(k, 0)],
                                1)).reshape(n, k)
    g = g_point - (g_nodes @ w).unsqueeze(1)
    if not derivatives:
        return {"rho": rho, "g": g}
    flux = ((g_nodes * nodes) @ w).unsqueeze(1)
    rho_t, rho_x = torch.autograd.grad(rho.sum(), [t, x], create_graph=True)
    g_t, g_x = torch.autograd.grad(g.sum(), [t, x], create_graph=True)
    flux_x = torch.autograd.grad(flux.sum(), x, create_graph=True)[0]
    return {"rho": rho, "g": g, "rho_t": rho_t, "rho_x": rho_x, "g_t": g_t, "g_x": g_x,
            "flux_x": flux_x}


def mode2_points(regime, dtype, interior=512, boundary=256, initial=256):
    p = mode1_points(regime, dtype, interior, boundary, initial)
    p["v_in"] = 2 * torch.rand(interior, 1, dtype=dtype) - 1
    p["v_bd"] = torch.rand(boundary, 1, dtype=dtype)
    p["v_ic"] = 2 * torch.rand(initial, 1, dtype=dtype) - 1
    return p


def mode2_loss(model, nodes, w, p):
    eps, v = p["eps_in"], p["v_in"]
    f = per_point_fields(model, nodes, w, p["t_in"], p["x_in"], v, eps, True)
    micro = eps * eps * f["g_t"] + eps * (v * f["g_x"] - f["flux_x"]) + v * f["rho_x"] + f["g"]
    macro = f["rho_t"] + f["flux_x"]
    t_bd, eps_bd, v_bd = p["t_bd"], p["eps_bd"], p["v_bd"]
    left = per_point_fields(model, nodes, w, t_bd, torch.zeros_like(t_bd), v_bd, eps_bd, False)
    right = per_point_fields(model, nodes, w, t_bd, torch.ones_like(t_bd), -v_bd, eps_bd, False)
    x_ic, eps_ic = p["x_ic"], p["eps_ic"]
    init = per_point_fields(model, nodes, w, torch.zeros_like(x_ic), x_ic, p["v_ic"], eps_ic,
                            False)
    comps = [micro.square().mean(), macro.square().mean(),
             (left["rho"] + eps_bd * left["g"] - 1).square().mean(),
             (right["rho"] + eps_bd * right["g"]).square().mean(),
             (init["rho"] + eps_ic * init["g"]).square().mean()]
    total = comps[0] + comps[1] + WEIGHT_BC * (comps[2] + comps[3]) + WEIGHT_IC * comps[4]
    return total, comps


# ---- HRGrad (src/aggregate/hrgrad.cpp, default rho = 0.1, rcond = 1e-10) -----------------------

def hrgrad_weights(gram, rho=0.1, rcond=1e-10):
    """Weights w of the update sum_i w_i g_i from the Gram matrix (float64 numpy)."""
    m = gram.shape[0]
    norms = np.sqrt(np.maximum(np.diag(gram), 0.0))
    kept = np.flatnonzero(norms > 0)
    weights = np.zeros(m)
    if kept.size == 0:
        return weights
    n = norms[kept]
    harmonic = kept.size / np.sum(1.0 / n)
    if kept.size == 1:
        weights[kept] = 1.0
        return weights
    c = gram[np.ix_(kept, kept)] / np.outer(n, n)
    ones = np.ones(kept.size)
    c_one = c @ ones
    s2 = c_one.sum()
    if not s2 > 64 * np.finfo(float).eps * kept.size ** 2:
        return weights
    s_norm = math.sqrt(s2)
    s_hat, alpha = ones / s_norm, c_one / s_norm
    lam, vec = np.linalg.eigh(0.5 * (c + c.T))
    keep = (lam > rcond * lam.max()) & (lam > 0)
    a = (vec[:, keep] / lam[keep]) @ (vec[:, keep].T @ ones)
    c_a = c @ a
    e2 = a @ c_a
    q_hat, beta, theta_e = np.zeros(kept.size), np.zeros(kept.size), 0.0
    if e2 > 0 and math.isfinite(e2):
        e_norm = math.sqrt(e2)
        cos_e = min(1.0, max(-1.0, c_a.sum() / (s_norm * e_norm)))
        q = a / e_norm - cos_e * s_hat
        sin_e = math.sqrt(max(0.0, q @ (c @ q)))
        if sin_e > 1e-12:
            theta_e = math.atan2(sin_e, cos_e)
            q_hat = q / sin_e
            beta = c @ q_hat
    lo, hi, feasible = 0.0, theta_e, True
    for i in range(kept.size):
        f0, fe = alpha[i], alpha[i] * math.cos(theta_e) + beta[i] * math.sin(theta_e)
        if f0 >= 0 and fe >= 0:
            continue
        if f0 < 0 and fe < 0:
            feasible = False
            break
        root = min(theta_e, max(0.0, math.atan(-alpha[i] / beta[i])))
        lo, hi = (max(lo, root), hi) if f0 < 0 else (lo, min(hi, root))
    if not feasible or lo > hi:
        fail("HRGrad: no conflict-free angle; this port covers the conflict-free case only")
    theta = lo + rho * (hi - lo)
    r = math.cos(theta) * s_hat + math.sin(theta) * q_hat
    weights[kept] = harmonic * s_norm * math.cos(theta) * r / n
    return weights


def flat_gradient(loss, params):
    return torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, params)])


# ---- time to accuracy --------------------------------------------------------------------------

def load_references(path):
    """{ε: (x, ρ_ref)} from the /eval group of an hrgrad output file."""
    try:
        import h5py
    except ImportError as e:
        fail(f"{e}; --reference needs python3-h5py")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"--reference: cannot read '{path}' ({e})")
    with f:
        if "eval" not in f:
            fail(f"--reference: '{path}' has no /eval group (an hrgrad-train output file)")
        refs = {}
        for g in f["eval"].values():
            if "rho_reference" in g:
                refs[float(g.attrs["eps"])] = (np.array(g["x"]), np.array(g["rho_reference"]))
    if not refs:
        fail(f"--reference: '{path}' holds no rho_reference")
    return refs


def rho_errors(model, refs, dtype):
    """Relative L2 error of ρ(T, x) per ε, as hrgrad's evaluation computes it."""
    out = {}
    with torch.no_grad():
        for eps, (x, ref) in sorted(refs.items(), reverse=True):
            xs = torch.tensor(x, dtype=dtype).unsqueeze(1)
            e = torch.full_like(xs, eps)
            t_hat = torch.ones_like(xs)  # t = T
            rho = torch.exp(-model.rho(torch.cat([t_hat, xs * 2 - 1, model.encode(e)], 1)))
            rho = rho[:, 0].double().numpy()
            out[eps] = float(np.linalg.norm(rho - ref) / np.linalg.norm(ref))
    return out


# ---- timing ----------------------------------------------------------------------------------

def train_steps(args):
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    torch.manual_seed(args.seed)
    model = Apnn().to(dtype)
    params = model.hrgrad_parameters()
    nodes, w = gauss_legendre(args.quadrature, dtype)
    optimizer = torch.optim.Adam(params, lr=1e-3)
    points, loss_of = (mode1_points, mode1_loss) if args.mode == 1 else (mode2_points, mode2_loss)
    parts = {"forward": [], "backward": [], "aggregation": [], "optimizer": [], "step": []}
    losses = []
    refs = load_references(args.reference) if args.eval_every else None
    trained, reached = 0.0, None  # training seconds (evaluations left out); first step at target
    for step in range(args.warmup + args.steps):
        for group in optimizer.param_groups:
            group["lr"] = 1e-3 * 0.96 ** (step // 100)
        t0 = time.perf_counter()
        forward = backward = 0.0
        rows = []
        total = 0.0
        for regime in range(REGIMES):
            a = time.perf_counter()
            loss, _ = loss_of(model, nodes, w, points(regime, dtype))
            b = time.perf_counter()
            rows.append(flat_gradient(loss, params))
            forward += b - a
            backward += time.perf_counter() - b
            total += loss.item()
        a = time.perf_counter()
        jac = torch.stack(rows)
        gram = (jac.double() @ jac.double().T).numpy()
        weights = torch.tensor(hrgrad_weights(gram), dtype=dtype)
        update = weights @ jac
        b = time.perf_counter()
        offset = 0
        for p in params:
            p.grad = update[offset:offset + p.numel()].view_as(p).clone()
            offset += p.numel()
        optimizer.step()
        end = time.perf_counter()
        if step >= args.warmup:
            for key, value in (("forward", forward), ("backward", backward),
                               ("aggregation", b - a), ("optimizer", end - b),
                               ("step", end - t0)):
                parts[key].append(value)
        losses.append(total)
        trained += end - t0
        if args.eval_every and (step + 1) % args.eval_every == 0:
            errors = rho_errors(model, refs, dtype)
            worst = max(e for eps, e in errors.items() if eps <= args.target_eps_max)
            print(json.dumps({"step": step + 1, "train_seconds": trained, "loss": total,
                              "rho_relative_l2": {f"{k:g}": v for k, v in errors.items()}}),
                  flush=True)
            if worst <= args.target and reached is None:
                reached = {"steps_to_target": step + 1, "seconds_to_target": trained}
                break
    med = {k: 1e3 * float(np.median(v)) for k, v in parts.items()}
    out = {"program": "pytorch_twin", "mode": args.mode, "threads": torch.get_num_threads(),
           "dtype": args.dtype, "steps": args.steps,
           "median_ms": med, "peak_rss_mb": resource.getrusage(
               resource.RUSAGE_SELF).ru_maxrss / 1024.0, "final_loss": losses[-1]}
    if args.eval_every:
        out.update({"target": args.target, "target_eps_max": args.target_eps_max,
                    "train_seconds": trained, "steps_done": len(losses)})
        out.update(reached or {"steps_to_target": None, "seconds_to_target": None})
    print(json.dumps(out))


# ---- comparison with hrgrad ------------------------------------------------------------------

def relative(a, b):
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


def check(args):
    try:
        import h5py
    except ImportError as e:
        fail(f"{e}; --check needs python3-h5py")
    try:
        f = h5py.File(args.check, "r")
    except OSError as e:
        fail(f"--check: cannot read '{args.check}' ({e})")
    with f:
        if "params" not in f or "regime_0" not in f:
            fail(f"--check: '{args.check}' is not a twin_dump file")
        name = f.attrs["dtype"]
        name = name.decode() if isinstance(name, bytes) else str(name)
        dtype = torch.float64 if name == "float64" else torch.float32
        model = Apnn(int(f.attrs["width"]), int(f.attrs["depth"]), int(f.attrs["harmonics"]),
                     int(f.attrs["hidden_size"])).to(dtype)
        model.load_hrgrad({k: torch.tensor(np.array(v), dtype=dtype)
                           for k, v in f["params"].items()})
        params = model.hrgrad_parameters()
        nodes = torch.tensor(np.array(f["nodes"]), dtype=dtype)
        w = torch.tensor(np.array(f["weights"]), dtype=dtype)
        worst, rows = 0.0, []
        print("| regime | loss hrgrad | loss twin | rel. loss | max rel. component "
              "| rel. gradient (double backward) | rel. gradient (batched grad) |")
        print("|---|---|---|---|---|---|---|")
        for r in range(int(f.attrs["regimes"])):
            g = f[f"regime_{r}"]
            p = {k: torch.tensor(np.array(g[k]), dtype=dtype)
                 for k in ("t_in", "x_in", "eps_in", "t_bd", "eps_bd", "x_ic", "eps_ic")}
            ref_loss = np.array(g["loss"])[0]
            ref_comps = np.array(g["components"])
            ref_grad = np.array(g["gradient"])
            loss_a, comps_a = mode1_loss(model, nodes, w, p,
                                         lambda *a: fields_on_nodes(*a, True))
            grad_a = flat_gradient(loss_a, params)
            loss_b, comps_b = mode1_loss(model, nodes, w, p)
            grad_b = flat_gradient(loss_b, params)
            rows.append(grad_b)
            d_loss = abs(loss_b.item() - ref_loss) / abs(ref_loss)
            d_comp = max(max(abs(c.item() - rc) / abs(rc) for c, rc in zip(cs, ref_comps))
                         for cs in (comps_a, comps_b))
            d_ga, d_gb = relative(grad_a, ref_grad), relative(grad_b, ref_grad)
            worst = max(worst, d_loss, abs(loss_a.item() - ref_loss) / abs(ref_loss), d_comp,
                        d_ga, d_gb)
            print(f"| {r} | {ref_loss:.9e} | {loss_b.item():.9e} | {d_loss:.1e} | {d_comp:.1e} "
                  f"| {d_ga:.1e} | {d_gb:.1e} |")
        jac = torch.stack(rows).double()
        weights = hrgrad_weights((jac @ jac.T).numpy())
        d_w = relative(weights, np.array(f["hrgrad_weights"]))
        worst = max(worst, d_w)
        print(f"HRGrad weights: relative difference {d_w:.1e}")
        print(f"worst relative difference {worst:.1e} ({name}, tolerance "
              f"{args.tolerance:g})")
        if not worst <= args.tolerance:
            print("pytorch_twin.py: the twin and hrgrad differ beyond the tolerance",
                  file=sys.stderr)
            sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", type=int, default=1)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--quadrature", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", metavar="DUMP.h5")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--eps-margin", type=float, default=0.2,
                        help="hrgrad-train's --eps-margin (training modes; --check uses none)")
    parser.add_argument("--eval-every", type=int, default=0)
    parser.add_argument("--reference", metavar="RUN.h5")
    parser.add_argument("--target", type=float, default=5e-2)
    parser.add_argument("--target-eps-max", type=float, default=0.1)
    args = parser.parse_args()
    if args.mode not in (1, 2):
        fail(f"--mode: {args.mode} is not 1 or 2")
    if args.steps < 1 or args.warmup < 0:
        fail(f"--steps ({args.steps}) must be >= 1 and --warmup ({args.warmup}) >= 0")
    if args.threads < 1:
        fail(f"--threads: {args.threads} must be >= 1")
    if args.dtype not in ("float32", "float64"):
        fail(f"--dtype: '{args.dtype}' is not float32 or float64")
    if args.quadrature < 2:
        fail(f"--quadrature: {args.quadrature} must be >= 2")
    if not args.tolerance > 0:
        fail(f"--tolerance: {args.tolerance} must be > 0")
    if args.eval_every < 0:
        fail(f"--eval-every: {args.eval_every} must be >= 0")
    if args.eval_every and not args.reference:
        fail("--eval-every needs --reference RUN.h5 (an hrgrad-train output file)")
    if not args.target > 0:
        fail(f"--target: {args.target} must be > 0")
    if not 0 <= args.eps_margin <= 1:
        fail(f"--eps-margin: {args.eps_margin} must be in [0, 1]")
    torch.set_num_threads(args.threads)
    global MARGIN
    MARGIN = 0.0 if args.check else args.eps_margin
    if args.check:
        check(args)
    else:
        train_steps(args)


if __name__ == "__main__":
    main()
