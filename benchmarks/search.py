"""An Optuna search against the defaults it tunes: `pinnsolve -m experiment=tune/burgers`.

    python benchmarks/search.py              # needs pip install -e ".[launchers,search]"
    python benchmarks/search.py --collect    # only rewrite the table from the results file

Runs the experiment's search (20 short N-LAAF trials on Burgers, 2 at a time), then one run of
the same experiment without the search (the default rate and scale), and writes the best trial
against it to benchmarks/results/search.md and the Optuna tutorial.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time

import yaml

from common import REPO, RESULTS, commit, processor, write_section

OUT = REPO / "outputs" / "benchmarks" / "search"


def measure() -> dict:
    measured = commit()
    shutil.rmtree(OUT, ignore_errors=True)
    start = time.perf_counter()
    search = subprocess.run(["pinnsolve", "-m", "experiment=tune/burgers", f"hydra.sweep.dir={OUT / 'sweep'}"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    search_s = time.perf_counter() - start
    if search.returncode not in (0, 1):  # 1: some trial failed, which the search counts as bad
        sys.exit(f"the search failed: {search.stderr[-2000:]}")
    best = yaml.safe_load((OUT / "sweep" / "optimization_results.yaml").read_text())
    with (OUT / "sweep" / "summary.csv").open() as handle:
        trials = list(csv.DictReader(handle))
    subprocess.run(["pinnsolve", "experiment=tune/burgers", f"hydra.run.dir={OUT / 'default'}"], check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    default = json.loads((OUT / "default" / "metrics.json").read_text())
    lr = yaml.safe_load((OUT / "default" / ".hydra" / "config.yaml").read_text())["trainer"]["adam"]["lr"]
    scale = default["activation_settings"]["scale"]
    return {
        "commit": measured, "machine": f"{processor()}, {os.cpu_count()} cores", "search_s": search_s, "best": best,
        "trials": trials, "default": {"rel_l2": default["rel_l2"], "lr": lr, "scale": scale},
    }


def table(results: dict) -> str:
    best, default, trials = results["best"], results["default"], results["trials"]
    completed = [t for t in trials if t["status"] == "completed"]
    lines = [
        "| run | `trainer.adam.lr` | `activation.scale` | rel L2 |",
        "|---|---|---|---|",
        f"| the experiment's defaults | {default['lr']:.2e} | {default['scale']:g} | {default['rel_l2']:.2e} |",
        f"| best of {len(trials)} trials | {best['best_params']['trainer.adam.lr']:.2e} | {best['best_params']['activation.scale']} "
        f"| {best['best_value']:.2e} |",
    ]
    machine = results["machine"]
    return "\n".join(lines) + (
        f"\n\n{len(completed)} of {len(trials)} trials completed; the search took {results['search_s']:.0f} s, two trials at "
        f"a time with one thread each, the defaults' run alone with two. Measured by `python benchmarks/search.py` on "
        f"{machine}, commit {results['commit']}."
    )


def main() -> None:
    if "--collect" in sys.argv[1:]:  # only rewrite the table from the results file
        results = json.loads((RESULTS / "search.json").read_text())
    else:
        results = measure()
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "search.json").write_text(json.dumps(results, indent=1))
    text = table(results)
    (RESULTS / "search.md").write_text(text + "\n")
    write_section("search", text)
    print(text)


if __name__ == "__main__":
    main()
