"""The quasi-Newton methods' mathematics, in float64: quadratic termination, the secant
equation, positive definiteness, the strong Wolfe conditions, and Rosenbrock to 1e-10."""
import math

import pytest
import torch

from pinnsolve.optim import METHODS, LineSearch, LineSearchFailed, QuasiNewton, curvature
from pinnsolve.optim.linesearch import strong_wolfe

CPU = torch.device("cpu")
F64 = torch.float64


def make(method, n, history_size=20):
    return curvature(method, n, dtype=F64, device=CPU, history_size=history_size)


def spd_matrix(n, seed, condition=100.0):
    generator = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=generator, dtype=F64))
    eigenvalues = torch.logspace(0, math.log10(condition), n, dtype=F64)
    return q @ torch.diag(eigenvalues) @ q.T


def rosenbrock(x):
    x = x.detach().requires_grad_(True)
    f = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
    (g,) = torch.autograd.grad(f, x)
    return f.item(), g


@pytest.mark.parametrize("n", [2, 5, 12])
def test_bfgs_with_exact_line_searches_minimises_a_quadratic_in_at_most_n_plus_1_steps(n):
    A = spd_matrix(n, seed=n, condition=1e3)
    b = torch.linspace(-1, 1, n, dtype=F64)
    x = torch.zeros(n, dtype=F64)
    solution = torch.linalg.solve(A, b)
    model = make("bfgs", n)
    g = A @ x - b
    for step in range(1, n + 2):
        p = model.direction(g)
        alpha = float(-(g @ p) / (p @ A @ p))  # the exact minimiser along p
        s = alpha * p
        x, g_new = x + s, g + A @ s
        model.update(s, A @ s, step=alpha, gradient=g)
        g = g_new
        if torch.linalg.vector_norm(g) <= 1e-10 * torch.linalg.vector_norm(b):
            break
    assert step <= n + 1
    assert torch.allclose(x, solution, rtol=0, atol=1e-9 * float(solution.abs().max()))


def a_pair(n, seed):
    """A curvature model's start after a few BFGS steps on a quadratic, and a Wolfe-like step."""
    A = spd_matrix(n, seed)
    generator = torch.Generator().manual_seed(seed + 1)
    g = torch.randn(n, generator=generator, dtype=F64)
    return A, g


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_update_satisfies_the_secant_equation_and_keeps_h_positive_definite(method):
    n = 8
    A, g = a_pair(n, seed=3)
    model = make(method, n, history_size=4)
    for _ in range(6):  # several updates, so that H is far from the identity
        p = model.direction(g)
        alpha = 0.7
        s, y = alpha * p, A @ (alpha * p)
        assert model.update(s, y, step=alpha, gradient=g)
        H_y = -model.direction(y)  # direction(v) = −H v
        assert torch.allclose(H_y, s, rtol=1e-10, atol=1e-12 * float(s.abs().max()))
        g = g + y
    H = torch.stack([-model.direction(e) for e in torch.eye(n, dtype=F64)], dim=1)
    if method == "lbfgs":
        assert torch.allclose(H, H.T, atol=1e-10 * float(H.abs().max()))
    else:  # the dense update is a sum of symmetric rank-one terms: symmetric to the bit
        assert torch.equal(model.H, model.H.T)
    assert torch.linalg.eigvalsh((H + H.T) / 2).min() > 0


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_minimises_rosenbrock_to_1e_10(method):
    x0 = torch.tensor([-1.2, 1.0, -1.2, 1.0, 0.5], dtype=F64)
    driver = QuasiNewton(rosenbrock, x0, make(method, 5, history_size=10), LineSearch())
    for _ in range(300):
        driver.step()
        if driver.f <= 1e-10:
            break
    assert driver.f <= 1e-10
    assert torch.allclose(driver.x, torch.ones(5, dtype=F64), atol=1e-4)


def test_self_scaled_tau_rules_follow_their_definitions():
    from pinnsolve.optim.bfgs import al_baali, oren_luenberger

    for b in (0.25, 1.0, 3.0):
        assert oren_luenberger(b) == pytest.approx(1 / b, rel=1e-15)
        assert al_baali(b) == pytest.approx(min(1.0, 1 / b), rel=1e-15)


def test_a_direction_that_does_not_descend_resets_the_curvature():
    driver = QuasiNewton(rosenbrock, torch.tensor([-1.2, 1.0], dtype=F64), make("bfgs", 2), LineSearch())
    driver.curvature.H = -torch.eye(2, dtype=F64)  # indefinite: −H g ascends
    f0 = driver.f
    info = driver.step()
    assert info.reset and driver.f < f0


def test_no_decrease_at_a_minimum_raises_line_search_failed():
    driver = QuasiNewton(lambda x: (0.0, torch.full_like(x, 1e-3)), torch.zeros(3, dtype=F64), make("bfgs", 3), LineSearch())
    with pytest.raises(LineSearchFailed):
        driver.step()


@pytest.mark.parametrize("start", [1e-3, 1.0, 50.0])
def test_line_search_returns_a_strong_wolfe_step(start):
    # φ(α) = f(x + αp) for f = x⁴/4 − x from x = 0 along p = 1: φ′(α) = α³ − 1, minimum at 1
    def phi(alpha):
        return alpha**4 / 4 - alpha, alpha**3 - 1, torch.tensor([alpha**3 - 1], dtype=F64)

    settings = LineSearch(c1=1e-4, c2=0.1, max_evals=30)
    found = strong_wolfe(phi, 0.0, -1.0, start, settings)
    assert found is not None and found.wolfe
    alpha = found.trial.alpha
    assert found.trial.f <= 0.0 + settings.c1 * alpha * -1.0
    assert abs(alpha**3 - 1) <= settings.c2 * 1.0


def test_line_search_backs_off_from_non_finite_values():
    def phi(alpha):  # finite only for α < 2, minimum at α = 1
        if alpha >= 2:
            return math.inf, math.nan, torch.tensor([math.nan], dtype=F64)
        return (alpha - 1) ** 2, 2 * (alpha - 1), torch.tensor([2 * (alpha - 1)], dtype=F64)

    found = strong_wolfe(phi, 1.0, -2.0, 10.0, LineSearch())
    assert found is not None and found.wolfe and 0 < found.trial.alpha < 2


def test_line_search_settings_are_checked():
    with pytest.raises(ValueError, match="0 < c1 < c2 < 1"):
        LineSearch(c1=0.5, c2=0.1)


def test_unknown_method_names_the_choices():
    with pytest.raises(ValueError, match="choose one of"):
        make("newton", 3)
