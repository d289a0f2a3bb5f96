"""A 4-job sweep one job at a time (Hydra's default launcher) against two at a time (joblib).

    python benchmarks/launchers.py     # needs pip install -e ".[launchers]"

The sweep is `pinnsolve -m experiment=study/poisson seed=0,1,2,3` (Poisson's study settings). One untimed run
first fills Inductor's cache, so that neither sweep pays the first compilation alone. The wall
time of each whole command goes to benchmarks/results/launchers.md and the sweeps tutorial.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from common import REPO, RESULTS, commit, processor, write_section

SWEEP = ["experiment=study/poisson", "seed=0,1,2,3", "trainer.progress_bar=false"]
LAUNCHERS = {
    "default (one job at a time, 2 threads)": [],
    "joblib, n_jobs=2 (1 thread each)": ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
}


def timed_sweep(extra: list[str], name: str) -> dict:
    sweep_dir = REPO / "outputs" / "benchmarks" / "launchers" / name
    shutil.rmtree(sweep_dir, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    start = time.perf_counter()
    subprocess.run(["pinnsolve", "-m", *SWEEP, *extra, f"hydra.sweep.dir={sweep_dir}"], check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    seconds = time.perf_counter() - start
    print(f"{name}: {seconds:.1f} s", file=sys.stderr)
    return {"wall_s": seconds}


def main() -> None:
    measured = commit()
    warm = REPO / "outputs" / "benchmarks" / "launchers" / "warm_up"
    subprocess.run(["pinnsolve", "experiment=study/poisson", "trainer.progress_bar=false", f"hydra.run.dir={warm}"], check=True,
                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {name: timed_sweep(extra, f"sweep_{i}") for i, (name, extra) in enumerate(LAUNCHERS.items())}
    baseline = next(iter(results.values()))["wall_s"]
    lines = ["| launcher | wall time of the 4-job sweep (s) | ÷ one at a time |", "|---|---|---|"]
    lines += [f"| {name} | {r['wall_s']:.0f} | {r['wall_s'] / baseline:.2f} |" for name, r in results.items()]
    text = "\n".join(lines) + (
        f"\n\n`pinnsolve -m {' '.join(SWEEP)} [launcher]`, measured by `python benchmarks/launchers.py` on "
        f"{processor()}, {os.cpu_count()} cores, commit {measured}; whole commands, start-up and reports included."
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "launchers.json").write_text(json.dumps({"commit": measured, "results": results}, indent=1))
    (RESULTS / "launchers.md").write_text(text + "\n")
    write_section("launchers", text)
    print(text)


if __name__ == "__main__":
    main()
