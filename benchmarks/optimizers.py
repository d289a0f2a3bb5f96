"""Every quasi-Newton method on every problem: the problem's defaults (network, points, Adam
phase, resampling) with only `trainer.quasi_newton.method` changed, the same training-time budget
for each run, seeds 0–2.

    python benchmarks/optimizers.py                              # all problems and methods, 300 s a run
    python benchmarks/optimizers.py burgers --budget 90 --jobs 2 # shorter, two runs at a time

Runs go to outputs/benchmarks/optimizers/PROBLEM/METHOD/seed_S. Writes
benchmarks/results/optimizers.{json,md}, one figure per problem (rel L2 against training time,
the mean over seeds of log rel L2 with a min–max band) and README.md's section.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from common import REPO, RESULTS, commit, machine, write_readme_section

from pinnsolve.optim import METHODS

PROBLEMS = ["burgers", "poisson", "klein_gordon", "helmholtz", "klein_gordon_cubic"]
SEEDS = (0, 1, 2)


def run(problem: str, method: str, seed: int, budget: float, threads: int | None) -> dict:
    out = REPO / "outputs" / "benchmarks" / "optimizers" / problem / method / f"seed_{seed}"
    command = [
        "pinnsolve", f"problem={problem}", f"trainer.quasi_newton.method={method}", f"seed={seed}",
        f"trainer.time_budget_s={budget}", "trainer.quasi_newton.iterations=1000000", "trainer.log_every=50",
        "trainer.progress_bar=false", f"hydra.run.dir={out}",
    ]
    env = dict(os.environ, **({"OMP_NUM_THREADS": str(threads)} if threads else {}))
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL, env=env)
    metrics = json.loads((out / "metrics.json").read_text())
    with (out / "history.csv").open() as handle:
        history = [(float(r["elapsed_s"]), float(r["rel_l2"])) for r in csv.DictReader(handle)]
    return {"problem": problem, "method": method, "seed": seed, "metrics": metrics, "history": history}


def first_time_below(history: list[list[float]], level: float) -> float | None:
    return next((t for t, e in history if e <= level), None)


def table(problem: str, runs: list[dict], budget: float) -> str:
    lines = [
        f"**{problem}** ({budget:g} s of training per run, seeds {', '.join(map(str, SEEDS))})",
        "",
        "| method | rel L2, mean ± std | worst seed | time to 1e-3 (s), mean | time to 1e-5 (s), mean | quasi-Newton iterations, mean |",
        "|---|---|---|---|---|---|",
    ]
    for method in METHODS:
        mine = [r for r in runs if r["method"] == method]
        if not mine:
            continue
        errors = np.array([r["metrics"]["rel_l2"] for r in mine])
        cells = []
        for level in (1e-3, 1e-5):
            times = [first_time_below(r["history"], level) for r in mine]
            reached = [t for t in times if t is not None]
            cells.append(f"{np.mean(reached):.0f}" + (f" ({len(reached)}/{len(times)} seeds)" if len(reached) < len(times) else "")
                         if reached else "never")
        iterations = np.mean([r["metrics"]["iterations_quasi_newton"] for r in mine])
        std = errors.std(ddof=1) if len(errors) > 1 else 0.0
        lines.append(f"| `{method}` | {errors.mean():.2e} ± {std:.1e} | {errors.max():.2e} | {cells[0]} | {cells[1]} | {iterations:.0f} |")
    return "\n".join(lines)


def plot(problem: str, runs: list[dict], path: Path) -> None:
    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.subplots()
    for method in METHODS:
        histories = [np.asarray(r["history"]) for r in runs if r["method"] == method]
        if not histories:
            continue
        end = min(h[-1, 0] for h in histories)
        grid = np.linspace(0, end, 200)
        logs = np.array([np.interp(grid, h[:, 0], np.log10(h[:, 1])) for h in histories])
        (line,) = ax.semilogy(grid, 10 ** logs.mean(axis=0), label=method)
        ax.fill_between(grid, 10 ** logs.min(axis=0), 10 ** logs.max(axis=0), color=line.get_color(), alpha=0.2)
    ax.set(xlabel="training time (s)", ylabel="relative L2 error", title=f"{problem}: mean of log rel L2 over seeds, min–max band")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problems", nargs="*", default=PROBLEMS)
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds per run")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time; each gets cores/jobs threads")
    args = parser.parse_args()
    for name, given, allowed in (("problems", args.problems, PROBLEMS), ("methods", args.methods, list(METHODS))):
        if unknown := sorted(set(given) - set(allowed)):
            parser.error(f"unknown {name} {unknown}; choose from {allowed}")
    threads = max(1, (os.cpu_count() or 1) // args.jobs) if args.jobs > 1 else None
    tasks = [(p, m, s) for p in args.problems for m in args.methods for s in SEEDS]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(lambda task: run(*task, args.budget, threads), tasks))
    for r in runs:
        print(f"{r['problem']} {r['method']} seed {r['seed']}: rel L2 {r['metrics']['rel_l2']:.3e}", file=sys.stderr)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "optimizers.json").write_text(json.dumps({"commit": commit(), "budget_s": args.budget, "runs": runs}, indent=1) + "\n")
    sections = []
    for problem in args.problems:
        mine = [r for r in runs if r["problem"] == problem]
        plot(problem, mine, RESULTS / f"optimizers_{problem}.png")
        sections.append(f"{table(problem, mine, args.budget)}\n\n![{problem}](benchmarks/results/optimizers_{problem}.png)")
    per_run = f"{threads} thread(s) per run, {args.jobs} runs at a time" if threads else "all cores per run"
    text = "\n\n".join(sections) + (
        f"\n\nMeasured by `python benchmarks/optimizers.py {' '.join(args.problems)} --budget {args.budget:g}"
        f"{f' --jobs {args.jobs}' if args.jobs > 1 else ''}` on {machine().split(', torch')[0]}, commit {commit()}, {per_run}. "
        "Each run: the problem's defaults with only `trainer.quasi_newton.method` changed, stopped by `trainer.time_budget_s`."
    )
    (RESULTS / "optimizers.md").write_text(text + "\n")
    write_readme_section("optimizers", text)


if __name__ == "__main__":
    main()
