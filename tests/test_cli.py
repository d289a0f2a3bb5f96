"""The `pinnsolve` command: tiny runs of every problem, sweeps, help, and bad input."""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import PROBLEM_CONFIGS, TINY

RUN_FILES = ["metrics.json", "history.csv", "prediction.npz", "model.pt", "solution.png", "loss.png", "error.png"]
TIME_DEPENDENT = {"burgers", "klein_gordon", "klein_gordon_cubic"}


def pinnsolve(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "HYDRA_FULL_ERROR"}  # Hydra's short errors
    return subprocess.run(
        [sys.executable, "-m", "pinnsolve.cli", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def tiny_args(problem: str) -> list[str]:
    grid = ["problem.reference_x_points=33", "problem.reference_t_points=11"] if problem == "burgers" else [
        "problem.eval_points_per_axis=11"
    ]
    return [f"problem={problem}", *TINY, *grid]


@pytest.mark.parametrize("problem", PROBLEM_CONFIGS)
def test_tiny_run_writes_every_file(problem, tmp_path):
    out = tmp_path / "run"
    result = pinnsolve(*tiny_args(problem), f"hydra.run.dir={out}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = RUN_FILES + (["slices.png"] if problem in TIME_DEPENDENT else [])
    for name in expected + [".hydra/config.yaml", ".hydra/overrides.yaml"]:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert (problem in TIME_DEPENDENT) == (out / "slices.png").exists()

    metrics = json.loads((out / "metrics.json").read_text())
    variables = ["x", "t"] if problem in TIME_DEPENDENT else ["x", "y"]
    assert metrics["problem"] == ("klein_gordon" if problem.startswith("klein") else problem)
    assert metrics["variables"] == variables
    assert metrics["activation"] == "fixed" and metrics["status"] == "completed"
    assert (metrics["iterations_adam"], metrics["iterations_lbfgs"]) == (6, 4)
    for key in ("rel_l2", "max_abs_error", "mse", "loss", "wall_time_s"):
        assert np.isfinite(metrics[key]) and metrics[key] >= 0, key
    assert set(metrics["time_to_rel_l2"]) == {"1e-02", "1e-03", "1e-04", "1e-05"}
    components = set(metrics["loss_components"])
    assert "residual" in components and "boundary" in components

    with (out / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["iteration"]) for r in rows] == [0, 2, 4, 6, 8, 10]
    assert set(rows[0]) == {"iteration", "elapsed_s", "loss", "rel_l2", *components}
    assert float(rows[-1]["rel_l2"]) == pytest.approx(metrics["rel_l2"], rel=1e-9)
    assert [float(r["elapsed_s"]) for r in rows] == sorted(float(r["elapsed_s"]) for r in rows)

    data = np.load(out / "prediction.npz")
    n = 33 * 11 if problem == "burgers" else 121
    assert data["inputs"].shape == (n, 2) and data["u_pred"].shape == (n,) and data["u_ref"].shape == (n,)
    rel = np.linalg.norm(data["u_pred"] - data["u_ref"]) / np.linalg.norm(data["u_ref"])
    assert rel == pytest.approx(metrics["rel_l2"], rel=1e-9)


def test_poisson_in_three_dimensions_plots_a_slice(tmp_path):
    out = tmp_path / "run"
    args = [*tiny_args("poisson"), "problem.dim=3", "problem.eval_points_per_axis=7", f"hydra.run.dir={out}"]
    result = pinnsolve(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["variables"] == ["x", "y", "z"]
    assert np.load(out / "prediction.npz")["inputs"].shape == (343, 3)
    assert (out / "solution.png").stat().st_size > 0


def test_multirun_gives_each_job_its_own_directory(tmp_path):
    sweep = tmp_path / "sweep"
    args = [*tiny_args("poisson"), "seed=0,1", f"hydra.sweep.dir={sweep}"]
    result = pinnsolve("-m", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    seeds = [json.loads((sweep / job / "metrics.json").read_text())["seed"] for job in ("0", "1")]
    assert seeds == [0, 1]


def test_help_lists_the_groups_and_their_options(tmp_path):
    result = pinnsolve("--help", cwd=tmp_path)
    assert result.returncode == 0
    for line in ("problem: burgers, helmholtz, klein_gordon, klein_gordon_cubic, poisson",
                 "sampler: grid, halton, lhs, sobol, uniform", "activation: fixed", "trainer: adam_lbfgs"):
        assert line in result.stdout, line


BAD_INPUT = [
    (["problem=heat"], "Could not find 'problem/heat'"),
    (["sampler.n_residual=abc"], "sampler.n_residual"),
    (["sampler.n_residual=0"], "sampler.n_residual: must be a positive integer, got 0"),
    (["sampler.n_initial=0"], "sampler.n_initial: must be a positive integer (burgers has initial conditions), got 0"),
    (["trainer.adam.iterations=-5"], "trainer.adam.iterations: must be ≥ 0"),
    (["trainer.adam.lr=-0.1"], "trainer.adam.lr: must be positive, got -0.1"),
    (["activation.base=swish"], "activation.base"),
    (["precision=float16"], "precision"),
    (["derivatives=fast"], "derivatives"),
    (["network.width=0"], "network.width: must be a positive integer, got 0"),
    (["problem.nu=-1"], "problem (burgers): nu must be positive"),
    (["problem.nu=fast"], "problem.nu"),
    (["+problem.viscosity=1"], "problem.viscosity"),
    (["trainer.loss_weights.wall=2"], "Key 'wall' is not in struct"),
    (["+trainer.loss_weights.wall=2"], "no loss component named ['wall']; the components are ['residual', 'initial', 'boundary']"),
    (["trainer.loss_weights.boundary=-1"], "trainer.loss_weights.boundary: must be ≥ 0"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_bad_input_is_one_clear_message_and_no_finished_run(overrides, message, tmp_path):
    out = tmp_path / "run"
    result = pinnsolve(*TINY, *overrides, f"hydra.run.dir={out}", cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / "metrics.json").exists()
    assert not out.exists() or {p.name for p in out.iterdir()} <= {".hydra", "pinnsolve.log"}
