"""Every quasi-Newton method on every problem: the problem's study settings (experiment=study/PROBLEM:
network, points, Adam phase, resampling) with only `trainer.quasi_newton.method` changed, the same training-time budget
for each run, seeds 0–2.

    python benchmarks/optimizers.py                              # all problems and methods, 300 s a run
    python benchmarks/optimizers.py burgers --budget 90 --jobs 2 # shorter, two runs at a time

    python benchmarks/optimizers.py --collect                    # tables and figures from the results file

Runs go to outputs/benchmarks/optimizers/PROBLEM/METHOD/seed_S. The problems run replace theirs
in benchmarks/results/optimizers.json (the others keep their last results); from that file come
optimizers.md, one figure per problem (rel L2 against training time, the mean over seeds of
log rel L2 with a min–max band) and its docs page's section.
"""
from __future__ import annotations

import numpy as np

from common import RESULTS, budgeted_study, plot_curves, study_arguments, time_to_cell, write_section

from pinnsolve.optim import METHODS

PROBLEMS = ["burgers", "poisson", "klein_gordon", "helmholtz", "klein_gordon_cubic"]
SEEDS = (0, 1, 2)


def table(problem: str, runs: list[dict], budget: float) -> str:
    lines = [
        f"**{problem}** ({budget:g} s of training per run, seeds {', '.join(map(str, SEEDS))})",
        "",
        "| method | rel L2, mean ± std | worst seed | time to 1e-3 (s), mean | time to 1e-5 (s), mean | quasi-Newton iterations, mean |",
        "|---|---|---|---|---|---|",
    ]
    for method in METHODS:
        mine = [r for r in runs if r["method"] == method]
        if not mine:
            continue
        errors = np.array([r["metrics"]["rel_l2"] for r in mine])
        iterations = np.mean([r["metrics"]["iterations_quasi_newton"] for r in mine])
        std = errors.std(ddof=1) if len(errors) > 1 else 0.0
        lines.append(
            f"| `{method}` | {errors.mean():.2e} ± {std:.1e} | {errors.max():.2e} | {time_to_cell(mine, 1e-3)} "
            f"| {time_to_cell(mine, 1e-5)} | {iterations:.0f} |"
        )
    return "\n".join(lines)


def report(results: dict[str, dict]) -> str:
    """Tables and figures for every problem in the results file, and the line saying how each was measured."""
    sections = []
    for problem, entry in results.items():
        by_method = {m: [r for r in entry["runs"] if r["method"] == m] for m in METHODS}
        plot_curves(by_method, RESULTS / f"optimizers_{problem}.png", f"{problem}: mean of log rel L2 over seeds, min–max band")
        sections.append(
            f"{table(problem, entry['runs'], entry['budget_s'])}\n\n![{problem}](benchmarks/results/optimizers_{problem}.png)\n\n"
            f"Measured by `{entry['command']}` on {entry['machine']}, commit {entry['commit']}, {entry['per_run']}."
        )
    return "\n\n".join(sections) + (
        "\n\nEach run: the problem's study settings (`experiment=study/PROBLEM`) with only `trainer.quasi_newton.method` changed, stopped by `trainer.time_budget_s`."
    )


def main() -> None:
    args = study_arguments(__doc__, PROBLEMS, PROBLEMS, "methods", list(METHODS))
    results = budgeted_study(
        "optimizers", "method", {m: [f"trainer.quasi_newton.method={m}"] for m in args.methods}, PROBLEMS, SEEDS, args
    )
    text = report(results)
    (RESULTS / "optimizers.md").write_text(text + "\n")
    write_section("optimizers", text)


if __name__ == "__main__":
    main()
