"""The seeds' question under a modern optimizer: with the defaults' SSBroyden phase, do adaptive
slopes (global, layer-wise, neuron-wise; with and without slope recovery) and RAF still beat a
fixed tanh on Burgers and Helmholtz, in final error and in time to 1e-4?

    python benchmarks/activations_ssbroyden.py                         # both problems, 300 s a run
    python benchmarks/activations_ssbroyden.py helmholtz --budget 120 --jobs 2
    python benchmarks/activations_ssbroyden.py --collect               # tables and figures from the results file

Each run is `pinnsolve experiment=study/NAME activation=A seed=S` (the problem's study settings: network, points,
1000 Adam iterations, SSBroyden2, resampling) stopped after the same training-time budget,
seeds 0–2. Runs go to outputs/benchmarks/activations_ssbroyden/PROBLEM/A/seed_S; the problems
run replace theirs in benchmarks/results/activations_ssbroyden.json, from which come the
tables, one figure per problem and its docs page's section.
"""
from __future__ import annotations

from common import RESULTS, budgeted_study, comparison_report, study_arguments, write_section

PROBLEMS = ["burgers", "helmholtz"]
ACTIVATIONS = [
    "fixed", "global", "global_sr", "layer_wise", "layer_wise_no_sr", "neuron_wise", "neuron_wise_no_sr", "raf",
]
SEEDS = (0, 1, 2)
LEVEL = 1e-4
NAME = "activations_ssbroyden"


def main() -> None:
    args = study_arguments(__doc__, PROBLEMS, PROBLEMS, "activations", ACTIVATIONS)
    results = budgeted_study(NAME, "activation", {a: [f"activation={a}"] for a in args.activations}, PROBLEMS, SEEDS, args)
    text = comparison_report(NAME, "activation", ACTIVATIONS, "fixed", LEVEL, "SSBroyden2", results)
    (RESULTS / f"{NAME}.md").write_text(text + "\n")
    write_section(NAME, text)


if __name__ == "__main__":
    main()
