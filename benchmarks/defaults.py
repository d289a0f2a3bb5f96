"""Run `pinnsolve problem=NAME seed=S` with no other override, for each problem and seeds 0, 1, 2;
write the results table.

    python benchmarks/defaults.py                      # every problem, then its docs page's table
    python benchmarks/defaults.py poisson helmholtz    # some problems (the others keep their rows)
    python benchmarks/defaults.py --jobs 2             # two runs at a time, one thread each
    python benchmarks/defaults.py --collect --jobs 2   # the tables again from defaults.json, running nothing

Each run goes to outputs/benchmarks/defaults/NAME/seed_S. The table (mean and worst rel L2 over
the seeds against the target, the slowest run's time, the commit measured) goes to
benchmarks/results/defaults.md and between the markers in its docs page, a few rows of it to the
README's headline table, and the plots of Burgers' seed-0 run (the getting-started page shows
them) to benchmarks/results/defaults_burgers_*.png.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from common import REPO, command_run, commit, machine, spread, threads_per_job, write_section

TARGETS = {
    "burgers": 5e-6, "poisson": 1e-10, "klein_gordon": 1e-8, "helmholtz": 1e-6, "klein_gordon_cubic": 1e-4, "sine_gordon": 1e-6,
    "low_regularity": 3e-3, "oscillatory": 1e-6,
}
PROBLEMS = list(TARGETS)
HEADLINE = ("burgers", "poisson", "helmholtz", "klein_gordon")  # the README's rows
SHOWN_RUN = ("burgers", 0)  # whose plots the getting-started page shows
PLOTS = ("solution", "slices", "loss", "error")
SEEDS = (0, 1, 2)
TIME_LIMIT_S = 300


def run(problem: str, seed: int, out: Path, threads: int | None) -> dict:
    return command_run([f"problem={problem}", f"seed={seed}"], out, threads)


def table(results: dict[str, dict], jobs: int) -> str:
    lines = [
        "| problem | target | rel L2, mean over seeds 0–2 | worst seed | max abs error (worst) | time to 1e-3 / 1e-5 (s), slowest | training time (s), slowest | wall time (s), slowest | iterations Adam + quasi-Newton | command |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for problem, entry in results.items():
        runs = entry["runs"]
        errors = [m["rel_l2"] for m in runs]
        worst = max(errors)
        ok = "✓" if worst <= TARGETS[problem] and max(m["process_time_s"] for m in runs) <= TIME_LIMIT_S else "✗"
        m0 = runs[0]
        lines.append(
            f"| {problem} | ≤ {TARGETS[problem]:.0e} in {TIME_LIMIT_S} s {ok} | {np.mean(errors):.2e} | {worst:.2e} "
            f"| {max(m['max_abs_error'] for m in runs):.2e} | {time_to(runs, '1e-03')} / {time_to(runs, '1e-05')} "
            f"| {max(m['train_time_s'] for m in runs):.0f} "
            f"| {max(m['process_time_s'] for m in runs):.0f} | {spread(runs, 'iterations_adam')} + {spread(runs, 'iterations_quasi_newton')} "
            f"({m0['methods']['quasi_newton']}) | `pinnsolve problem={problem} seed=S` |"
        )
    commits = sorted({entry["commit"] for entry in results.values()})
    threads = sorted({m["threads"] for entry in results.values() for m in entry["runs"]})
    lines.append("")
    lines.append(
        f"Measured by `python benchmarks/defaults.py{' --jobs ' + str(jobs) if jobs > 1 else ''}` on "
        f"{machine().split(', torch')[0]}, torch {torch.__version__}, commit {', '.join(commits)}; "
        f"{'/'.join(map(str, threads))} torch thread(s) per run"
        f"{f', {jobs} runs at a time' if jobs > 1 else ''}. Wall time is the whole command, start-up included; the time to an "
        f"error counts from the command's start too (start-up, then training until a record first shows it); ✓ means every "
        f"seed met the target within the time."
    )
    return "\n".join(lines)


def time_to(runs: list[dict], threshold: str) -> str:
    """The slowest seed's seconds from the command's start to rel L2 ``threshold``; "not reached"
    if a seed never got there, "–" for runs measured before their start-up was."""
    if any("startup_s" not in m for m in runs):
        return "–"
    reached = [m["time_to_rel_l2"][threshold] for m in runs]
    if None in reached:
        return "not reached"
    return f"{max(m['startup_s'] + t for m, t in zip(runs, reached)):.0f}"


def headline(results: dict[str, dict]) -> str:
    lines = ["| problem | rel L2, mean over seeds 0–2 | worst seed | target | wall time (s), slowest |", "|---|---|---|---|---|"]
    for problem in HEADLINE:
        runs = results[problem]["runs"]
        errors = [m["rel_l2"] for m in runs]
        lines.append(f"| {problem} | {np.mean(errors):.1e} | {max(errors):.1e} | ≤ {TARGETS[problem]:.0e} "
                     f"| {max(m['process_time_s'] for m in runs):.0f} |")
    commits = sorted({results[p]["commit"] for p in HEADLINE})
    lines += ["", f"Measured by `python benchmarks/defaults.py` at commit {', '.join(commits)} (2 cores; the full table says how)."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problems", nargs="*", default=PROBLEMS, help=f"any of {PROBLEMS}")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time; each gets cores/jobs threads")
    parser.add_argument("--collect", action="store_true", help="write the tables from benchmarks/results/defaults.json, running nothing")
    args = parser.parse_args()
    unknown = sorted(set(args.problems) - set(PROBLEMS))
    if unknown:
        parser.error(f"unknown problems {unknown}; choose from {PROBLEMS}")
    measured, threads = commit(), threads_per_job(args.jobs)
    results_file = REPO / "benchmarks" / "results" / "defaults.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    results = {p: r for p, r in results.items() if isinstance(r, dict) and "runs" in r}  # older layouts are dropped
    if args.collect:
        write_tables(results, args.jobs)
        return
    tasks = [(p, s) for p in args.problems for s in SEEDS]
    out = REPO / "outputs" / "benchmarks" / "defaults"
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        finished = list(pool.map(lambda task: run(*task, out / task[0] / f"seed_{task[1]}", threads), tasks))
    for (problem, seed), metrics in zip(tasks, finished):
        print(f"{problem} seed {seed}: rel L2 {metrics['rel_l2']:.3e} in {metrics['process_time_s']:.0f} s", file=sys.stderr)
    for problem in args.problems:
        results[problem] = {"commit": measured, "runs": [m for (p, _), m in zip(tasks, finished) if p == problem]}
    results = {p: results[p] for p in PROBLEMS if p in results}
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(results, indent=2) + "\n")
    problem, seed = SHOWN_RUN
    if problem in args.problems:
        for plot in PLOTS:
            shutil.copyfile(out / problem / f"seed_{seed}" / f"{plot}.png", results_file.parent / f"defaults_{problem}_{plot}.png")
    write_tables(results, args.jobs)


def write_tables(results: dict[str, dict], jobs: int) -> None:
    text = table(results, jobs)
    (REPO / "benchmarks" / "results" / "defaults.md").write_text(text + "\n")
    write_section("defaults", text)
    write_section("headline", headline(results))


if __name__ == "__main__":
    main()
