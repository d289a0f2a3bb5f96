"""Does a PINNacle case need a larger network than a dense quasi-Newton method affords? Each case's
own command with the network's width and the quasi-Newton method changed, every run given the same
training time (``--budget``, the quasi-Newton phase more iterations than fit), seeds 0–2.

The dense methods (SSBroyden2, the cases' default) keep an n × n matrix, whose update costs O(n²)
a step; L-BFGS keeps 50 pairs, O(n). Beside the case's default (4 × 40, 5,163 parameters on NS
2d-C) run SSBroyden2 on a wider network (4 × 60, 2.2× the parameters, 4.8× the matrix) and L-BFGS
at the default's width and on a network the dense matrix would not pay for (4 × 80).

    python benchmarks/network_size.py --data DIR --jobs 2              # NS 2d-C, seeds 0–2, 480 s of training a run
    python benchmarks/network_size.py --collect                        # the table and figure again from the .json

Runs go to outputs/benchmarks/network_size/CASE/VARIANT/seed_S; the metrics (with each run's
rel L2 against training time) to benchmarks/results/network_size.json, the table to
benchmarks/results/network_size.md and between the ``network-size`` markers of docs/results/scaling.md,
a figure per case to benchmarks/results/network_size_CASE.png.
"""
from __future__ import annotations

import argparse
import csv

import numpy as np

from common import REPO, RESULTS, composed, grid_arguments, grid_tables, plot_curves
from pinnacle import CASES, arguments, shown

# variant -> (quasi-Newton method, network width); the depth stays the case's
VARIANTS = {
    "ssbroyden2_w40": ("ssbroyden2", 40),
    "ssbroyden2_w60": ("ssbroyden2", 60),
    "lbfgs_w40": ("lbfgs", 40),
    "lbfgs_w80": ("lbfgs", 80),
}
OUT = REPO / "outputs" / "benchmarks" / "network_size"
# NS 2d-C's rel L2 on the reference's points costs seconds: logged every 50 iterations it took about
# a third of a run's time, so the curves are sampled where RAD redraws the points, every 500
LOG_EVERY = 500


def with_history(key: str, variant: str, entry: dict, budget_s: float) -> None:
    """Adds to ``entry`` its budget and network, and to each run its rel L2 against training time
    (from history.csv) and the seconds its Adam phase took."""
    depth = composed([f"problem={CASES[key].problem}", *CASES[key].overrides]).network.depth
    entry.update(budget_s=budget_s, network=f"{depth} × {VARIANTS[variant][1]}")
    for m in entry["runs"]:
        with (OUT / key / variant / f"seed_{m['seed']}" / "history.csv").open() as handle:
            rows = [(int(r["iteration"]), float(r["elapsed_s"]), float(r["rel_l2"])) for r in csv.DictReader(handle)]
        m["history"] = [(t, e) for _, t, e in rows]
        m["adam_s"] = max(t for i, t, _ in rows if i <= m["iterations_adam"])


def table(results: dict[str, dict]) -> str:
    lines = [
        "| case | quasi-Newton method | network | parameters | L2RE mean ± std | per unknown (mean) | worst seed "
        "| quasi-Newton iterations, mean | ms per quasi-Newton iteration | training (s), mean | commit |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    commands, figures = [], []
    for key, variants in results.items():
        case = CASES[key]
        for variant, entry in variants.items():
            runs = entry["runs"]
            method, width = VARIANTS[variant]
            e = np.array([m["rel_l2"] for m in runs])
            unknowns = runs[0]["unknowns"]
            per_unknown = ", ".join(f"{u} {np.mean([m['per_unknown'][u]['rel_l2'] for m in runs]):.1e}" for u in unknowns) \
                if len(unknowns) > 1 else "–"
            steps = [1e3 * (m["train_time_s"] - m["adam_s"]) / m["iterations_quasi_newton"] for m in runs if m["iterations_quasi_newton"]]
            step_ms = f"{np.mean(steps):.0f}" if steps else "–"
            seeds = "" if all(m["status"] == "completed" for m in runs) else \
                " (" + ", ".join(f"seed {m['seed']} {m['status']}" for m in runs if m["status"] != "completed") + ")"
            lines.append(
                f"| {case.name} | {method} | {entry['network']} | {runs[0]['parameters']:,} "
                f"| {e.mean():.2e} ± {e.std():.1e}{seeds} | {per_unknown} | {e.max():.2e} "
                f"| {np.mean([m['iterations_quasi_newton'] for m in runs]):.0f} | {step_ms} "
                f"| {np.mean([m['train_time_s'] for m in runs]):.0f} | {entry['commit']} |"
            )
            commands.append(f"- {case.name}, {method}, width {width}: `{entry['command']}`")
        figure = f"network_size_{key}.png"
        plot_curves({f"{VARIANTS[v][0]}, width {VARIANTS[v][1]}": entry["runs"] for v, entry in variants.items()},
                    RESULTS / figure, f"{case.name}: mean of log L2RE over seeds, min–max band")
        figures.append(f"![{case.name}](benchmarks/results/{figure})")
    machines = sorted({entry["machine"] for variants in results.values() for entry in variants.values()})
    budgets = sorted({entry["budget_s"] for variants in results.values() for entry in variants.values()})
    return "\n".join([
        *lines, "",
        *figures, "",
        f"Every run: {' or '.join(f'{b:g}' for b in budgets)} s of training (`trainer.time_budget_s`), the case's own settings "
        "otherwise; ms per quasi-Newton iteration is the phase's time over its iterations (line searches, RAD redraws and "
        f"the rel L2 logged every {LOG_EVERY} iterations included). The commands (seed S, DIR PINNacle's `ref/` folder):", "",
        *commands, "",
        f"Measured by `python benchmarks/network_size.py` on {'; '.join(machines)}.",
    ])


def main() -> None:
    def budget(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--budget", type=float, default=480.0, help="seconds of training per run")

    args, folder = grid_arguments(__doc__, list(CASES), ["ns2d_c"], "variants", list(VARIANTS),
                                  [k for k, c in CASES.items() if c.data], budget)
    commands = None if args.collect else {
        (key, variant): [*arguments(CASES[key], folder), f"trainer.quasi_newton.method={method}", f"network.width={width}",
                         f"trainer.time_budget_s={args.budget:g}", "trainer.quasi_newton.iterations=1000000",
                         f"trainer.log_every={LOG_EVERY}"]
        for key in args.cases for variant, (method, width) in VARIANTS.items() if variant in args.variants
    }
    grid_tables("network_size", "network-size", commands, args, OUT, lambda c: shown(c, folder), (list(CASES), list(VARIANTS)),
                table, lambda key, variant, entry: with_history(key, variant, entry, args.budget))


if __name__ == "__main__":
    main()
