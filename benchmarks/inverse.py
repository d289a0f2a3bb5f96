"""Burgers' inverse problem (Raissi et al. 2019): ν and λ1 identified from 2,000 measurements, clean
and with 1 % noise; fixed tanh against N-LAAF (with and without slope recovery) against RAF, 5 seeds each.

    python benchmarks/inverse.py              # the sweep (2 jobs at a time, one thread each), then the table
    python benchmarks/inverse.py --collect    # the table from the sweep already run

One sweep, `pinnsolve -m experiment=inverse/burgers inverse.noise=0,0.01
activation=fixed,neuron_wise,neuron_wise_no_sr,raf seed=0,1,2,3,4` on joblib's launcher, into outputs/benchmarks/inverse. The table (README.md's
"Inverse problems" section, benchmarks/results/inverse.{json,md}) gives each setting's identified
values and relative errors (mean ± std over the seeds), the solution's rel L2 and the wall time of
a run; the target is ν within 1 % and λ1 within 0.5 % at 1 % noise, in under 5 minutes a run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import torch

from common import REPO, RESULTS, commit, processor, write_readme_section

sys.path.insert(0, str(REPO))
from pinnsolve.sweep import read_sweep  # noqa: E402

SWEEP_DIR = REPO / "outputs" / "benchmarks" / "inverse"
NOISES, ACTIVATIONS, SEEDS = ["0", "0.01"], ["fixed", "neuron_wise", "neuron_wise_no_sr", "raf"], "0,1,2,3,4"
COMMAND = [
    "pinnsolve", "-m", "experiment=inverse/burgers", f"inverse.noise={','.join(NOISES)}",
    f"activation={','.join(ACTIVATIONS)}", f"seed={SEEDS}", "trainer.progress_bar=false",
    "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
]
TARGETS = {"nu": 0.01, "convection": 0.005}  # at 1 % noise
TIME_TARGET_S = 300.0


def collect(sweep_dir: Path) -> list[dict]:
    """One row per job: its setting, identified values, rel L2 and wall time."""
    rows = []
    for job in read_sweep(sweep_dir):
        setting = dict(override.split("=", 1) for override in job.overrides)
        row = {"noise": setting["inverse.noise"], "activation": setting["activation"], "seed": int(setting["seed"]),
               "status": job.status}
        if job.status == "completed":
            row |= {"rel_l2": job.metrics["rel_l2"], "wall_time_s": job.metrics["wall_time_s"],
                    "identified": job.metrics["identified"], "derivatives": job.metrics["derivatives"]}
        rows.append(row)
    return rows


def spread(values: list[float], scale: float = 1.0, digits: str = ".3f") -> str:
    """Mean ± standard deviation over the seeds, each times ``scale``."""
    if not values:
        return "—"
    mean = statistics.fmean(values) * scale
    std = statistics.stdev(values) * scale if len(values) > 1 else 0.0
    return f"{mean:{digits}} ± {std:.1e}" if digits.endswith("e") else f"{mean:{digits}} ± {std:{digits}}"


def table(result: dict) -> str:
    lines = [
        "| noise | activation | ν identified | ν error (%) | λ1 identified | λ1 error (%) | rel L2 of u | wall time per run (s) | runs |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for noise in NOISES:
        for activation in ACTIVATIONS:
            jobs = [r for r in result["jobs"] if r["noise"] == noise and r["activation"] == activation]
            done = [r for r in jobs if r["status"] == "completed"]
            nu = [r["identified"]["nu"] for r in done]
            lam = [r["identified"]["convection"] for r in done]
            times = [r["wall_time_s"] for r in done]
            lines.append(
                f"| {float(noise):.0%} | {activation} | {spread([e['value'] for e in nu], 1, '.4e')} "
                f"| {spread([e['rel_error'] for e in nu], 100)} | {spread([e['value'] for e in lam], 1, '.5f')} "
                f"| {spread([e['rel_error'] for e in lam], 100)} | {spread([r['rel_l2'] for r in done], 1, '.2e')} "
                f"| {spread(times, 1, '.0f')} | {len(done)}/{len(jobs)} |"
            )
            if noise == "0.01" and done:
                met = sum(n["rel_error"] <= TARGETS["nu"] and c["rel_error"] <= TARGETS["convection"] for n, c in zip(nu, lam))
                fast = max(times) <= TIME_TARGET_S
                verdicts.append(f"{activation}: {met}/{len(jobs)} seeds within both{' ✓' if met == len(jobs) else ''}, "
                                f"slowest run {max(times):.0f} s{' ✓' if fast else ''}")
    lines += [
        "",
        f"Target at 1 % noise: ν within {TARGETS['nu']:.0%} and λ1 within {TARGETS['convection']:.1%}, under "
        f"{TIME_TARGET_S:.0f} s a run. " + "; ".join(verdicts) + ".",
        "",
        f"`{' '.join(COMMAND)}` (`python benchmarks/inverse.py`), measured on {result['machine']}, commit {result['commit']}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collect", action="store_true", help="read the finished sweep, run nothing")
    args = parser.parse_args()
    results_file = RESULTS / "inverse.json"
    if args.collect:
        result = json.loads(results_file.read_text())
        result["jobs"] = collect(SWEEP_DIR)
    else:
        result = {"commit": commit(), "machine": f"{processor()}, {os.cpu_count()} cores, torch {torch.__version__}, "
                                                 "2 runs at a time, 1 thread each"}
        shutil.rmtree(SWEEP_DIR, ignore_errors=True)
        print(" ".join(COMMAND), file=sys.stderr)
        # exit status 1 when a job failed: the table shows it (runs n/5), so the sweep's status is not checked
        subprocess.run([*COMMAND, f"hydra.sweep.dir={SWEEP_DIR}"], cwd=REPO, stdout=subprocess.DEVNULL)
        result["jobs"] = collect(SWEEP_DIR)
    RESULTS.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(result, indent=1) + "\n")
    text = table(result)
    (RESULTS / "inverse.md").write_text(text + "\n")
    write_readme_section("inverse", text)


if __name__ == "__main__":
    main()
