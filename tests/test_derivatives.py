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


# -- engines: jets and compiled jets against autograd ------------------------------------------

from conftest import PROBLEM_CONFIGS, evaluate, of_every, tiny_config, up_to_second  # noqa: E402
from pinnsolve import derivatives  # noqa: E402
from pinnsolve.nn.activations import BASES, fixed  # noqa: E402
from pinnsolve.assemble import assemble  # noqa: E402
from pinnsolve.derivatives import EngineError, derivatives_used  # noqa: E402
from pinnsolve.train.loss import derivatives_needed  # noqa: E402
from pinnsolve.nn.network import MLP  # noqa: E402

VARIABLES = ("x", "y", "t")
# the problems whose one boundary condition is of Dirichlet type, which the network can impose exactly
HARD_BC_PROBLEMS = ["burgers", "poisson", "klein_gordon", "helmholtz", "sine_gordon", "low_regularity", "oscillatory"]


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
def test_jets_equal_autograd_for_every_base_pure_and_mixed(base, depth):
    model, inputs = mlp(base, depth), sample_inputs()
    by_jets = evaluate(model, inputs, VARIABLES, "jets")
    by_autograd = evaluate(model, inputs, VARIABLES, "autograd")
    for key in up_to_second(3):
        names = [VARIABLES[i] for i in key]
        torch.testing.assert_close(by_jets.d(*names), by_autograd.d(*names), atol=1e-12, rtol=1e-10, msg=str(names))


def test_jets_carry_only_what_is_asked_and_refuse_the_rest_by_name():
    model, inputs = mlp("tanh"), sample_inputs()
    field = evaluate(model, inputs, VARIABLES, "jets", keys={(), (0,), (0, 2)})
    by_autograd = evaluate(model, inputs, VARIABLES, "autograd")
    torch.testing.assert_close(field.d("t", "x"), by_autograd.d("x", "t"), atol=1e-12, rtol=1e-10)
    with pytest.raises(KeyError, match=r"u_yy was not computed ahead of time; this field holds \['u_x', 'u_t', 'u_xt'\]"):
        field.d("y", "y")


def test_parameter_gradients_agree_between_engines():
    model, inputs = mlp("tanh"), sample_inputs()

    def gradients(engine):
        model.zero_grad()
        f = evaluate(model, inputs, VARIABLES, engine)
        (f.laplacian(("x", "y")) + f.u * f.d("t") + f.d("x", "y")).square().mean().backward()
        return [p.grad.clone() for p in model.parameters()]

    for with_jets, with_autograd in zip(gradients("jets"), gradients("autograd")):
        torch.testing.assert_close(with_jets, with_autograd, atol=1e-13, rtol=1e-10)


def test_jets_pass_torch_gradcheck_in_the_weights():
    model, inputs = mlp("sin", depth=2), sample_inputs(5)
    layer = model.hidden[0]
    weight = layer.weight.detach().clone().requires_grad_(True)
    del layer.weight  # the layer now reads whatever tensor gradcheck passes in

    def jet(w):
        layer.weight = w
        f = derivatives.engine("jets").field(model, inputs, VARIABLES, ("u",), of_every(up_to_second(3)))
        return f.u, f.d("x"), f.d("y", "t"), f.d("t", "t")

    assert torch.autograd.gradcheck(jet, (weight,))


@pytest.mark.parametrize(("problem", "hard_bc"), [(p, False) for p in PROBLEM_CONFIGS] + [(p, True) for p in HARD_BC_PROBLEMS])
def test_every_problem_residual_and_condition_is_the_same_by_jets_and_autograd(problem, hard_bc):
    parts = assemble(tiny_config(problem, f"problem.hard_bc={str(hard_bc).lower()}", "derivatives=autograd"))
    loss = parts.trainer.loss
    keys = derivatives_needed(parts.problem, loss.conditions)
    variables = parts.problem.variables
    points = {None: parts.trainer.points.residual, **parts.trainer.points.regions}
    for region, x in points.items():
        residuals = [parts.problem.residual] if region is None else [c.residual for c in loss.conditions if c.region == region]
        for residual in residuals:
            by_jets = residual(evaluate(parts.model, x, variables, "jets", keys[region]))
            by_autograd = residual(evaluate(parts.model, x, variables, "autograd"))
            torch.testing.assert_close(by_jets, by_autograd, atol=1e-12, rtol=1e-12)


def test_derivatives_used_records_exactly_what_a_residual_asks():
    def residual(f):
        return f.d("t") + f.u * f.d("x") - f.d("x", "x") + f.d("t", "x") * f["x"]

    assert derivatives_used(residual, ("x", "t"), (0.0, 0.0), (1.0, 1.0)) == of_every({(), (0,), (1,), (0, 0), (0, 1)})


class Opaque(torch.nn.Module):
    """A model with a forward pass only."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))

    def forward(self, x):
        return torch.sin(x @ self.weight)


def test_jets_refuse_a_model_that_does_not_describe_its_layers_and_auto_falls_to_autograd():
    keys = of_every(up_to_second(3))
    with pytest.raises(EngineError, match=r"derivatives=jets: Opaque does not describe its layers .*use derivatives=autograd"):
        derivatives.engine("jets").check(Opaque(), keys, VARIABLES)
    assert derivatives.choose(Opaque(), keys, VARIABLES, iterations=10**6).name == "autograd"


def test_jets_refuse_third_derivatives_and_auto_picks_by_run_length():
    model = mlp("tanh")
    with pytest.raises(EngineError, match=r"up to second order, and \['u_xxt'\] are asked for"):
        derivatives.engine("jets").check(model, of_every({(), (0, 0, 2)}), VARIABLES)
    assert derivatives.choose(model, of_every({(), (0, 0, 2)}), VARIABLES, iterations=10**6).name == "autograd"
    short, long = derivatives.COMPILE_PAYS_FROM - 1, derivatives.COMPILE_PAYS_FROM
    assert derivatives.choose(model, of_every(up_to_second(3)), VARIABLES, iterations=short).name == "autograd"
    assert derivatives.choose(model, of_every(up_to_second(3)), VARIABLES, iterations=long).name == "compiled"


def test_unknown_engine_lists_the_engines():
    with pytest.raises(EngineError, match=r"unknown derivative engine 'fast'; the engines are \['autograd', 'compiled', 'jets'\] and auto"):
        derivatives.engine("fast")


def test_compiled_loss_and_gradient_equal_eager_jets_and_new_points_reuse_the_compiled_code():
    """float64: the compiled evaluation matches the eager one to round-off; redrawn points of the
    same number and parameters changed in place (Adam, a line search) compile nothing new.
    Klein-Gordon with the hard constraint: its non-zero boundary data go through ops.known."""
    from torch._dynamo.utils import counters

    counters.clear()  # assemble evaluates the loss once (an overflow is refused there), so it compiles there
    runs = {
        name: assemble(tiny_config("klein_gordon", "problem.hard_bc=true", f"derivatives={name}"))
        for name in ("jets", "compiled")
    }
    assert type(runs["compiled"].trainer.loss.engine).__name__ == "CompiledEngine"

    def loss_and_gradient(parts):
        model, trainer = parts.model, parts.trainer
        model.zero_grad()
        total, _ = trainer.loss(model, trainer.points)
        total.backward()
        return total.detach(), [p.grad.clone() for p in model.parameters()]

    graphs = []
    for _ in range(2):
        (eager, eager_grads), (compiled, compiled_grads) = map(loss_and_gradient, runs.values())
        torch.testing.assert_close(compiled, eager, atol=1e-12, rtol=1e-12)
        for a, b in zip(compiled_grads, eager_grads):
            torch.testing.assert_close(a, b, atol=1e-12, rtol=1e-12)
        graphs.append(counters["stats"]["unique_graphs"])
        for parts in runs.values():
            generator = torch.Generator().manual_seed(5)
            points = parts.trainer.points
            points.residual = torch.rand(points.residual.shape, dtype=torch.float64, generator=generator)
            with torch.no_grad():
                for p in parts.model.parameters():
                    p.mul_(1.01)
    assert graphs[0] >= 1 and graphs[1] == graphs[0]
