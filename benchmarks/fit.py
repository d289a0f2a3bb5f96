"""Function fitting with fixed and adaptive activations, the adaptive-activation papers' regressions.

    python benchmarks/fit.py            # the three sweeps (2 runs at a time, one thread each), then the table
    python benchmarks/fit.py --table    # the table from the stored results, run nothing

Each sweep is `pinnsolve -m problem=fit problem.target=TARGET activation=...` with the problem's own
experiment (conf/experiment/fit.yaml: the LAAF paper's 4x50 tanh, 300 equispaced points, Adam at
lr 2e-4 for 15,000 iterations). The discontinuous target compares LAAF (layer- and neuron-wise
slopes with slope recovery) with the fixed tanh, as the LAAF paper does; the smooth target and
Burgers at t = 0.25 compare GAAF (one global slope, no slope recovery: activation=global)
with it, as the GAAF paper does. Each sweep's error-against-iteration figure is copied to
benchmarks/results/fit_TARGET.png.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

import numpy as np

from common import REPO, RESULTS, TWO_AT_A_TIME, commit, machine_two_at_a_time, write_section

sys.path.insert(0, str(REPO))
from pinnsolve.report.sweep import read_sweep  # noqa: E402

SEEDS = "0,1,2"
LAUNCH = ["trainer.progress_bar=false", *TWO_AT_A_TIME]
# target: (the activations compared, the paper whose figure it is)
SWEEPS = {
    "discontinuous": ("fixed,layer_wise,neuron_wise", "LAAF"),
    "smooth": ("fixed,global", "GAAF"),
    "burgers_t025": ("fixed,global", "GAAF"),
}
THRESHOLDS = (1e-1, 1e-2)
SWEEP_ROOT = REPO / "outputs" / "benchmarks" / "fit"


def command(target: str) -> list[str]:
    return ["pinnsolve", "-m", "problem=fit", f"problem.target={target}", f"activation={SWEEPS[target][0]}", f"seed={SEEDS}", *LAUNCH]


def collect(target: str) -> list[dict]:
    rows = []
    for job in read_sweep(SWEEP_ROOT / target):
        setting = dict(override.split("=", 1) for override in job.overrides)
        row = {"target": target, "activation": setting["activation"], "seed": int(setting["seed"]), "status": job.status}
        if job.status == "completed":
            reached = {f"{t:.0e}": next((r["iteration"] for r in job.history if r["rel_l2"] <= t), None) for t in THRESHOLDS}
            row |= {"rel_l2": job.metrics["rel_l2"], "wall_time_s": job.metrics["wall_time_s"], "reached": reached}
        rows.append(row)
    return rows


def table(result: dict) -> str:
    lines = [
        "| target (paper) | activation | rel L2 at 15,000 iterations, mean ± std (3 seeds) | min – max "
        + "".join(f"| first iteration at rel L2 ≤ {t:.0e}, mean " for t in THRESHOLDS) + "| wall time per run (s) |",
        "|---|---|---|---|" + "---|" * len(THRESHOLDS) + "---|",
    ]
    for target, (activations, paper) in SWEEPS.items():
        for activation in activations.split(","):
            runs = [r for r in result["jobs"] if r["target"] == target and r["activation"] == activation and r["status"] == "completed"]
            errors = np.array([r["rel_l2"] for r in runs])
            reached = []
            for t in THRESHOLDS:
                its = [r["reached"][f"{t:.0e}"] for r in runs]
                got = [i for i in its if i is not None]
                reached.append(f"{np.mean(got):.0f}" + (f" ({len(got)}/{len(its)} seeds)" if len(got) < len(its) else "") if got else "never")
            lines.append(
                f"| `{target}` ({paper}) | `{activation}` | {errors.mean():.2e} ± {errors.std():.1e} | {errors.min():.2e} – "
                f"{errors.max():.2e} | {' | '.join(reached)} | {np.mean([r['wall_time_s'] for r in runs]):.0f} |"
            )
    lines += [
        "",
        f"Measured by `python benchmarks/fit.py` on {result['machine']}, commit {result['commit']}. Commands:",
        "",
        "```",
        *(" ".join(argv) for argv in result["commands"]),
        "```",
        "",
        *(f"![fit, {target}](benchmarks/results/fit_{target}.png)" for target in SWEEPS),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true", help="write the table from the stored results, run nothing")
    args = parser.parse_args()
    results_file = RESULTS / "fit.json"
    if args.table:
        result = json.loads(results_file.read_text())
    else:
        result = {"commit": commit(), "machine": machine_two_at_a_time(),
                  "commands": [command(target) for target in SWEEPS], "jobs": []}
        for target in SWEEPS:
            sweep_dir = SWEEP_ROOT / target
            shutil.rmtree(sweep_dir, ignore_errors=True)
            print(" ".join(command(target)), file=sys.stderr)
            # a failed job shows in the table; the sweep's exit status is not checked
            subprocess.run([*command(target), f"hydra.sweep.dir={sweep_dir}"], cwd=REPO, stdout=subprocess.DEVNULL)
            shutil.copy(sweep_dir / "comparison.png", RESULTS / f"fit_{target}.png")
            result["jobs"] += collect(target)
    RESULTS.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(result, indent=1) + "\n")
    text = table(result)
    (RESULTS / "fit.md").write_text(text + "\n")
    write_section("fit", text)


if __name__ == "__main__":
    main()
