"""Run `pinnsolve problem=NAME` with no other override for each problem; write the results table.

    python benchmarks/defaults.py                 # all four problems, then README.md's table
    python benchmarks/defaults.py poisson helmholtz

Each run goes to outputs/benchmarks/defaults/NAME. The table (problem, rel L2, wall time,
command) is written to benchmarks/results/defaults.md and between the markers in README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import torch

from common import REPO, machine, write_readme_section

PROBLEMS = ["burgers", "poisson", "klein_gordon", "helmholtz"]
TARGETS = {"burgers": 1e-3, "poisson": 1e-4, "klein_gordon": 1e-3, "helmholtz": 1e-3}


def run(problem: str, out: Path) -> dict:
    command = ["pinnsolve", f"problem={problem}", "trainer.progress_bar=false", f"hydra.run.dir={out}"]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    metrics = json.loads((out / "metrics.json").read_text())
    metrics["process_time_s"] = time.perf_counter() - start  # includes Python, torch and Hydra start-up
    metrics["threads"] = int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads()))
    return metrics


def table(results: dict[str, dict]) -> str:
    lines = [
        "| problem | rel L2 | target | max abs error | training time (s) | wall time (s) | threads | iterations Adam + L-BFGS | command |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for problem, m in results.items():
        ok = "✓" if m["rel_l2"] <= TARGETS[problem] else "✗"
        lines.append(
            f"| {problem} | {m['rel_l2']:.2e} | ≤ {TARGETS[problem]:.0e} {ok} | {m['max_abs_error']:.2e} "
            f"| {m['train_time_s']:.0f} | {m['process_time_s']:.0f} | {m['threads']} | {m['iterations_adam']} + {m['iterations_lbfgs']} "
            f"| `pinnsolve problem={problem}` |"
        )
    lines.append("")
    lines.append(
        f"Measured by `python benchmarks/defaults.py` on {machine().split(', torch')[0]}, torch {torch.__version__}; "
        "threads: the run's torch threads (`OMP_NUM_THREADS`). Wall time is the whole command, start-up included."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problems", nargs="*", default=PROBLEMS, help=f"any of {PROBLEMS}")
    args = parser.parse_args()
    unknown = sorted(set(args.problems) - set(PROBLEMS))
    if unknown:
        parser.error(f"unknown problems {unknown}; choose from {PROBLEMS}")
    results_file = REPO / "benchmarks" / "results" / "defaults.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    for problem in args.problems:
        results[problem] = run(problem, REPO / "outputs" / "benchmarks" / "defaults" / problem)
        print(f"{problem}: rel L2 {results[problem]['rel_l2']:.3e} in {results[problem]['process_time_s']:.0f} s", file=sys.stderr)
    results = {p: results[p] for p in PROBLEMS if p in results}
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(results, indent=2) + "\n")
    text = table(results)
    (REPO / "benchmarks" / "results" / "defaults.md").write_text(text + "\n")
    write_readme_section("defaults", text)


if __name__ == "__main__":
    main()
