"""NS 2d-C with its residuals weighted down near the lid's corners, where its data contradict its
PDE (the lid's u_x = ±4 against v_y = 0 from the side walls: no velocity that meets the boundary
values has u_x + v_y = 0 there, and the momentum residual near them is in the hundreds).

Each residual (both momentum equations and continuity) is multiplied by min(1, d / radius), d the
distance to the nearer lid corner: the equation is the same everywhere else, and the points RAD
draws near a corner (it scores candidates by the same weighted residual) no longer pull the whole
network towards the residuals that cannot vanish there. The weighted problem is a user's problem
file, `benchmarks/corner_weight/ns2d_c_weighted.py`, run with the case's own settings
(conf/experiment/ns2d_c.yaml, which its experiment includes) through ``--config-dir``, as the
tutorial of a problem in a file of one's own does; the case's row in the PINNacle table is the
same command without the weight.

    python benchmarks/ns2d_c_corners.py --data DIR --jobs 2               # every radius, seeds 0–2
    python benchmarks/ns2d_c_corners.py --radii 0.05 --seeds 0 --data DIR  # some (the others keep their runs)
    python benchmarks/ns2d_c_corners.py --collect                          # the table again from the .json

Runs go to outputs/benchmarks/ns2d_c_corners/ns2d_c/RADIUS/seed_S; the metrics to
benchmarks/results/ns2d_c_corners.json, the table to benchmarks/results/ns2d_c_corners.md and
between the ``ns2d-c-corners`` markers of docs/results/pinnacle.md.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from common import REPO, RESULTS, grid_arguments, grid_tables
from pinnacle import CASES, SINGULAR_RADII, data_file, near_points, shown as pinnacle_shown

RADII = ("0.02", "0.05", "0.1")
PROBLEM_DIR = "benchmarks/corner_weight"  # the problem's module, and its configs under conf/
OUT = REPO / "outputs" / "benchmarks" / "ns2d_c_corners"
CASE = CASES["ns2d_c"]


def command(folder: Path | None, radius: str) -> list[str]:
    data = [f"problem.data={data_file(folder, CASE.data)}"] if folder is not None else []
    return ["--config-dir", f"{PROBLEM_DIR}/conf", "problem=ns2d_c_weighted", *data, f"problem.radius={radius}"]


def shown(arguments: list[str], folder: Path | None) -> str:
    """The command a reader types from the repository's root, with DIR for the data folder."""
    return pinnacle_shown(arguments, folder).replace("pinnsolve ", f"PYTHONPATH={PROBLEM_DIR} pinnsolve ", 1)


def row(label: str, runs: list[dict], commit: str) -> str:
    errors = np.array([m["rel_l2"] for m in runs])
    per_unknown = ", ".join(f"{u} {np.mean([m['per_unknown'][u]['rel_l2'] for m in runs]):.1e}" for u in runs[0]["unknowns"])
    near = [[m["near_singular_points"][i] for m in runs] for i in range(len(SINGULAR_RADII))]
    shares = "; ".join(f"{min(100 * r['error_share'] for r in rows):.0f}–{max(100 * r['error_share'] for r in rows):.0f} %"
                       for rows in near)
    elsewhere = "; ".join(", ".join(f"{r['rel_l2_elsewhere']:.1e}" for r in rows) for rows in near)
    below = sum(e < CASE.target for e in errors)
    return (f"| {label} | {errors.mean():.2e} ± {errors.std():.1e} | {', '.join(f'{e:.2e}' for e in errors)} | {below} of {len(runs)} "
            f"| {per_unknown} | {shares} | {elsewhere} | {max(m['train_time_s'] for m in runs):.0f} | {commit} |")


def table(results: dict[str, dict]) -> str:
    case_entry = json.loads((RESULTS / "pinnacle.json").read_text())["ns2d_c"]
    lines = [
        f"| weight's radius | L2RE, mean ± std | per seed (0, 1, 2) | seeds below {CASE.target:.1e} | per unknown (mean) "
        "| share of the squared error on the 2 corner nodes; within 0.01 (16 nodes) "
        "| L2RE over the other nodes, per seed: off the corner nodes; farther than 0.01 | training (s), slowest | commit |",
        "|---|---|---|---|---|---|---|---|---|",
        row("none (the case as it is: the PINNacle table's row)", case_entry["runs"], case_entry["commit"]),
    ]
    variants = results.get("ns2d_c", {})
    lines += [row(radius, variants[radius]["runs"], variants[radius]["commit"]) for radius in RADII if radius in variants]
    commands = [f"- radius {radius}: `{entry['command']}`" for radius, entry in variants.items()]
    machines = sorted({entry["machine"] for entry in variants.values()})
    return "\n".join([
        *lines, "",
        "The commands (seed S, DIR PINNacle's `ref/` folder; run from the repository's root, where the "
        f"problem's module is found through `PYTHONPATH={PROBLEM_DIR}`):", "", *commands, "",
        f"Measured by `python benchmarks/ns2d_c_corners.py` on {'; '.join(machines)}; the first row by "
        f"`python benchmarks/pinnacle.py ns2d_c` (its errors, from one torch thread per run, repeat to the last digit).",
    ])


def with_near_points(key: str, radius: str, entry: dict) -> None:
    for m in entry["runs"]:
        m["near_singular_points"] = near_points(OUT / key / radius / f"seed_{m['seed']}", CASE.singular_points)


def main() -> None:
    args, folder = grid_arguments(__doc__, ["ns2d_c"], ["ns2d_c"], "radii", RADII, ["ns2d_c"])
    # a user's problem file is found from the working directory or PYTHONPATH (the runs start in the repository's root)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / PROBLEM_DIR), os.environ.get("PYTHONPATH")]))
    commands = None if args.collect else {("ns2d_c", radius): command(folder, radius) for radius in args.radii}
    grid_tables("ns2d_c_corners", "ns2d-c-corners", commands, args, OUT, lambda c: shown(c, folder), (["ns2d_c"], RADII), table,
                with_near_points)


if __name__ == "__main__":
    main()
