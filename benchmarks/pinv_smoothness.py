"""PInv's priors: how the error of the identified (u, a) moves with λ_a, the weight of
inverse.smoothness.a, with a prior on u as well, and with the network's width (PINNacle's PInv
with the corrected source; each row changes only what it names of the case's settings).

    python benchmarks/pinv_smoothness.py --jobs 2
    python benchmarks/pinv_smoothness.py --rows case width_6 --jobs 2   # some rows; the others kept
    python benchmarks/pinv_smoothness.py --collect                      # rewrite the table from the .json

For each row and seed: the final L2RE (the score), u's and a's, and the lowest L2RE of any record
on the way (every trainer.log_every iterations), which shows the drift a prior stops; for the
rows without any prior, where the data loss first fell to σ² (the discrepancy principle's
stopping point). Runs go to outputs/benchmarks/pinv_smoothness/poisson_inv_corrected/ROW/seed_S;
the metrics to benchmarks/results/pinv_smoothness.json, the table to
benchmarks/results/pinv_smoothness.md and the pinv-smoothness section of docs/results/pinnacle.md.
"""
from __future__ import annotations

import statistics
from typing import NamedTuple

from omegaconf import OmegaConf

from common import REPO, grid_arguments, grid_tables
from pinnacle import CASES, arguments, shown
from pinnsolve.report.files import read_history


class Row(NamedTuple):
    width: int
    a: str             # λ on a
    u: str             # λ on u
    per_unknown: bool = False


# by output folder. The λ_a study at width 16 without a prior on u came first (λ_a = 3e-3 was
# chosen there); then what takes out the noise left in u: less of the network, a prior on u, or both
ROWS = {
    **{f"width_16_a_{lam}": Row(16, lam, "0") for lam in ("0", "1e-4", "1e-3", "3e-3", "5e-3", "1e-2")},
    "width_16_per_unknown": Row(16, "3e-3", "0", per_unknown=True),
    "width_16_u_1e-4": Row(16, "3e-3", "1e-4"),
    "width_16_u_1e-3": Row(16, "3e-3", "1e-3"),
    "width_10": Row(10, "3e-3", "0"),
    "width_6": Row(6, "3e-3", "0"),
    "case": Row(6, "3e-3", "3e-4"),
}
CASE = "poisson_inv_corrected"
NOISE = 0.1  # conf/problem/poisson_inv.yaml: the measurements' σ
OUT = REPO / "outputs" / "benchmarks" / "pinv_smoothness"


def overrides(row: Row) -> list[str]:
    """What the row changes of the case's settings (conf/experiment/poisson_inv.yaml)."""
    settings = OmegaConf.load(REPO / "conf" / "experiment" / "poisson_inv.yaml")
    changed = [f"network.width={row.width}"] if row.width != settings.network.width else []
    changed += [f"inverse.smoothness.{name}={lam}" for name, lam in (("a", row.a), ("u", row.u))
                if float(lam) != settings.inverse.smoothness.get(name, 0.0)]
    return changed + (["network.per_unknown=true"] if row.per_unknown else [])


def unregularised(row: Row) -> bool:
    return float(row.a) == 0 and float(row.u) == 0


def annotate(case: str, variant: str, entry: dict) -> None:
    """Each run's lowest recorded L2RE and, without priors, its first record with the data loss at σ²."""
    for m in entry["runs"]:
        rows = read_history(OUT / case / variant / f"seed_{m['seed']}" / "history.csv")
        best = min(rows, key=lambda r: r["rel_l2"])
        m["lowest_rel_l2"], m["lowest_at"] = best["rel_l2"], int(best["iteration"])
        if unregularised(ROWS[variant]):
            crossed = next((r for r in rows if r["data"] <= NOISE**2), None)
            m["data_at_noise"] = None if crossed is None else {"iteration": int(crossed["iteration"]), "rel_l2": crossed["rel_l2"]}


def table(results: dict) -> str:
    lines = [
        "| width | λ on a | λ on u | L2RE, mean ± std (final) | per seed | u | a | lowest L2RE on the way, mean (iteration) "
        "| data loss first ≤ σ² (iteration: L2RE) | commit |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    commands = []
    for variant, entry in results.get(CASE, {}).items():
        row, runs = ROWS[variant], entry["runs"]
        finals = [m["rel_l2"] for m in runs]
        std = statistics.pstdev(finals)
        u = statistics.fmean([m["per_unknown"]["u"]["rel_l2"] for m in runs])
        a = statistics.fmean([m["per_unknown"]["a"]["rel_l2"] for m in runs])
        lowest = f"{statistics.fmean([m['lowest_rel_l2'] for m in runs]):.2e} ({', '.join(str(m['lowest_at']) for m in runs)})"
        crossed = ", ".join(
            "never" if m["data_at_noise"] is None else f"{m['data_at_noise']['iteration']}: {m['data_at_noise']['rel_l2']:.1e}"
            for m in runs) if unregularised(row) else "–"
        width = f"{row.width}, a network per unknown" if row.per_unknown else f"{row.width}{' (the case)' if variant == 'case' else ''}"
        lines.append(f"| {width} | {row.a} | {row.u} | {statistics.fmean(finals):.2e} ± {std:.1e} "
                     f"| {', '.join(f'{v:.2e}' for v in finals)} | {u:.1e} | {a:.1e} | {lowest} | {crossed} | {entry['commit']} |")
        commands.append(f"- width {width}, λ on a {row.a}, on u {row.u}: `{entry['command']}`")
    machines = sorted({entry["machine"] for entry in results.get(CASE, {}).values()})
    return "\n".join([
        *lines, "", "The commands (S the seed, 0–2):", "", *commands, "",
        f"Measured by `python benchmarks/pinv_smoothness.py` on {'; '.join(machines)}.",
    ])


def main() -> None:
    args, folder = grid_arguments(__doc__, [CASE], [CASE], "rows", list(ROWS), [])
    commands = None if args.collect else {(CASE, variant): [*arguments(CASES[CASE], folder), *overrides(ROWS[variant])]
                                          for variant in args.rows}
    grid_tables("pinv_smoothness", "pinv-smoothness", commands, args, OUT, lambda c: shown(c, folder),
                ([CASE], list(ROWS)), table, annotate)


if __name__ == "__main__":
    main()
