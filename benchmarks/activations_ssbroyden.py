"""The seeds' question under a modern optimizer: with the defaults' SSBroyden phase, do adaptive
slopes (global, layer-wise, neuron-wise; with and without slope recovery) and RAF still beat a
fixed tanh on Burgers and Helmholtz, in final error and in time to 1e-4?

    python benchmarks/activations_ssbroyden.py                         # both problems, 300 s a run
    python benchmarks/activations_ssbroyden.py helmholtz --budget 120 --jobs 2
    python benchmarks/activations_ssbroyden.py --collect               # tables and figures from the results file

Each run is `pinnsolve problem=NAME activation=A seed=S` (the problem's defaults: network, points,
1000 Adam iterations, SSBroyden2, resampling) stopped after the same training-time budget,
seeds 0–2. Runs go to outputs/benchmarks/activations_ssbroyden/PROBLEM/A/seed_S; the problems
run replace theirs in benchmarks/results/activations_ssbroyden.json, from which come the
tables, one figure per problem and README.md's section.
"""
from __future__ import annotations

import argparse

import numpy as np

from common import RESULTS, budgeted_study, plot_curves, time_to_cell, write_readme_section

PROBLEMS = ["burgers", "helmholtz"]
ACTIVATIONS = [
    "fixed", "global", "global_no_sr", "layer_wise", "layer_wise_no_sr", "neuron_wise", "neuron_wise_no_sr", "raf",
]
SEEDS = (0, 1, 2)
LEVEL = 1e-4
NAME = "activations_ssbroyden"


def table(problem: str, entry: dict) -> str:
    runs = entry["runs"]
    fixed = np.array([r["metrics"]["rel_l2"] for r in runs if r["activation"] == "fixed"])
    lines = [
        f"**{problem}** ({entry['budget_s']:g} s of training per run, seeds {', '.join(map(str, SEEDS))})",
        "",
        f"| activation | rel L2, geometric mean | worst seed | ÷ fixed (geometric means) | time to {LEVEL:.0e} (s), mean | quasi-Newton iterations, mean |",
        "|---|---|---|---|---|---|",
    ]
    for activation in ACTIVATIONS:
        mine = [r for r in runs if r["activation"] == activation]
        if not mine:
            continue
        errors = np.array([r["metrics"]["rel_l2"] for r in mine])
        geomean = float(np.exp(np.log(errors).mean()))
        ratio = f"{geomean / float(np.exp(np.log(fixed).mean())):.2f}" if len(fixed) else "–"
        iterations = np.mean([r["metrics"]["iterations_quasi_newton"] for r in mine])
        lines.append(
            f"| `{activation}` | {geomean:.2e} | {errors.max():.2e} | {ratio} | {time_to_cell(mine, LEVEL)} | {iterations:.0f} |"
        )
    return "\n".join(lines)


def report(results: dict[str, dict]) -> str:
    sections = []
    for problem, entry in results.items():
        groups = {a: [r for r in entry["runs"] if r["activation"] == a] for a in ACTIVATIONS}
        plot_curves(groups, RESULTS / f"{NAME}_{problem}.png", f"{problem}, SSBroyden2: mean of log rel L2 over seeds, min–max band")
        sections.append(
            f"{table(problem, entry)}\n\n![{problem}](benchmarks/results/{NAME}_{problem}.png)\n\n"
            f"Measured by `{entry['command']}` on {entry['machine']}, commit {entry['commit']}, {entry['per_run']}."
        )
    return "\n\n".join(sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problems", nargs="*", default=PROBLEMS)
    parser.add_argument("--activations", nargs="*", default=ACTIVATIONS)
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds per run")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time; each gets cores/jobs threads")
    parser.add_argument("--device", default="auto", help="pinnsolve's device= for every run (auto, cpu, cuda)")
    parser.add_argument("--collect", action="store_true", help="only rewrite the tables and figures from the results file")
    args = parser.parse_args()
    for name, given, allowed in (("problems", args.problems, PROBLEMS), ("activations", args.activations, ACTIVATIONS)):
        if unknown := sorted(set(given) - set(allowed)):
            parser.error(f"unknown {name} {unknown}; choose from {allowed}")
    results = budgeted_study(NAME, "activation", "activation", args.activations, PROBLEMS, SEEDS, args)
    text = report(results)
    (RESULTS / f"{NAME}.md").write_text(text + "\n")
    write_readme_section(NAME, text)


if __name__ == "__main__":
    main()
