"""NS 2d-C with its residuals tapered near the lid's corners, radius by radius, against the case
without. At those corners the case's data contradict its PDE (the lid's u_x = ±4 against v_y = 0
from the side walls: no velocity that meets the boundary values has u_x + v_y = 0 there, and the
momentum residual near them is in the hundreds).

``trainer.residual_taper`` multiplies each residual (both momentum equations and continuity) by
min(1, d / radius), d the distance to the nearer lid corner: the equation is the same everywhere
else, and the points RAD draws near a corner (it scores candidates by the same tapered residual)
no longer pull the whole network towards the residuals that cannot vanish there. Every variant
is the case's own command with the taper set explicitly (``none``: no points), measured in the
same invocation, so that the rows compare runs on one machine.

    python benchmarks/ns2d_c_corners.py --data DIR --jobs 2               # every variant, seeds 0–2
    python benchmarks/ns2d_c_corners.py --radii 0.05 --seeds 0 --data DIR  # some (the others keep their runs)
    python benchmarks/ns2d_c_corners.py --collect                          # the table again from the .json

Runs go to outputs/benchmarks/ns2d_c_corners/ns2d_c/VARIANT/seed_S; the metrics to
benchmarks/results/ns2d_c_corners.json, the table to benchmarks/results/ns2d_c_corners.md and
between the ``ns2d-c-corners`` markers of docs/results/pinnacle.md.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from common import REPO, grid_arguments, grid_tables
from pinnacle import CASES, SINGULAR_RADII, data_file, near_points, shown

RADII = ("none", "0.02")
CORNERS = "trainer.residual_taper.points=[[0,1],[1,1]]"
NO_TAPER = "trainer.residual_taper.points=[]"
OUT = REPO / "outputs" / "benchmarks" / "ns2d_c_corners"
CASE = CASES["ns2d_c"]


def command(folder: Path | None, radius: str) -> list[str]:
    data = [f"problem.data={data_file(folder, CASE.data)}"] if folder is not None else []
    taper = [NO_TAPER] if radius == "none" else [CORNERS, f"trainer.residual_taper.radius={radius}"]
    return ["problem=ns2d_c", *data, *taper]


def quoted(command: str) -> str:
    """The command as a shell takes it: the lists quoted."""
    return command.replace(NO_TAPER, f"'{NO_TAPER}'").replace(CORNERS, f"'{CORNERS}'")


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
    variants = results.get("ns2d_c", {})
    commands = [f"- {'no taper' if radius == 'none' else 'radius ' + radius}: `{entry['command']}`" for radius, entry in variants.items()]
    machines = sorted({entry["machine"] for entry in variants.values()})
    return "\n".join([
        f"| taper's radius | L2RE, mean ± std | per seed (0, 1, 2) | seeds below {CASE.target:.1e} | per unknown (mean) "
        "| share of the squared error on the 2 corner nodes; within 0.01 (16 nodes) "
        "| L2RE over the other nodes, per seed: off the corner nodes; farther than 0.01 | training (s), slowest | commit |",
        "|---|---|---|---|---|---|---|---|---|",
        *(row(radius, variants[radius]["runs"], variants[radius]["commit"]) for radius in RADII if radius in variants), "",
        "The commands (seed S, DIR PINNacle's `ref/` folder):", "", *commands, "",
        f"Measured by `python benchmarks/ns2d_c_corners.py` on {'; '.join(machines)}.",
    ])


def with_near_points(key: str, radius: str, entry: dict) -> None:
    for m in entry["runs"]:
        m["near_singular_points"] = near_points(OUT / key / radius / f"seed_{m['seed']}", CASE.singular_points)


def main() -> None:
    args, folder = grid_arguments(__doc__, ["ns2d_c"], ["ns2d_c"], "radii", RADII, ["ns2d_c"])
    commands = None if args.collect else {("ns2d_c", radius): command(folder, radius) for radius in args.radii}
    grid_tables("ns2d_c_corners", "ns2d-c-corners", commands, args, OUT, lambda c: quoted(shown(c, folder)), (["ns2d_c"], RADII), table,
                with_near_points)


if __name__ == "__main__":
    main()
