"""The derivative module against closed forms, in float64."""
import pytest
import torch

from pinnsolve.derivatives import Field, Points

TOL = 1e-12


def field_of(function, n=50, seed=0):
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.rand(n, 2, dtype=torch.float64, generator=generator).requires_grad_(True)
    return Field(inputs, function(inputs[:, 0], inputs[:, 1]), ("x", "t")), inputs.detach()


def test_first_second_and_mixed_partials_match_closed_forms():
    f, p = field_of(lambda x, t: torch.sin(3 * x) * torch.exp(-2 * t) + x**3 * t**2)
    x, t = p[:, 0], p[:, 1]
    s, e = torch.sin(3 * x), torch.exp(-2 * t)
    expected = {
        ("x",): 3 * torch.cos(3 * x) * e + 3 * x**2 * t**2,
        ("t",): -2 * s * e + 2 * x**3 * t,
        ("x", "x"): -9 * s * e + 6 * x * t**2,
        ("t", "t"): 4 * s * e + 2 * x**3,
        ("x", "t"): -6 * torch.cos(3 * x) * e + 6 * x**2 * t,
        ("x", "x", "x"): -27 * torch.cos(3 * x) * e + 6 * t**2,
    }
    for names, value in expected.items():
        torch.testing.assert_close(f.d(*names), value, atol=TOL, rtol=TOL)
    torch.testing.assert_close(f.d("t", "x"), expected[("x", "t")], atol=TOL, rtol=TOL)


def test_laplacian_is_the_sum_of_second_derivatives():
    f, p = field_of(lambda x, y: x**4 + torch.cos(y) * x)
    x, y = p[:, 0], p[:, 1]
    torch.testing.assert_close(f.laplacian(("x", "t")), 12 * x**2 - torch.cos(y) * x, atol=TOL, rtol=TOL)


def test_derivatives_of_a_linear_field_vanish_beyond_first_order():
    f, _ = field_of(lambda x, t: 2 * x - t)
    torch.testing.assert_close(f.d("x"), torch.full((50,), 2.0, dtype=torch.float64))
    assert torch.count_nonzero(f.d("x", "x")) == 0
    assert torch.count_nonzero(f.d("x", "t", "t")) == 0


def test_derivatives_are_differentiable_with_respect_to_parameters():
    a = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    inputs = torch.rand(20, 1, dtype=torch.float64).requires_grad_(True)
    f = Field(inputs, torch.sin(a * inputs[:, 0]), ("x",))
    (grad_a,) = torch.autograd.grad(f.d("x", "x").sum(), a)
    x = inputs.detach()[:, 0]
    # d/da of −a² sin(ax) = −2a sin(ax) − a² x cos(ax)
    expected = (-2 * a * torch.sin(a * x) - a**2 * x * torch.cos(a * x)).sum()
    torch.testing.assert_close(grad_a, expected.detach(), atol=TOL, rtol=TOL)


def test_unknown_variable_is_named_in_the_error():
    f, _ = field_of(lambda x, t: x * t)
    with pytest.raises(KeyError, match="unknown variable 'y'.*'x', 't'"):
        f.d("y")


def test_points_check_their_shape():
    with pytest.raises(ValueError, match=r"shape \(N, 3\)"):
        Points(torch.zeros(4, 2), ("x", "y", "z"))


# -- jets: forward-propagated derivatives of an MLP against autograd ---------------------------

from pinnsolve.activations import BASES, fixed  # noqa: E402
from pinnsolve.derivatives import evaluate  # noqa: E402
from pinnsolve.network import MLP  # noqa: E402

VARIABLES = ("x", "y", "t")


def mlp(base, depth=3, seed=0):
    torch.manual_seed(seed)
    return MLP(
        in_features=3, depth=depth, width=6, activation=fixed(base), low=(-1.0, 0.0, 0.0), high=(1.0, 2.0, 5.0)
    ).double()


def sample_inputs(n=40):
    generator = torch.Generator().manual_seed(1)
    return torch.rand(n, 3, dtype=torch.float64, generator=generator) * torch.tensor([2.0, 2.0, 5.0]) - torch.tensor(
        [1.0, 0.0, 0.0]
    )


# relu's second derivative is 0 almost everywhere in both engines; included for the first derivatives
@pytest.mark.parametrize("base", sorted(BASES))
@pytest.mark.parametrize("depth", [1, 3])
def test_jets_equal_autograd_for_every_base(base, depth):
    model, inputs = mlp(base, depth), sample_inputs()
    by_jets = evaluate(model, inputs, VARIABLES, jets=True)
    by_autograd = evaluate(model, inputs, VARIABLES, jets=False)
    requests = [(), ("x",), ("y",), ("t",), ("x", "x"), ("y", "y"), ("t", "t"), ("x", "t"), ("x", "y", "y")]
    for names in requests:
        torch.testing.assert_close(by_jets.d(*names), by_autograd.d(*names), atol=1e-12, rtol=1e-10, msg=str(names))


def test_parameter_gradients_agree_between_engines():
    model, inputs = mlp("tanh"), sample_inputs()

    def gradients(jets):
        model.zero_grad()
        f = evaluate(model, inputs, VARIABLES, jets=jets)
        (f.laplacian(("x", "y")) + f.u * f.d("t")).square().mean().backward()
        return [p.grad.clone() for p in model.parameters()]

    for with_jets, with_autograd in zip(gradients(True), gradients(False)):
        torch.testing.assert_close(with_jets, with_autograd, atol=1e-13, rtol=1e-10)


def test_jets_pass_torch_gradcheck():
    model = mlp("sin", depth=2)
    inputs = sample_inputs(5).requires_grad_(True)
    jet = lambda x: (lambda j: (j.u, j.first, j.second))(model.jet(x))
    assert torch.autograd.gradcheck(jet, (inputs,))
