"""PINNacle's own setup, run by pinnsolve, beside PINNacle's published numbers: PINN, LAAF and
GAAF on Burgers 1d-C and NS 2d-C (conf/experiment/pinnacle/setup.yaml: 5 × 100 tanh, Adam lr 1e-3
for 20,000 iterations, float32, points drawn once).

    python benchmarks/pinnacle_setup.py --data DIR --jobs 2                          # the reproduction: 30 runs
    python benchmarks/pinnacle_setup.py --data DIR --iterations 200 --seeds 0       # a timing probe
    python benchmarks/pinnacle_setup.py --collect

PINNacle's LAAF is a slope per neuron and its GAAF a slope per layer, both with n = 10 and no slope
recovery: pinnsolve's ``neuron_wise_no_sr`` and ``layer_wise_no_sr``, on one hidden layer fewer as
in the code that made PINNacle's table. ``LAAF`` and ``GAAF`` start every n·a at 1 (the
adaptive-activation papers' choice) on Glorot-normal weights, as PINN's; ``LAAF_pinnacle_init`` and
``GAAF_pinnacle_init`` start as PINNacle's code does: the slopes drawn at random
(``activation.init=pinnacle``: Xavier-uniform with gain 1.4, so n·a starts anywhere in ±3.4 for
LAAF and ±15 for GAAF) on nn.Linear's own weights (``network.init=torch_default``).

A run of fewer than 20,000 iterations is a timing probe: its row gives the seconds per iteration
and what the 20,000 would take on the machine, not an error to compare.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from common import REPO, grid_arguments, grid_tables
from pinnacle import CASES, SEEDS, against, data_file, shown

SETUP_ITERATIONS = 20_000
PINNACLE_INIT = ("activation.init=pinnacle", "network.init=torch_default")
METHODS = {
    "PINN": (),
    "LAAF": ("activation=neuron_wise_no_sr", "network.depth=4"),
    "GAAF": ("activation=layer_wise_no_sr", "network.depth=4"),
    "LAAF_pinnacle_init": ("activation=neuron_wise_no_sr", "network.depth=4", *PINNACLE_INIT),
    "GAAF_pinnacle_init": ("activation=layer_wise_no_sr", "network.depth=4", *PINNACLE_INIT),
}
SETUP_CASES = ("burgers1d_c", "ns2d_c")


def command(key: str, method: str, folder: Path | None, iterations: int) -> list[str]:
    case = CASES[key]
    data = [f"problem.data={data_file(folder, case.data)}"] if folder is not None else []
    shorter = [f"trainer.adam.iterations={iterations}"] if iterations != SETUP_ITERATIONS else []
    return [f"problem={case.problem}", *data, "experiment=pinnacle/setup", *METHODS[method], *shorter]


def published(key: str, method: str) -> float:
    p = CASES[key].published
    return {"PINN": p.pinn, "LAAF": p.laaf, "GAAF": p.gaaf}[method.removesuffix("_pinnacle_init")]


def mean_and_std(errors: np.ndarray) -> str:
    return f"{errors.mean():.2e} ± {errors.std():.1e}" if len(errors) > 1 else f"{errors[0]:.2e} (one seed)"


def rates(runs: list[dict]) -> str:
    """Seconds per Adam iteration, the mean over each machine's runs (a GPU's apart from a CPU's)."""
    by_machine: dict[str, list[float]] = {}
    for m in runs:
        by_machine.setdefault(m.get("machine", ""), []).append(m["train_time_s"] / m["iterations_adam"])
    return "; ".join(f"{np.mean(r):.4f} ({'GPU' if 'GPU' in name else 'CPU'})" for name, r in by_machine.items())


def table(results: dict[str, dict]) -> str:
    lines = [
        "| case | method | pinnsolve L2RE, mean ± std | seeds | PINNacle's | ours ÷ theirs | against the exact solution "
        "| iterations | s per iteration | commit |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    missing: dict[str, dict[str, str]] = {}
    for key, methods in results.items():
        for method, entry in methods.items():
            runs = entry["runs"]
            iterations = runs[0]["iterations_adam"]
            errors = np.array([m["rel_l2"] for m in runs])
            theirs = published(key, method)
            full = iterations == SETUP_ITERATIONS
            # where the file is measurably far from an exact solution (Burgers 1d-C), the score against
            # the file cannot fall below that distance; the exact solution tells the methods apart
            exact = "–"
            if full and (floor_of := CASES[key].floor_of):
                floor, other = against(runs, floor_of)
                exact = f"{other.mean():.2e} (the file: {floor:.2e})"
            lines.append(
                f"| {CASES[key].name} | {method} | {mean_and_std(errors) if full else 'probe only'} "
                f"| {', '.join(str(m['seed']) for m in runs)} | {theirs:.2e} | {f'{errors.mean() / theirs:.2f}' if full else '–'} "
                f"| {exact} | {iterations} | {rates(runs)} | {entry['commit']} |"
            )
            if left := sorted(set(SEEDS) - {m["seed"] for m in runs if full}):
                missing.setdefault(CASES[key].name, {})[method] = ", ".join(map(str, left))
    if missing:
        said = []
        for name, by_method in missing.items():
            left = set(by_method.values())
            if len(by_method) == len(METHODS) and len(left) == 1:
                said.append(f"{name}, every method: seeds {left.pop()}")
            else:
                said.append(f"{name}: " + "; ".join(f"{method} seeds {seeds}" for method, seeds in by_method.items()))
        lines += ["", f"Not run yet for the full {SETUP_ITERATIONS:,} iterations: {'; '.join(said)}."]
    commands = [f"- {CASES[key].name} {method}: `{entry['command']}`" for key, methods in results.items()
                for method, entry in methods.items()]
    machines = sorted({m.get("machine", entry["machine"]) for methods in results.values() for entry in methods.values()
                       for m in entry["runs"]})
    return "\n".join([
        *lines, "", "The commands (DIR: PINNacle's `ref/` folder):", "", *commands, "",
        f"Measured by `python benchmarks/pinnacle_setup.py` on {'; '.join(machines)}: each run's commit and machine are "
        f"in `benchmarks/results/pinnacle_setup.json`. A row of fewer than {SETUP_ITERATIONS:,} iterations is a timing "
        "probe (its error is not the setup's).",
    ])


def main() -> None:
    def iterations(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--iterations", type=int, default=SETUP_ITERATIONS, help="Adam iterations (fewer: a timing probe)")

    args, folder = grid_arguments(__doc__, list(SETUP_CASES), list(SETUP_CASES), "methods", list(METHODS), list(SETUP_CASES), iterations)
    commands = None if args.collect else {(key, method): command(key, method, folder, args.iterations)
                                          for key in args.cases for method in args.methods}
    grid_tables("pinnacle_setup", "pinnacle-setup", commands, args, REPO / "outputs" / "benchmarks" / "pinnacle_setup",
                lambda c: shown(c, folder), (SETUP_CASES, list(METHODS)), table)


if __name__ == "__main__":
    main()
