"""Widget latency: one slider change = four 200-step runs recomputed and the panels redrawn.

This is what a reader waits for after moving a slider in a chapter's comparison panel
(``adaptive_lr.widgets.ComparisonPanel``): ``update`` re-runs the optimizers and moves the
lines with ``set_data`` (contours are not recomputed), ``pngs`` renders what the Image widgets
show (two half-column panels at 2× density). Goal: median under 50 ms.
"""
from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

import adaptive_lr as alr  # noqa: E402
from adaptive_lr import objectives  # noqa: E402
from adaptive_lr.widgets import ComparisonPanel  # noqa: E402


def optimizers(rho: float):
    return [alr.SGD(lr=rho / 10), alr.AdaGrad(lr=rho), alr.RMSProp(lr=rho / 10, alpha=0.9),
            alr.Adam(lr=rho)]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions (smoke test)")
    args = parser.parse_args(argv)
    changes = 3 if args.quick else 25
    objective = objectives.Rosenbrock()
    panel = ComparisonPanel(objective, optimizers(0.05), steps=200)
    panel.pngs()  # first draw builds font caches and the contour paths
    rhos = np.geomspace(0.01, 0.3, changes)
    compute, render, total = [], [], []
    for rho in rhos:
        start = time.perf_counter()
        panel.update(optimizers=optimizers(float(rho)))
        middle = time.perf_counter()
        panel.pngs()
        end = time.perf_counter()
        compute.append(middle - start)
        render.append(end - middle)
        total.append(end - start)
    median = float(np.median(total)) * 1e3
    print(f"widget latency: 4 optimizers x 200 steps on {objective.name}, {changes} slider changes")
    print(f"  recompute runs  median {np.median(compute) * 1e3:6.1f} ms")
    print(f"  PNGs            median {np.median(render) * 1e3:6.1f} ms")
    print(f"  recompute + PNG median {median:6.1f} ms   (goal < 50 ms)")
    return {"median_ms": median}


if __name__ == "__main__":
    main()
