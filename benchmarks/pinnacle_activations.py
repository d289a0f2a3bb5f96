"""The seeds' question on PINNacle's cases: do adaptive activations (layer-wise and neuron-wise
slopes, with and without slope recovery) or RAF help under each case's tuned settings? Every
variant runs the case's own command with ``activation=VARIANT`` added, beside ``fixed`` (tanh)
measured in the same invocation, so that the ratios compare runs taken together.

    python benchmarks/pinnacle_activations.py --data DIR --jobs 2                    # Burgers 1d-C and NS 2d-C, seeds 0–2
    python benchmarks/pinnacle_activations.py ns2d_c --seeds 0 --data DIR --jobs 2   # one case, some seeds (the other seeds keep their runs)
    python benchmarks/pinnacle_activations.py --collect                              # the table again from the .json, running nothing

Runs go to outputs/benchmarks/pinnacle_activations/CASE/VARIANT/seed_S; the metrics to
benchmarks/results/pinnacle_activations.json, the table to benchmarks/results/pinnacle_activations.md
and between the ``pinnacle-activations`` markers of docs/results/pinnacle.md.
"""
from __future__ import annotations

import numpy as np

from common import REPO, grid_arguments, grid_tables
from pinnacle import CASES, against, arguments, shown

VARIANTS = ("fixed", "layer_wise", "layer_wise_no_sr", "neuron_wise", "neuron_wise_no_sr", "raf")
DEFAULT_CASES = ("burgers1d_c", "ns2d_c")  # the two cases of the PINNacle-setup question


def errors(runs: list[dict], floor_of: str | None) -> np.ndarray:
    """Each run's L2RE against the solution a floor-bound case is scored on (else the file's)."""
    return against(runs, floor_of)[1] if floor_of else np.array([m["rel_l2"] for m in runs])


def table(results: dict[str, dict]) -> str:
    lines = [
        "| case | activation | L2RE mean ± std | worst seed | fixed ÷ this (mean) | seeds | training (s), mean | wall (s), slowest "
        "| parameters | commit |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, variants in results.items():
        case = CASES[key]
        scored = f"{case.name} (against the {case.floor_of} solution)" if case.floor_of else case.name
        baseline = errors(variants["fixed"]["runs"], case.floor_of).mean() if "fixed" in variants else None
        for variant in VARIANTS:
            if variant not in variants:
                continue
            entry = variants[variant]
            runs = entry["runs"]
            e = errors(runs, case.floor_of)
            ratio = f"{baseline / e.mean():.2g}" if baseline is not None else "–"
            seeds = ", ".join(f"{m['seed']}{'' if m['status'] == 'completed' else ' ' + m['status']}" for m in runs)
            lines.append(
                f"| {scored} | {variant} | {e.mean():.2e} ± {e.std():.1e} | {e.max():.2e} | {ratio} | {seeds} "
                f"| {np.mean([m['train_time_s'] for m in runs]):.0f} | {max(m['process_time_s'] for m in runs):.0f} "
                f"| {runs[0]['parameters']} | {entry['commit']} |"
            )
    commands = [f"- {CASES[key].name}: `{entry['command'].replace(f'activation={variant}', 'activation=VARIANT')}`"
                for key, variants in results.items() for variant, entry in list(variants.items())[:1]]
    machines = sorted({entry["machine"] for variants in results.values() for entry in variants.values()})
    return "\n".join([
        *lines, "",
        "fixed ÷ this above 1: the variant's mean error is below plain tanh's. A seed marked diverged stopped when its loss "
        "grew a million-fold (`trainer.divergence_factor`); its error at that point counts in the mean. The commands (VARIANT one of the rows' "
        "activations, seed S, DIR PINNacle's `ref/` folder; `activation=fixed` is the case's own command):", "", *commands, "",
        f"Measured by `python benchmarks/pinnacle_activations.py` on {'; '.join(machines)}.",
    ])


def main() -> None:
    args, folder = grid_arguments(__doc__, list(CASES), DEFAULT_CASES, "variants", VARIANTS, [k for k, c in CASES.items() if c.data])
    commands = None if args.collect else {(key, variant): [*arguments(CASES[key], folder), f"activation={variant}"]
                                          for key in args.cases for variant in args.variants}
    grid_tables("pinnacle_activations", "pinnacle-activations", commands, args, REPO / "outputs" / "benchmarks" / "pinnacle_activations",
                lambda c: shown(c, folder), (list(CASES), VARIANTS), table)


if __name__ == "__main__":
    main()
