"""The PINNacle cases (../shared/pinnacle/CASES.md): the analytic cases' exact solutions solve their
equations and conditions to round-off; the data cases' files meet their conditions at the files'
boundary nodes to the files' own precision (COMSOL's discretisation); each case runs end to end.

PINNacle's files are read from $PINNACLE_DATA, else from the shared folder beside the repository
(where CI has them); elsewhere the data-file tests are skipped, saying so."""
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import TINY, load_config
from pinnsolve.config import problem_from_config
from pinnsolve.derivatives import Field, Points
from pinnsolve.run import run

DATA = Path(os.environ.get("PINNACLE_DATA", Path(__file__).resolve().parents[2] / "shared" / "pinnacle" / "ref"))
FILES = {
    "burgers1d_c": "burgers1d.dat.gz", "poisson2d_c": "poisson1_cg_data.dat.gz", "heat2d_lt": "heat_longtime.dat.gz",
    "ns2d_c": "lid_driven_a4.dat.gz",
}
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"PINNacle's reference files are not at {DATA} (set PINNACLE_DATA)")


def case(name, *overrides):
    data = [f"problem.data={DATA / FILES[name]}"] if name in FILES else []
    return problem_from_config(load_config(f"problem={name}", *data, *overrides))


def exact_field(problem, n=300):
    box = problem.domain
    x = torch.as_tensor(np.random.default_rng(0).uniform(box.lower, box.upper, (n, box.dim))).requires_grad_(True)
    return Field(x, problem.exact(Points(x, problem.variables)), problem.variables, problem.unknowns)


@pytest.mark.parametrize("name", ["heat2d_ms", "wave1d_c", "poisson_nd"])
def test_the_analytic_cases_exact_solutions_solve_the_equation_and_conditions(name):
    problem = case(name)
    f = exact_field(problem)
    scale = max(1.0, float(problem.source(f).abs().max())) if hasattr(problem, "source") else 1.0
    assert problem.residual(f).abs().max() < 1e-11 * scale
    for condition in problem.conditions:  # evaluated off the boundary too: each is exact everywhere it holds
        region_points = problem.domain.initial if condition.region.kind == "initial" else problem.domain.boundary
        x = torch.as_tensor(region_points(lambda n, k: np.random.default_rng(1).random((n, k)), 100)).requires_grad_(True)
        g = Field(x, problem.exact(Points(x, problem.variables)), problem.variables, problem.unknowns)
        assert condition.residual(g).abs().max() < 1e-12, condition.name


def test_the_inverse_cases_corrected_source_is_solved_by_the_truth_and_the_published_one_is_not():
    corrected = case("poisson_inv", "problem.corrected_source=true")
    f = exact_field(corrected)
    assert corrected.residual(f).abs().max() < 1e-11
    assert corrected.conditions[0].residual(f).abs().max() == 0  # a = a_true everywhere, so on the boundary
    published = case("poisson_inv")
    x, y = f["x"], f["y"]
    a = published.coefficient(f)
    # the two sources differ by 2π(2 cos πx sin πy + 2 sin πx cos πy) a²
    difference = 4 * math.pi * (torch.cos(math.pi * x) * torch.sin(math.pi * y) + torch.sin(math.pi * x) * torch.cos(math.pi * y)) * a**2
    torch.testing.assert_close(published.residual(f), difference, atol=1e-11, rtol=1e-11)


def test_the_inverse_cases_measurements_are_the_grid_with_absolute_noise():
    problem = case("poisson_inv")
    inputs, values, unknowns = problem.observations(np.random.default_rng(5))
    assert unknowns == ("u",) and inputs.shape == (2500, 2)
    np.testing.assert_allclose(np.unique(inputs[:, 0]), np.linspace(0, 1, 50))
    noise = values - np.sin(math.pi * inputs[:, 0]) * np.sin(math.pi * inputs[:, 1])
    assert abs(noise.std() - 0.1) < 0.005 and abs(noise.mean()) < 0.01


@needs_data
def test_the_burgers_file_meets_its_conditions_and_is_its_published_distance_from_the_exact_solution():
    problem = case("burgers1d_c")
    reference = problem.reference()
    assert reference.inputs.shape == (1111, 2)
    x, t = reference.inputs.T
    assert np.abs(reference.u[np.isclose(np.abs(x), 1)]).max() == 0
    np.testing.assert_allclose(reference.u[t == 0], -np.sin(np.pi * x[t == 0]), atol=5e-6)  # COMSOL's interpolation
    exact = problem.alternative_references(reference)["exact"][:, 0]
    assert np.linalg.norm(reference.u - exact) / np.linalg.norm(exact) == pytest.approx(1.33e-2, abs=5e-5)


@needs_data
def test_the_cavity_file_meets_its_conditions_at_its_boundary_nodes():
    reference = case("ns2d_c").reference()
    assert reference.inputs.shape == (10201, 2) and reference.unknowns == ("u", "v", "p")
    x, y = reference.inputs.T
    lid = np.isclose(y, 1)
    walls = (np.isclose(x, 0) | np.isclose(x, 1) | np.isclose(y, 0)) & ~lid
    np.testing.assert_allclose(reference["u"][lid], 4 * x[lid] * (1 - x[lid]), atol=3e-4)  # COMSOL smooths the lid's corners
    assert np.abs(reference["u"][walls]).max() == 0 and np.abs(reference["v"][lid | walls]).max() < 2e-4
    assert reference["p"][(x == 0) & (y == 0)].tolist() == [0.0]


@needs_data
def test_the_plate_with_holes_file_meets_its_conditions_at_its_boundary_nodes():
    problem = case("poisson2d_c")
    reference = problem.reference()
    on_sides = problem.domain.first.on_boundary(reference.inputs, tol=1e-12)
    on_holes = problem.domain.second.on_boundary(reference.inputs, tol=1e-9)
    assert on_sides.sum() == 108 and on_holes.sum() == 112
    assert np.abs(reference.u[on_sides] - 1).max() == 0 and np.abs(reference.u[on_holes]).max() == 0


@needs_data
def test_the_long_heat_file_starts_from_its_initial_condition():
    reference = case("heat2d_lt").reference()
    assert reference.inputs.shape == (96192, 3)
    x, y, t = reference.inputs.T
    first = t == 0
    np.testing.assert_allclose(reference.u[first], np.sin(4 * np.pi * x[first]) * np.sin(3 * np.pi * y[first]), atol=1e-3)


SHORT = [*TINY, "problem.hard_bc=false"]


@pytest.mark.parametrize("name", ["burgers1d_c", "poisson2d_c", "heat2d_ms", "heat2d_lt", "ns2d_c", "wave1d_c", "poisson_nd",
                                  "poisson_inv"])
def test_each_case_runs_end_to_end_and_scores_itself(tmp_path, name):
    if name in FILES and not DATA.is_dir():
        pytest.skip(f"PINNacle's reference files are not at {DATA}")
    data = [f"problem.data={DATA / FILES[name]}"] if name in FILES else []
    scattered = ["problem.eval_points=200"] if name in ("heat2d_ms", "wave1d_c", "poisson_nd", "poisson_inv") else []
    cfg = load_config(f"problem={name}", *data, *scattered, *SHORT, "plots=true")
    run(cfg, tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["status"] == "completed" and math.isfinite(metrics["rel_l2"])
    assert set(metrics["per_unknown"]) == set(metrics["unknowns"])
    if name in FILES:
        assert metrics["reference_file"]["sha256"] and metrics["reference_file"]["rows"] > 0
    assert (tmp_path / "solution.png").is_file()
