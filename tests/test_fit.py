"""problem=fit: the targets' values, a user's .npz file, and a fit that learns."""
import csv
import json
import math

import numpy as np
import pytest
import torch

from pinnsolve.assemble import assemble
from pinnsolve.config import ConfigError
from pinnsolve.problems.burgers import hopf_cole_converged
from pinnsolve.problems.fit import Fit

from conftest import TINY, load_config, pinnsolve_in_process, tiny_config


def test_the_discontinuous_target_is_the_laaf_papers():
    problem = Fit("discontinuous", 11)
    x = torch.tensor([-math.pi / 36, 0.0, math.pi / 54, 1.0], dtype=torch.float64)
    expected = [-0.2, 0.0, 1 - 0.3 * math.pi / 54, 1 + 0.3 * math.cos(54.0)]
    torch.testing.assert_close(problem.function(x), torch.tensor(expected, dtype=torch.float64), rtol=0, atol=1e-15)


def test_the_burgers_target_interpolates_the_quadrature_between_its_nodes():
    # the training reads a linear table of 20,001 nodes; between them it stays within h²/8·max|u''| of the solution
    problem = Fit("burgers_t025", 11)
    x = np.linspace(-0.99, 0.99, 301) + 3.7e-5  # off the nodes
    exact = hopf_cole_converged(x, np.full_like(x, 0.25), 0.01 / math.pi, 1e-12)
    table = problem.function(torch.as_tensor(x)).numpy()
    assert np.max(np.abs(table - exact)) < 1e-6
    assert np.max(np.abs(table - exact)) > 0  # off the nodes it is an interpolation, not the quadrature


def test_the_reference_is_the_target_on_a_grid_of_minus_one_to_one():
    reference = Fit("smooth", 5).reference()
    np.testing.assert_allclose(reference.inputs[:, 0], [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_allclose(reference.u, [0, -1, 0, 1, 0], atol=1e-14)  # sin(πx) + 0.3 sin(4πx) + 0.1 sin(12πx)


def _npz(tmp_path, **arrays):
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    return str(path)


def test_a_data_file_is_trained_at_its_own_points_and_measured_there(tmp_path):
    x = np.array([0.5, -1.0, 2.0, 0.0])
    path = _npz(tmp_path, x=x, u=x**2)
    parts = assemble(tiny_config("fit", f"problem.target={path}"))
    problem = parts.problem
    assert (problem.domain.low, problem.domain.high) == ((-1.0,), (2.0,))
    np.testing.assert_array_equal(parts.trainer.points.residual.numpy()[:, 0], [-1.0, 0.0, 0.5, 2.0])
    reference = problem.reference()
    np.testing.assert_array_equal(reference.u, [1.0, 0.0, 0.25, 4.0])
    # between the points the target is the linear interpolant of the data
    torch.testing.assert_close(problem.function(torch.tensor([1.25], dtype=torch.float64)), torch.tensor([2.125], dtype=torch.float64))


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"x": np.arange(3.0)}, "needs exactly the 1-D arrays x and u"),
        ({"x": np.zeros((3, 2)), "u": np.zeros((3, 2))}, "must be 1-D"),
        ({"x": np.ones(3), "u": np.zeros(3)}, "must span an interval"),
        ({"x": np.array([0.0, np.nan]), "u": np.zeros(2)}, "must be finite"),
        ({"x": np.array([0.0, 0.5, 0.5, 1.0]), "u": np.array([0.0, 1.0, 2.0, 0.0])},
         r"x = 0\.5 is given 2 times with different u \(1, 2\); a function has one value at each point"),
        ({"x": np.array([0.0, 1.0]), "u": np.array([1.0 + 1.0j, 0.0])}, "array 'u' must be 1-D and real, got complex128"),
    ],
)
def test_a_bad_data_file_is_refused_before_anything_runs(tmp_path, arrays, message):
    path = _npz(tmp_path, **arrays)
    with pytest.raises(ConfigError, match=message):
        assemble(tiny_config("fit", f"problem.target={path}"))


def test_a_point_given_twice_with_one_value_is_kept_once(tmp_path):
    path = _npz(tmp_path, x=np.array([1.0, 0.0, 1.0]), u=np.array([4.0, 2.0, 4.0]))
    reference = Fit(target=path, eval_points_per_axis=2).reference()
    np.testing.assert_array_equal(reference.inputs[:, 0], [0.0, 1.0])
    np.testing.assert_array_equal(reference.u, [2.0, 4.0])


def test_an_unknown_target_and_a_redrawn_data_file_are_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"problem \(fit\): target must be one of \['smooth', 'burgers_t025', 'discontinuous'\]"):
        assemble(tiny_config("fit", "problem.target=wiggly"))
    with pytest.raises(ConfigError, match="no such file"):
        assemble(tiny_config("fit", f"problem.target={tmp_path / 'missing.npz'}"))
    path = _npz(tmp_path, x=np.linspace(0, 1, 5), u=np.zeros(5))
    with pytest.raises(ConfigError, match="sampler.resample: fit trains at its data's points"):
        assemble(tiny_config("fit", f"problem.target={path}", "sampler.resample=uniform", "sampler.resample_every=2"))


def test_a_fit_learns_the_smooth_target(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    args = ["problem=fit", "problem.target=smooth", *TINY, "network.width=16", "trainer.adam.iterations=200",
            "trainer.adam.lr=1e-2", "trainer.quasi_newton.iterations=0", "trainer.log_every=200", "derivatives=autograd",
            "problem.eval_points_per_axis=201", "sampler.n_residual=100", f"hydra.run.dir={out}"]
    status, stderr = pinnsolve_in_process(args, monkeypatch, capsys)
    assert status == 0, stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics["loss_components"]) == ["residual"]
    with (out / "history.csv").open() as handle:
        first, last = (float(row["rel_l2"]) for row in csv.DictReader(handle))
    assert last < 0.5 * first  # a 2x16 tanh network after 200 Adam steps on 100 points


def test_the_problems_own_experiment_is_the_laaf_regression_setup():
    cfg = load_config("problem=fit")
    assert (cfg.network.depth, cfg.network.width, cfg.sampler.name.value, cfg.sampler.n_residual) == (4, 50, "grid", 300)
    assert (cfg.trainer.adam.lr, cfg.trainer.adam.iterations, cfg.trainer.quasi_newton.iterations) == (2e-4, 15000, 0)
