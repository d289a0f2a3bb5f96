"""The high-accuracy presets: `pinnsolve experiment=high_accuracy/NAME`, seed 0, against their
targets, each stopped after at most 14 minutes of training so that the whole command stays
within 15 minutes on 2 cores.

    python benchmarks/high_accuracy.py                  # every preset, then its docs page's table
    python benchmarks/high_accuracy.py poisson          # one preset (the others keep their rows)
    python benchmarks/high_accuracy.py --collect        # the table and figure from the runs already done

Runs go to outputs/benchmarks/high_accuracy/NAME/seed_0; the table to
benchmarks/results/high_accuracy.{json,md} and the docs page, the curves (rel L2 against training
time) to benchmarks/results/high_accuracy.png.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys

from common import REPO, RESULTS, commit, machine, plot_curves, write_section

TARGETS = {"burgers": 1e-6, "helmholtz": 1e-7, "poisson": 1e-9, "klein_gordon": 1e-8}
BUDGET_S = 840
SEED = 0


def out_dir(problem: str):
    return REPO / "outputs" / "benchmarks" / "high_accuracy" / problem / f"seed_{SEED}"


def run(problem: str) -> None:
    command = [
        "pinnsolve", f"experiment=high_accuracy/{problem}", f"seed={SEED}", f"trainer.time_budget_s={BUDGET_S}",
        "trainer.progress_bar=false", f"hydra.run.dir={out_dir(problem)}",
    ]
    print(" ".join(command), file=sys.stderr)
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL)


def collect(problem: str) -> dict:
    out = out_dir(problem)
    metrics = json.loads((out / "metrics.json").read_text())
    with (out / "history.csv").open() as handle:
        history = [(float(r["elapsed_s"]), float(r["rel_l2"])) for r in csv.DictReader(handle)]
    return {"metrics": metrics, "history": history}


def table(results: dict[str, dict]) -> str:
    lines = [
        "| preset | target | rel L2 | max abs error | training time (s) | iterations Adam + quasi-Newton | stopped because | commit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for problem, entry in results.items():
        m = entry["metrics"]
        ok = "✓" if m["rel_l2"] <= TARGETS[problem] else "✗"
        lines.append(
            f"| `experiment=high_accuracy/{problem}` | ≤ {TARGETS[problem]:.0e} {ok} | {m['rel_l2']:.2e} | {m['max_abs_error']:.2e} "
            f"| {m['train_time_s']:.0f} | {m['iterations_adam']} + {m['iterations_quasi_newton']} | {m.get('stop_reason', m['status'])} "
            f"| {entry['commit']} |"
        )
    machines = sorted({entry["machine"] for entry in results.values()})
    lines += [
        "",
        "![high-accuracy presets](benchmarks/results/high_accuracy.png)",
        "",
        f"Measured by `python benchmarks/high_accuracy.py` (seed {SEED}, at most {BUDGET_S} s of training) on {'; '.join(machines)}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problems", nargs="*", default=list(TARGETS))
    parser.add_argument("--collect", action="store_true", help="only rebuild the table and figure from the run directories")
    args = parser.parse_args()
    if unknown := sorted(set(args.problems) - set(TARGETS)):
        parser.error(f"unknown presets {unknown}; choose from {list(TARGETS)}")
    results_file = RESULTS / "high_accuracy.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    stamp = {"commit": commit(), "machine": machine()}
    for problem in args.problems:
        if not args.collect:
            run(problem)
            results[problem] = stamp
        results[problem] = {**results.get(problem, stamp), **collect(problem)}
    results = {p: results[p] for p in TARGETS if p in results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(results, indent=1) + "\n")
    plot_curves({f"{p} (target {TARGETS[p]:.0e})": [e] for p, e in results.items()}, RESULTS / "high_accuracy.png",
                "high-accuracy presets, seed 0")
    text = table(results)
    (RESULTS / "high_accuracy.md").write_text(text + "\n")
    write_section("high_accuracy", text)


if __name__ == "__main__":
    main()
