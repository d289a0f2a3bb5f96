"""Every exact solution satisfies its PDE and conditions; the Burgers reference converges."""
import math

import numpy as np
import pytest
import torch

from pinnsolve.config import problem_from_config
from pinnsolve.derivatives import Field, Points
from pinnsolve.problem import DirichletCondition, ExactProblem, Region
from pinnsolve.geometry.samplers import CollocationSampler, Uniform
from pinnsolve.problems.burgers import hopf_cole, hopf_cole_converged

from conftest import load_config

# (config, overrides): every shipped problem and its variants
EXACT_CASES = [
    ("poisson", ()),
    ("poisson", ("problem.dim=1",)),
    ("poisson", ("problem.dim=3",)),
    ("poisson", ("problem.dim=5",)),
    ("klein_gordon", ()),
    ("klein_gordon_cubic", ()),
    ("helmholtz", ()),
    ("helmholtz", ("problem.solution=gaaf",)),
    ("poisson", ("problem.diffusion=2.5",)),
    ("sine_gordon", ()),
    ("sine_gordon", ("problem.beta=2.0", "problem.gamma=0.5", "problem.frequency=0.9", "problem.angle=120")),
    ("low_regularity", ()),
    ("low_regularity", ("problem.dim=3",)),
    ("low_regularity", ("problem.dim=10",)),
    ("oscillatory", ()),
    ("oscillatory", ("problem.dim=3", "problem.frequency=1.5")),
]
# float64 residuals of closed forms, scaled by the size of the source terms (up to ~(5π)² here)
RESIDUAL_TOL = 1e-10
# the oscillatory problem's source is d(2kπ)²u + …, about 3.2e4 at its default k = 20
RESIDUAL_TOL_OF = {"oscillatory": 1e-10 * 2 * (40 * math.pi) ** 2}


def problem_of(name, overrides=()):
    return problem_from_config(load_config(f"problem={name}", *overrides))


def sampled(problem, region, n=400, seed=1):
    sampler = CollocationSampler(problem.domain, Uniform(), np.random.default_rng(seed))
    draw = {None: sampler.interior, Region.BOUNDARY: sampler.boundary, Region.INITIAL: sampler.initial}[region]
    inputs = torch.as_tensor(draw(n), dtype=torch.float64).requires_grad_(True)
    return inputs


def exact_field(problem: ExactProblem, region):
    inputs = sampled(problem, region)
    return Field(inputs, problem.exact(Points(inputs, problem.variables)), problem.variables)


@pytest.mark.parametrize(("name", "overrides"), EXACT_CASES)
def test_exact_solution_has_zero_residual(name, overrides):
    problem = problem_of(name, overrides)
    residual = problem.residual(exact_field(problem, None))
    assert residual.abs().max().item() < RESIDUAL_TOL_OF.get(name, RESIDUAL_TOL)


@pytest.mark.parametrize(("name", "overrides"), EXACT_CASES)
def test_exact_solution_satisfies_every_condition(name, overrides):
    problem = problem_of(name, overrides)
    for condition in problem.conditions:
        f = exact_field(problem, condition.region)
        assert condition.residual(f).abs().max().item() < RESIDUAL_TOL, condition.name


@pytest.mark.parametrize("name", ["helmholtz", "low_regularity", "oscillatory"])
def test_a_nonzero_perturbation_is_not_a_solution(name):
    # guards the test above against a residual that vanishes for everything
    problem = problem_of(name)
    inputs = sampled(problem, None)
    u = problem.exact(Points(inputs, problem.variables)) + 0.01 * inputs[:, 0] ** 2
    assert problem.residual(Field(inputs, u, problem.variables)).abs().max().item() > 1e-3


def test_the_sine_gordon_breather_needs_no_forcing_at_unit_coefficients():
    # the forcing is computed from the breather's own derivatives; zero here checks that the closed
    # form solves u_tt = Δu − sin u itself, not only that the residual matches its formulas
    problem = problem_of("sine_gordon", ("problem.angle=75", "problem.frequency=0.3"))
    points = Points(sampled(problem, None).detach(), problem.variables)
    assert problem.source(points).abs().max().item() < 1e-14
    forced = problem_of("sine_gordon", ("problem.gamma=2.0",))
    assert forced.source(points).abs().max().item() > 0.1


def test_exact_references_lie_on_the_grid_they_declare():
    problem = problem_of("klein_gordon")
    reference = problem.reference()
    assert reference.shape == (101, 101)
    x, t = reference.inputs[:, 0], reference.inputs[:, 1]
    np.testing.assert_allclose(reference.u, x * np.cos(t), atol=1e-15)
    assert (x.min(), x.max(), t.min(), t.max()) == (-1.0, 1.0, 0.0, 10.0)


# -- Burgers ----------------------------------------------------------------------------------

NU = 0.01 / math.pi


def test_burgers_standard_grid():
    problem = problem_of("burgers")
    reference = problem.reference()
    assert reference.shape == (256, 100)
    x = reference.inputs[:, 0].reshape(256, 100)[:, 0]
    t = reference.inputs[:, 1].reshape(256, 100)[0]
    np.testing.assert_allclose(x, np.linspace(-1, 1, 256), atol=0)
    np.testing.assert_allclose(t, np.arange(100) * 0.01, atol=1e-15)
    np.testing.assert_allclose(reference.u.reshape(256, 100)[:, 0], -np.sin(np.pi * x), atol=1e-14)


def test_hopf_cole_quadrature_converges_to_1e10():
    x, t = np.meshgrid(np.linspace(-1, 1, 41), np.linspace(0, 1, 11), indexing="ij")
    finest = hopf_cole(x, t, NU, 256)
    errors = [np.abs(hopf_cole(x, t, NU, panels) - finest).max() for panels in (4, 8, 16, 32)]
    assert errors[0] > 1e-3  # too coarse: the convergence below is real
    assert all(later < earlier for earlier, later in zip(errors, errors[1:]) if earlier > 1e-13)
    assert errors[-1] < 1e-10
    converged = hopf_cole_converged(x, t, NU, 1e-12)
    assert np.abs(converged - finest).max() < 1e-10


def test_hopf_cole_satisfies_burgers_by_finite_differences():
    # central differences, h = 1e-4: truncation O(h²·u''''), round-off O(ε/h²); both ≲ 1e-5 away
    # from the steep front at x = 0, where |u_x| reaches ~150
    h = 1e-4
    x = np.array([-0.8, -0.5, -0.3, 0.2, 0.4, 0.7])
    for t in (0.1, 0.3, 0.6, 0.95):
        u = lambda dx, dt: hopf_cole_converged(x + dx, np.full_like(x, t + dt), NU, 1e-13)
        u0 = u(0, 0)
        u_t = (u(0, h) - u(0, -h)) / (2 * h)
        u_x = (u(h, 0) - u(-h, 0)) / (2 * h)
        u_xx = (u(h, 0) - 2 * u0 + u(-h, 0)) / h**2
        assert np.abs(u_t + u0 * u_x - NU * u_xx).max() < 1e-5, t


def test_hopf_cole_meets_the_boundary_conditions():
    t = np.linspace(0.05, 1, 20)
    for side in (-1.0, 1.0):
        assert np.abs(hopf_cole_converged(np.full_like(t, side), t, NU, 1e-12)).max() < 1e-12


def test_burgers_conditions_hold_for_the_reference_data():
    problem = problem_of("burgers")
    initial, boundary = problem.conditions
    assert isinstance(initial, DirichletCondition) and initial.region is Region.INITIAL
    inputs = sampled(problem, Region.INITIAL)
    u = torch.as_tensor(hopf_cole_converged(inputs[:, 0].detach().numpy(), np.zeros(400), NU, 1e-12))
    assert initial.residual(Field(inputs, u, problem.variables)).abs().max() < 1e-14
