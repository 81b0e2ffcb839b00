"""Large-step benchmark: one RMSProp and one Adam step on 10⁷ float32 parameters.

The floor is memory traffic: a step must read θ, g and the state and write θ and the state
back. Measured in the same run: ``np.copyto`` bandwidth (bytes read + written per second), so
the bound is (bytes that must move) ÷ bandwidth. Printed: the in-place blocked ``step_`` and
the pure ``step`` as multiples of that bound. Goal: ``step_`` within 2.5× of the bound.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import adaptive_lr as alr


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    n, repeats = (200_000, 3) if args.quick else (10_000_000, 7)
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(n).astype(np.float32)
    grad = rng.standard_normal(n).astype(np.float32)
    src, dst = np.ones(n, np.float32), np.empty(n, np.float32)
    t_copy = median_time(lambda: np.copyto(dst, src), repeats)
    bandwidth = 2 * n * 4 / t_copy  # bytes read + written per second
    print(f"large step: {n:.0e} float32 parameters; copy bandwidth {bandwidth / 1e9:.1f} GB/s")
    ratios = {}
    # arrays read + written by one step: RMSProp θ, g, r read and θ, r written; Adam adds m.
    for opt, arrays in [(alr.RMSProp(lr=1e-3, alpha=0.99), 5), (alr.Adam(lr=1e-3), 7)]:
        bound = arrays * n * 4 / bandwidth
        work, state = theta.copy(), opt.init(theta)
        # the two paths agree (checked here too, on the full size)
        pure_theta, _ = opt.step(theta, grad, opt.init(theta))
        opt.step_(work, grad, state)
        assert np.allclose(work, pure_theta, rtol=1e-6, atol=1e-6)  # float32 rounding

        def in_place():
            nonlocal state
            state = opt.step_(work, grad, state)

        pure_state = opt.init(theta)
        t_in = median_time(in_place, repeats)
        t_pure = median_time(lambda: opt.step(theta, grad, pure_state), repeats)
        ratios[opt.name] = t_in / bound
        print(f"  {opt.name:8s} bound {bound * 1e3:7.1f} ms | step_ {t_in * 1e3:7.1f} ms "
              f"= {t_in / bound:4.2f}x bound (goal <= 2.5) | pure step {t_pure * 1e3:7.1f} ms "
              f"= {t_pure / bound:4.2f}x bound")
    return ratios


if __name__ == "__main__":
    main()
