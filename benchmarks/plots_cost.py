"""What drawing a run's figures costs: a tiny Burgers run in this process with plots=true and with
plots=false, alternated, medians of --repeats each (after one run to warm the caches).

    python benchmarks/plots_cost.py

The docs (docs/reference/outputs.md, docs/tutorials/sweeps.md, the test-suite line of
docs/results/speed.md) quote its output; it writes no file.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from common import commit, machine
from pinnsolve import solve

# the test suite's tiny run (tests/conftest.py TINY) on Burgers, with a coarse reference grid
TINY_BURGERS = [
    "problem=burgers", "sampler.n_residual=64", "sampler.n_boundary=16", "sampler.n_initial=16", "network.depth=2",
    "network.width=8", "trainer.adam.iterations=6", "trainer.quasi_newton.iterations=4", "trainer.log_every=2",
    "trainer.progress_bar=false", "problem.reference_x_points=17", "problem.reference_t_points=5",
]


def seconds(plots: bool) -> float:
    start = time.perf_counter()
    solve(*TINY_BURGERS, f"plots={str(plots).lower()}", output_dir=tempfile.mkdtemp())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    seconds(True)
    times = {True: [], False: []}
    for _ in range(args.repeats):
        for plots in (True, False):
            times[plots].append(seconds(plots))
    with_plots, without = statistics.median(times[True]), statistics.median(times[False])
    print(f"a tiny Burgers run: {with_plots:.2f} s with plots, {without:.2f} s without "
          f"(the figures: {with_plots - without:.2f} s, medians of {args.repeats}); {machine()}, commit {commit()}")


if __name__ == "__main__":
    main()
