"""The quasi-Newton phase's two options against the defaults (carry the curvature over a
resampling, minimise the loss itself): `trainer.quasi_newton.reset_on_resample=true` (forget H
each time RAD redraws the residual points) and `trainer.quasi_newton.loss_transform=sqrt|log`
(Urbán et al.: minimise sqrt(L) or log L instead of L).

    python benchmarks/quasi_newton_options.py                      # Burgers, 300 s a run, seeds 0-2
    python benchmarks/quasi_newton_options.py --budget 150 --jobs 2
    python benchmarks/quasi_newton_options.py --collect            # tables and figures from the results file

Each run is `pinnsolve experiment=study/burgers OPTION seed=S` (Burgers' study settings: 4x20 tanh, 1000 Adam
iterations, SSBroyden2, 8000 residual points redrawn by RAD every 500 iterations; `reset_on_resample`
only matters where the points are redrawn) stopped after the same training-time budget. Runs go
to outputs/benchmarks/quasi_newton_options/PROBLEM/OPTION/seed_S; the results to
benchmarks/results/quasi_newton_options.json, from which come the table, one figure per problem
and its docs page's section.
"""
from __future__ import annotations

from common import RESULTS, budgeted_study, comparison_report, study_arguments, write_section

PROBLEMS = ["burgers", "poisson", "klein_gordon", "helmholtz", "klein_gordon_cubic"]
OPTIONS = {
    "defaults": [],
    "reset_on_resample": ["trainer.quasi_newton.reset_on_resample=true"],
    "loss_sqrt": ["trainer.quasi_newton.loss_transform=sqrt"],
    "loss_log": ["trainer.quasi_newton.loss_transform=log"],
}
SEEDS = (0, 1, 2)
LEVEL = 1e-5
NAME = "quasi_newton_options"


def main() -> None:
    args = study_arguments(__doc__, PROBLEMS, ["burgers"], "options", list(OPTIONS))
    results = budgeted_study(NAME, "option", {o: OPTIONS[o] for o in args.options}, PROBLEMS, SEEDS, args)
    text = comparison_report(NAME, "option", list(OPTIONS), "defaults", LEVEL, "SSBroyden2", results)
    (RESULTS / f"{NAME}.md").write_text(text + "\n")
    write_section(NAME, text)


if __name__ == "__main__":
    main()
