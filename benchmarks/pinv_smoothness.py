"""PInv's smoothness prior: how the error of the identified (u, a) moves with λ, the weight of
inverse.smoothness.a (PINNacle's PInv with the corrected source, the case's settings otherwise).

    python benchmarks/pinv_smoothness.py --jobs 2
    python benchmarks/pinv_smoothness.py --rows 3e-3_width_6_u_3e-4 --jobs 2   # one row; the others kept
    python benchmarks/pinv_smoothness.py --collect      # rewrite the table from the .json

For each λ, and for the case's λ with a narrower network, a network per unknown, a prior on u
as well, or both, and each seed: the final L2RE (the score), u's and a's, and the lowest L2RE of any record
on the way (every trainer.log_every iterations), which shows the drift the prior stops; for
λ = 0, where the data loss first fell to σ² (the discrepancy principle's stopping point). Writes
benchmarks/results/pinv_smoothness.{json,md} and the pinv-smoothness section of
docs/results/pinnacle.md.
"""
from __future__ import annotations

import argparse
import json
import statistics

from common import REPO, RESULTS, command_grid, write_section
from pinnsolve.report.files import read_history

LAMBDAS = ("0", "1e-4", "1e-3", "3e-3", "5e-3", "1e-2")
# the case's λ with less of the network, a network per unknown, or a prior on u too: does u's
# share of the error shrink?
# by output folder: the table's label and the overrides added to λ = 3e-3
BESIDE_THE_CASES_LAMBDA = {
    "3e-3_width_10": ("3e-3, width 10", ["network.width=10"]),
    "3e-3_per_unknown": ("3e-3, a network per unknown", ["network.per_unknown=true"]),
    "3e-3_u_1e-4": ("3e-3, and 1e-4 on u", ["+inverse.smoothness.u=1e-4"]),
    "3e-3_u_1e-3": ("3e-3, and 1e-3 on u", ["+inverse.smoothness.u=1e-3"]),
    "3e-3_width_6_u_3e-4": ("3e-3, width 6, and 3e-4 on u", ["network.width=6", "+inverse.smoothness.u=3e-4"]),
}
CASE = ["problem=poisson_inv", "problem.corrected_source=true"]
CASE_COMMAND = "pinnsolve " + " ".join(CASE)
NOISE = 0.1  # conf/problem/poisson_inv.yaml: the measurements' σ
OUT = REPO / "outputs" / "benchmarks" / "pinv_smoothness"


def annotate(entry: dict, variant: str) -> None:
    """Each run's lowest recorded L2RE and, for λ = 0, its first record with the data loss at σ²."""
    for m in entry["runs"]:
        rows = read_history(OUT / "pinv" / variant / f"seed_{m['seed']}" / "history.csv")
        best = min(rows, key=lambda r: r["rel_l2"])
        m["lowest_rel_l2"], m["lowest_at"] = best["rel_l2"], int(best["iteration"])
        crossed = next((r for r in rows if r["data"] <= NOISE**2), None)
        m["data_at_noise"] = None if crossed is None else {"iteration": int(crossed["iteration"]), "rel_l2": crossed["rel_l2"]}


def table(results: dict) -> str:
    lines = [
        "| λ (and network) | L2RE, mean ± std (final) | per seed | u | a | lowest L2RE on the way, mean (iteration) | data loss first ≤ σ² (iteration: L2RE) |",
        "|---|---|---|---|---|---|---|",
    ]
    for variant, entry in results.items():
        runs = entry["runs"]
        finals = [m["rel_l2"] for m in runs]
        std = statistics.stdev(finals) if len(finals) > 1 else 0.0
        per_seed = ", ".join(f"{v:.2e}" for v in finals)
        u = statistics.fmean([m["per_unknown"]["u"]["rel_l2"] for m in runs])
        a = statistics.fmean([m["per_unknown"]["a"]["rel_l2"] for m in runs])
        lowest = f"{statistics.fmean([m['lowest_rel_l2'] for m in runs]):.2e} ({', '.join(str(m['lowest_at']) for m in runs)})"
        crossed = "–" if variant != "0" else ", ".join(
            "never" if m["data_at_noise"] is None else f"{m['data_at_noise']['iteration']}: {m['data_at_noise']['rel_l2']:.1e}"
            for m in runs)
        lines.append(f"| {entry['label']} | {statistics.fmean(finals):.2e} ± {std:.1e} | {per_seed} | {u:.1e} | {a:.1e} | {lowest} | {crossed} |")
    first = next(iter(results.values()))
    seeds = ", ".join(str(m["seed"]) for m in first["runs"])
    lines += [
        "",
        f"The commands: `{CASE_COMMAND} inverse.smoothness.a=λ seed=S`, S = {seeds}, and with λ = 3e-3 "
        + " or ".join(f"`{' '.join(more)}`" for _, more in BESIDE_THE_CASES_LAMBDA.values()) + " added. "
        f"Measured by `python benchmarks/pinv_smoothness.py` at commit "
        f"{', '.join(dict.fromkeys(entry['commit'] for entry in results.values()))} on {first['machine']}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time; each gets cores/jobs threads")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--collect", action="store_true", help="write the table from benchmarks/results/pinv_smoothness.json")
    rows = [*LAMBDAS, *BESIDE_THE_CASES_LAMBDA]
    parser.add_argument("--rows", nargs="+", choices=rows, default=rows, help="run only these rows; the others keep what the results file has")
    args = parser.parse_args()
    results_file = RESULTS / "pinv_smoothness.json"
    if not args.collect:
        commands = {("pinv", lam): [*CASE, f"inverse.smoothness.a={lam}"] for lam in LAMBDAS}
        commands.update({("pinv", name): [*CASE, "inverse.smoothness.a=3e-3", *more] for name, (_, more) in BESIDE_THE_CASES_LAMBDA.items()})
        commands = {key: command for key, command in commands.items() if key[1] in args.rows}
        measured = command_grid(commands, args.seeds, OUT, args.jobs, lambda c: "pinnsolve " + " ".join(c))
        kept = json.loads(results_file.read_text()) if results_file.exists() and set(args.rows) != set(rows) else {}
        for (_, lam), entry in measured.items():
            annotate(entry, lam)
            kept[lam] = {"label": BESIDE_THE_CASES_LAMBDA.get(lam, (lam,))[0], **entry}
        results = {row: kept[row] for row in rows if row in kept}
        results_file.write_text(json.dumps(results, indent=1) + "\n")
    results = json.loads(results_file.read_text())
    text = table(results)
    (RESULTS / "pinv_smoothness.md").write_text(text + "\n")
    write_section("pinv-smoothness", text)


if __name__ == "__main__":
    main()
