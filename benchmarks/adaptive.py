"""Adaptive activations (GAAF, L-LAAF, N-LAAF) against the papers' tables, 5 seeds each.

    OMP_NUM_THREADS=1 python benchmarks/adaptive.py      # every study (about 80 min on 2 cores), then their docs page's tables
    python benchmarks/adaptive.py burgers                 # one study (others keep their last results)
    python benchmarks/adaptive.py --collect               # tables from the sweeps already run

Each study is one or two `pinnsolve -m` sweeps, two runs at a time, into
outputs/benchmarks/adaptive/STUDY/SWEEP (the commands are printed in the results). The per-group
statistics come from each sweep's groups.csv; the tables go to benchmarks/results/adaptive.md,
adaptive.json and between the markers in its docs page, with each study's comparison.png copied to
benchmarks/results/.

The papers trained in TensorFlow's float32 with Adam only; so do these runs (float32,
trainer.quasi_newton.iterations=0), with unit loss weights, the papers' one mean square over all
initial and boundary points (trainer.condition_loss=pooled) and the papers' points and iterations:
the experiments conf/experiment/adaptive/{burgers,klein_gordon,helmholtz}.yaml. activation=global
is GAAF (no slope recovery); global_sr adds our S(a) = 1/exp(a), in neither paper.
"""
from __future__ import annotations

import argparse
import json
import shlex
import shutil

from common import REPO, RESULTS, TWO_AT_A_TIME, commit, machine_two_at_a_time, read_groups, run_sweep, write_section

SEEDS = "seed=0,1,2,3,4"
# the papers' setups: conf/experiment/adaptive/*.yaml
BURGERS, KLEIN_GORDON, HELMHOLTZ = "experiment=adaptive/burgers", "experiment=adaptive/klein_gordon", "experiment=adaptive/helmholtz"
LAUNCH = ["trainer.progress_bar=false", *TWO_AT_A_TIME]

# study -> title, sweeps (name -> overrides), published rel L2 by "sweep: group", the sweep whose
# comparison.png is shown; scale n = 10 unless a sweep says otherwise (the activation configs' default)
STUDIES = {
    "burgers": {
        "title": "Burgers (GAAF Table 1; the LAAF preprint, arXiv v1–v2 only: the published LAAF paper has no forward "
        "Burgers): 6×20 tanh, 10,000 residual + 400 initial/boundary points, "
        "Adam lr 8e-4, rel L2 at 2000 iterations",
        "sweeps": {
            "activations": f"{BURGERS} activation=fixed,global,global_sr,layer_wise,layer_wise_no_sr,"
            f"neuron_wise,neuron_wise_no_sr",
            "gaaf_scale": f"{BURGERS} activation=global activation.scale=1,5",
        },
        "published": {
            "activations: activation=fixed": 1.914e-1,
            "gaaf_scale: activation.scale=1": 1.170e-1,
            "gaaf_scale: activation.scale=5": 9.929e-2,
            "activations: activation=global": 9.517e-2,
        },
        "figure": "activations",
    },
    "klein_gordon": {
        "title": "Klein–Gordon (GAAF Table 2): 2×40 tanh, 10,000 residual + 500 initial/boundary points, "
        "Adam lr 8e-4, rel L2 at 1400 iterations",
        "sweeps": {
            "activations": f"{KLEIN_GORDON} activation=fixed,global",
            "gaaf_scale": f"{KLEIN_GORDON} activation=global activation.scale=1,5",
        },
        "published": {
            "activations: activation=fixed": 1.954e-1,
            "gaaf_scale: activation.scale=1": 1.026e-1,
            "gaaf_scale: activation.scale=5": 9.529e-2,
            "activations: activation=global": 9.064e-2,
        },
        "figure": "activations",
    },
    "helmholtz": {
        "title": "Helmholtz, u = (x+y) sin(πx) sin(πy) (GAAF): 2×40 tanh, 16,000 residual + 400 boundary points, "
        "Adam lr 8e-4, rel L2 at 3600 iterations",
        "sweeps": {
            "activations": f"{HELMHOLTZ} activation=fixed,global,global_sr",
        },
        "published": {"activations: activation=fixed": 1.0591e-1, "activations: activation=global": 7.1945e-2},
        "figure": "activations",
    },
}


def run_study(name: str, *, run: bool = True) -> dict:
    """Run a study's sweeps (or, with ``run=False``, read the reports of sweeps already run)."""
    study = STUDIES[name]
    rows, commands = [], []
    for sweep, overrides in study["sweeps"].items():
        sweep_dir = REPO / "outputs" / "benchmarks" / "adaptive" / name / sweep
        argv = ["pinnsolve", "-m", *shlex.split(overrides), SEEDS, *LAUNCH]
        commands.append(" ".join(argv))
        groups = run_sweep(argv, sweep_dir) if run else read_groups(sweep_dir)
        rows += [dict(row, group=f"{sweep}: {row['group']}") for row in groups]
        if sweep == study["figure"]:
            shutil.copy(sweep_dir / "comparison.png", RESULTS / f"adaptive_{name}.png")
    # --collect reads directories run earlier, at a commit they do not record
    measured = commit() if run else "not recorded (tables rebuilt by --collect)"
    return {"title": study["title"], "commands": commands, "groups": rows, "published": study["published"], "machine": machine_two_at_a_time(),
            "commit": measured}


def table(name: str, result: dict) -> str:
    lines = [
        f"**{result['title']}.**",
        "",
        "| setting | rel L2, mean ± std (5 seeds) | min – max | published | wall time per run (s) |",
        "|---|---|---|---|---|",
    ]
    for row in result["groups"]:
        published = result["published"].get(row["group"])
        lines.append(
            f"| `{row['group']}` | {float(row['rel_l2_mean']):.3e} ± {float(row['rel_l2_std']):.1e} "
            f"| {float(row['rel_l2_min']):.2e} – {float(row['rel_l2_max']):.2e} "
            f"| {f'{published:.3e}' if published is not None else '—'} | {float(row['wall_time_s_mean']):.0f} |"
        )
    lines += ["", f"Commands (each a sweep; measured on {result['machine']}, commit {result['commit']}):", "", "```"]
    lines += result["commands"] + ["```", "", f"![{name}](benchmarks/results/adaptive_{name}.png)", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("studies", nargs="*", default=list(STUDIES), help=f"any of {list(STUDIES)}")
    parser.add_argument("--tables-only", action="store_true", help="rewrite the tables from adaptive.json, run nothing")
    parser.add_argument("--collect", action="store_true", help="read the studies' finished sweep directories, run nothing")
    args = parser.parse_args()
    unknown = sorted(set(args.studies) - set(STUDIES))
    if unknown:
        parser.error(f"unknown studies {unknown}; choose from {list(STUDIES)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    results_file = RESULTS / "adaptive.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    for name in [] if args.tables_only else args.studies:
        results[name] = run_study(name, run=not args.collect)
        results_file.write_text(json.dumps(results, indent=2) + "\n")
    text = "\n".join(table(name, results[name]) for name in STUDIES if name in results)
    (RESULTS / "adaptive.md").write_text(text + "\n")
    write_section("adaptive", text)


if __name__ == "__main__":
    main()
