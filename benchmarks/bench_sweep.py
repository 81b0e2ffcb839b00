"""Sweep benchmark: a 100 × 100 grid of RMSProp hyperparameters on Rosenbrock, 500 steps.

Compared side by side in one run:
  * ``api``: the package's batched ``opt.step`` with the objective's gradient, one call a step;
  * ``minimize``: the same through ``alr.minimize``, which also evaluates the loss and checks
    divergence every step, keeping only the final state or every step;
  * ``bare``: a hand-written in-place numpy loop of the same formula (the floor);
  * ``one at a time``: each configuration run separately (timed on a sample, extrapolated).
Goal: ``api`` and ``minimize`` (final state) within 1.5× of ``bare``; both thousands of times faster than one at a time.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import adaptive_lr as alr
from adaptive_lr.objectives import Rosenbrock


def grid(n_lr: int, n_alpha: int):
    hyper, shape = alr.hyper_grid(lr=np.geomspace(1e-4, 1e-1, n_lr),
                                  alpha=np.linspace(0.5, 0.999, n_alpha))
    return hyper, shape


def run_api(opt, objective, theta0, steps):
    theta, state = theta0.copy(), opt.init(theta0)
    with np.errstate(all="ignore"):
        for t in range(steps):
            theta, state = opt.step(theta, objective.grad(theta, t), state)
    return theta


def run_bare(lr, alpha, eps, theta0, steps, a=1.0, b=100.0):
    theta = theta0.copy()
    r = np.zeros_like(theta)
    g = np.empty_like(theta)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x, y = theta[:, 0], theta[:, 1]
            inner = y - x * x
            g[:, 0] = -2 * (a - x) - 4 * b * x * inner
            g[:, 1] = 2 * b * inner
            r *= alpha
            r += (1 - alpha) * g * g
            theta -= lr * g / (eps + np.sqrt(r))
    return theta


def best_times(variants: dict, repeats: int) -> dict:
    """Best time of each variant, measured in interleaved rounds so load hits all alike."""
    best = {name: float("inf") for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    n, steps, sample, repeats = (10, 20, 3, 1) if args.quick else (100, 500, 40, 15)
    hyper, _ = grid(n, n)
    objective = Rosenbrock()
    theta0 = np.tile(objective.start, (n * n, 1))
    opt = alr.RMSProp(lr=hyper["lr"], alpha=hyper["alpha"], eps=1e-8)

    # Same formula, different rounding order: compare before chaos on Rosenbrock amplifies it.
    api_theta = run_api(opt, objective, theta0, 20)
    bare_theta = run_bare(hyper["lr"], hyper["alpha"], 1e-8, theta0, 20)
    assert np.allclose(api_theta, bare_theta, rtol=1e-9), "api and bare loop disagree"

    times = best_times({
        "bare": lambda: run_bare(hyper["lr"], hyper["alpha"], 1e-8, theta0, steps),
        "api": lambda: run_api(opt, objective, theta0, steps),
        "end": lambda: alr.minimize(opt, objective, theta0, steps, record_every=steps),
        "all": lambda: alr.minimize(opt, objective, theta0, steps),
    }, repeats)
    t_bare, t_api, t_end, t_min = times["bare"], times["api"], times["end"], times["all"]
    picks = np.linspace(0, n * n - 1, sample).astype(int)
    start = time.perf_counter()
    for i in picks:
        run_api(alr.RMSProp(lr=float(hyper["lr"][i, 0]), alpha=float(hyper["alpha"][i, 0])),
                objective, objective.start, steps)
    t_one = (time.perf_counter() - start) / sample * n * n

    print(f"sweep: RMSProp on Rosenbrock, {n}x{n} grid of (lr, alpha), {steps} steps, float64")
    print(f"  bare in-place numpy loop      {t_bare:8.3f} s")
    print(f"  package, batched opt.step     {t_api:8.3f} s   ratio to bare {t_api / t_bare:5.2f}"
          f"   (goal <= 1.5)")
    print(f"  alr.minimize, final state only{t_end:8.3f} s   ratio to bare {t_end / t_bare:5.2f}"
          f"   (goal <= 1.5; losses and divergence checked every step)")
    print(f"  alr.minimize, every step kept {t_min:8.3f} s   ratio to bare {t_min / t_bare:5.2f}"
          f"   (160 MB of trajectories and rates)")
    print(f"  one configuration at a time   {t_one:8.1f} s   (extrapolated from {sample} runs)"
          f"   speed-up of batching {t_one / t_api:7.0f}x")
    return {"api/bare": t_api / t_bare, "minimize/bare": t_end / t_bare,
            "one/api": t_one / t_api}


if __name__ == "__main__":
    main()
