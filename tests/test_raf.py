"""Reproducing activation functions, the ResNet, and hard Dirichlet constraints."""
import math

import numpy as np
import pytest
import torch

from conftest import evaluate, tiny_config
from pinnsolve.nn import activations, raf
from pinnsolve.assemble import assemble
from pinnsolve.nn.constraints import HardDirichlet
from pinnsolve.derivatives import Points
from pinnsolve.geometry import Box
from pinnsolve.nn.network import MLP, ResNet
from pinnsolve.nn.raf import BasisName, Mode, partition_sizes
from pinnsolve.geometry.samplers import SAMPLERS, CollocationSampler

S = 0.3  # Gaussian width for the closed forms below


def _rational(x):
    p = 1.1915 * x**3 + 1.5957 * x**2 + 0.5 * x + 0.0218
    q = 2.383 * x**2 + 1
    dp, d2p = 3 * 1.1915 * x**2 + 2 * 1.5957 * x + 0.5, 6 * 1.1915 * x + 2 * 1.5957
    dq, d2q = 2 * 2.383 * x, 2 * 2.383
    first = (dp * q - p * dq) / q**2
    second = (d2p * q - p * d2q) / q**2 - 2 * dq * (dp * q - p * dq) / q**3
    return p / q, first, second


# γ, γ', γ'' written out by hand
CLOSED_FORMS = {
    BasisName.identity: lambda x: (x, np.ones_like(x), np.zeros_like(x)),
    BasisName.square: lambda x: (x**2, 2 * x, np.full_like(x, 2.0)),
    BasisName.sin: lambda x: (np.sin(x), np.cos(x), -np.sin(x)),
    BasisName.gaussian: lambda x: (
        np.exp(-(x**2) / (2 * S**2)),
        -x / S**2 * np.exp(-(x**2) / (2 * S**2)),
        (x**2 / S**4 - 1 / S**2) * np.exp(-(x**2) / (2 * S**2)),
    ),
    BasisName.relu: lambda x: (np.maximum(x, 0), (x > 0).astype(float), np.zeros_like(x)),
    BasisName.relu3: lambda x: (np.maximum(x, 0) ** 3, 3 * np.maximum(x, 0) ** 2, 6 * np.maximum(x, 0)),
    BasisName.tanh: lambda x: (np.tanh(x), 1 - np.tanh(x) ** 2, -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    BasisName.rational: _rational,
}


@pytest.mark.parametrize("name", list(BasisName))
def test_basis_values_and_derivatives_match_closed_forms(name):
    x = np.linspace(-2.05, 2.05, 83)  # avoids x = 0 exactly, where ReLU's derivative jumps
    gamma = raf.basis(name, gaussian_width=S).double()
    got = gamma.derivatives(torch.tensor(x))
    for k, (value, expected) in enumerate(zip(got, CLOSED_FORMS[name](x))):
        np.testing.assert_allclose(value.detach().numpy(), expected, rtol=1e-12, atol=1e-12, err_msg=f"derivative {k}")
    np.testing.assert_allclose(gamma(torch.tensor(x)).detach().numpy(), CLOSED_FORMS[name](x)[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(BasisName))
def test_basis_derivatives_agree_with_autograd(name):
    gamma = raf.basis(name, gaussian_width=S).double()
    x = torch.linspace(-2.05, 2.05, 41, dtype=torch.float64, requires_grad=True)
    value, first, second = gamma.derivatives(x)
    (auto_first,) = torch.autograd.grad(value.sum(), x, create_graph=True)
    if auto_first.requires_grad:
        (auto_second,) = torch.autograd.grad(auto_first.sum(), x, allow_unused=True, materialize_grads=True)
    else:  # γ' does not depend on x (identity)
        auto_second = torch.zeros_like(x)
    torch.testing.assert_close(first, auto_first, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(second, auto_second, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("width", "parts", "sizes"),
    [(50, 4, [12, 12, 12, 14]), (48, 4, [12, 12, 12, 12]), (7, 3, [2, 2, 3]), (5, 5, [1] * 5), (9, 1, [9]), (10, 4, [2, 2, 2, 4])],
)
def test_partition_group_sizes(width, parts, sizes):
    assert partition_sizes(width, parts) == sizes


def test_partition_needs_a_neuron_per_basis():
    with pytest.raises(ValueError, match="cannot split 3 neurons into 4"):
        partition_sizes(3, 4)


def test_partition_applies_each_basis_to_its_group():
    layer = raf.raf(Mode.partition, [BasisName.identity, BasisName.square, BasisName.sin], gaussian_width=S, alpha_init=1, beta_init=1)(0, 7)
    x = torch.linspace(-1, 1, 7, dtype=torch.float64).expand(3, 7)
    expected = torch.cat([x[:, :2], x[:, 2:4] ** 2, torch.sin(x[:, 4:])], dim=1)
    torch.testing.assert_close(layer(x), expected, rtol=0, atol=0)


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("network", [MLP, ResNet])
def test_raf_with_tanh_basis_equals_the_fixed_tanh_network(mode, network):
    shape = {"depth": 3} if network is MLP else {"blocks": 2}

    def build(factory):
        torch.manual_seed(3)
        return network(in_features=2, width=9, activation=factory, low=[0, 0], high=[1, 1], **shape).double()

    fixed = build(activations.fixed("tanh"))
    tanh_raf = build(raf.raf(mode, [BasisName.tanh], gaussian_width=S, alpha_init=1.0, beta_init=1.0))
    missing, unexpected = tanh_raf.load_state_dict(fixed.state_dict(), strict=False)
    assert not unexpected and all(key.endswith(("alpha", "beta")) for key in missing)
    x = torch.rand(64, 2, dtype=torch.float64)
    torch.testing.assert_close(tanh_raf(x), fixed(x), rtol=0, atol=1e-15)


def test_learnable_raf_is_the_weighted_sum_of_scaled_bases():
    bases = [BasisName.identity, BasisName.sin, BasisName.gaussian]
    layer = raf.raf(Mode.learnable, bases, gaussian_width=S, alpha_init=0.5, beta_init=1.0)(0, 4).double()
    with torch.no_grad():
        layer.alpha.copy_(torch.tensor([[1.0, 2.0, 0.0, -1.0], [0.5, 0.5, 1.0, 0.0], [0.0, 1.0, 2.0, 3.0]]))
        layer.beta.copy_(torch.tensor([[1.0, 1.0, 2.0, 1.0], [3.0, 1.0, 0.5, 1.0], [1.0, 2.0, 1.0, 0.5]]))
    x = torch.linspace(-1, 1, 20, dtype=torch.float64)[:, None].expand(20, 4)
    a, b = layer.alpha, layer.beta
    expected = a[0] * b[0] * x + a[1] * torch.sin(b[1] * x) + a[2] * torch.exp(-((b[2] * x) ** 2) / (2 * S**2))
    torch.testing.assert_close(layer(x), expected, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("network", [MLP, ResNet])
def test_gradients_reach_every_alpha_beta_and_rational_coefficient(network):
    shape = {"depth": 2} if network is MLP else {"blocks": 1}
    factory = raf.raf(Mode.learnable, list(BasisName), gaussian_width=1.0, alpha_init=0.3, beta_init=0.8)
    torch.manual_seed(0)
    model = network(in_features=2, width=6, activation=factory, low=[0, 0], high=[1, 1], **shape).double()
    x = torch.rand(50, 2, dtype=torch.float64)
    field = evaluate(model, x, ("x", "y"), "jets")
    (field.laplacian(("x", "y")).square().mean() + field.u.square().mean()).backward()
    trained = [(name, p) for name, p in model.named_parameters() if name.split(".")[-1] in ("alpha", "beta", "numerator", "denominator")]
    assert len(trained) == len(model.activations) * 4
    for name, p in trained:
        assert p.grad is not None and torch.count_nonzero(p.grad) > 0.9 * p.numel(), name


@pytest.mark.parametrize(("mode", "input_scaling"), [(Mode.learnable, True), (Mode.partition, True), (Mode.partition, False)])
def test_jets_equal_autograd_through_raf_and_resnet(mode, input_scaling):
    factory = raf.raf(mode, list(BasisName), gaussian_width=0.5, alpha_init=0.2, beta_init=0.9)
    torch.manual_seed(1)
    model = ResNet(
        in_features=2, blocks=2, width=16, activation=factory, low=[0, 0], high=[1, 2], input_scaling=input_scaling
    ).double()
    x = torch.rand(30, 2, dtype=torch.float64)
    by_autograd = evaluate(model, x, ("x", "t"), "autograd")
    by_jets = evaluate(model, x, ("x", "t"), "jets")
    for names in [(), ("x",), ("t",), ("x", "x"), ("t", "t")]:
        torch.testing.assert_close(by_jets.d(*names), by_autograd.d(*names), rtol=1e-11, atol=1e-11)


def test_resnet_structure_and_skip_connections():
    torch.manual_seed(0)
    model = ResNet(in_features=2, blocks=2, width=5, activation=activations.fixed("tanh"), low=[0, 0], high=[1, 1]).double()
    # the first block's first Linear takes the 2 inputs; there is no input layer before it
    assert sum(p.numel() for p in model.parameters()) == (2 * 5 + 5) + 3 * (5 * 5 + 5) + (5 + 1)
    x = torch.rand(8, 2, dtype=torch.float64)
    z = 2 * x - 1  # the input scaling of [0, 1]² onto [−1, 1]²
    l1, l2, l3, l4 = model.hidden
    h1 = torch.tanh(l2(torch.tanh(l1(z)))) + torch.nn.functional.pad(z, (0, 3))
    h2 = torch.tanh(l4(torch.tanh(l3(h1)))) + h1
    torch.testing.assert_close(model(x), model.output(h2), rtol=1e-14, atol=1e-14)


def test_resnet_has_the_authors_parameter_count():
    # LeungSamWai/Reproducing-Activation-Function, singular/setting.py: d = 2, width 50, two blocks
    model = ResNet(in_features=2, blocks=2, width=50, activation=activations.fixed("tanh"), low=[0, 0], high=[1, 1])
    assert sum(p.numel() for p in model.parameters()) == 7851


def _boundary_points(box, n=200):
    return torch.as_tensor(CollocationSampler(box, SAMPLERS["uniform"](), np.random.default_rng(0)).boundary(n))


@pytest.mark.parametrize("problem", ["poisson", "helmholtz", "burgers", "klein_gordon"])
def test_hard_bc_meets_the_boundary_data_to_round_off(problem):
    cfg = tiny_config(problem, "problem.hard_bc=true")
    parts = assemble(cfg)
    assert isinstance(parts.model, HardDirichlet)
    assert "boundary" not in parts.trainer.loss.components
    box = parts.problem.domain
    x = _boundary_points(box)
    condition = next(c for c in parts.problem.conditions if c.name == "boundary")
    u = parts.model(x)[:, 0]
    assert condition.residual(evaluate(parts.model, x, box.variables, "autograd")).abs().max().item() < 1e-14
    if condition.value is None:
        assert u.abs().max().item() < 1e-15
    # inside, the network is free: the prediction is not the lift alone
    inside = torch.as_tensor(CollocationSampler(box, SAMPLERS["uniform"](), np.random.default_rng(1)).interior(50))
    lift = parts.model.lifts[0](inside) if parts.model.lifts[0] is not None else torch.zeros(len(inside))
    assert (parts.model(inside)[:, 0] - lift).abs().max().item() > 1e-6


def test_lift_interpolates_nonzero_data_on_every_face_in_two_dimensions():
    box = Box(("x", "y"), (-1.0, 0.0), (2.0, 1.0))

    def data(p):
        return torch.sin(p["x"]) * torch.exp(p["y"]) + p["x"] * p["y"] ** 2

    constrained = HardDirichlet(torch.nn.Identity(), box, ("u",), {"u": data})
    x = _boundary_points(box, 400).double()
    torch.testing.assert_close(constrained.lifts[0](x), data(Points(x, box.variables)), rtol=1e-13, atol=1e-13)


def test_hard_bc_jets_equal_autograd_with_nonzero_data():
    cfg = tiny_config("klein_gordon", "problem.hard_bc=true", "network=resnet", "activation=raf", "activation.mode=learnable")
    parts = assemble(cfg)
    x = torch.as_tensor(CollocationSampler(parts.problem.domain, SAMPLERS["uniform"](), np.random.default_rng(2)).interior(40))
    by_autograd = evaluate(parts.model, x, ("x", "t"), "autograd")
    by_jets = evaluate(parts.model, x, ("x", "t"), "jets")
    for names in [(), ("x",), ("t",), ("x", "x"), ("t", "t")]:
        torch.testing.assert_close(by_jets.d(*names), by_autograd.d(*names), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_raf_parameters_train_under_adam_and_lbfgs(precision):
    cfg = tiny_config("poisson", "activation=raf", "activation.mode=learnable", "activation.basis=[sin,rational]", f"precision={precision}")
    parts = assemble(cfg)
    names = ("alpha", "beta", "numerator", "denominator")
    before = {n: p.detach().clone() for n, p in parts.model.named_parameters() if n.split(".")[-1] in names}
    assert all(p.dtype == getattr(torch, precision) for p in before.values())
    result = parts.trainer.fit(parts.model)
    assert (result.iterations["adam"], result.iterations["quasi_newton"]) == (6, 4)
    after = dict(parts.model.named_parameters())
    assert all(not torch.equal(before[n], after[n]) for n in before)


def test_raf_defaults_are_the_poly_sine_gaussian_partition():
    cfg = tiny_config("poisson", "activation=raf", "network.width=10")
    layer = assemble(cfg).model.activations[0]
    assert isinstance(layer, raf.PartitionRAF)
    assert [b.name for b in layer.bases] == ["identity", "square", "sin", "gaussian(s=0.05)"]
    assert layer.sizes == [2, 2, 2, 4]
    assert math.isclose(cfg.activation.gaussian_width, 0.05)
