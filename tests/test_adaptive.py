"""Adaptive activations σ(n·a·x) and the slope recovery term (Jagtap, Kawaguchi & Karniadakis 2020)."""
import math

import pytest
import torch

from conftest import evaluate, tiny_config
from pinnsolve.nn import activations
from pinnsolve.nn.activations import SlopeVariant, slope_recovery
from pinnsolve.assemble import assemble
from pinnsolve.nn.network import MLP

VARIANTS = list(SlopeVariant)


def network(activation, *, depth=3, width=20, in_features=1, seed=0):
    torch.manual_seed(seed)
    model = MLP(in_features=in_features, depth=depth, width=width, activation=activation, low=[-1.0] * in_features, high=[1.0] * in_features)
    return model.double()


def adaptive_network(variant, *, scale=10.0, init=None, **kwargs):
    factory = activations.adaptive(variant, "tanh", scale=scale, init=1 / scale if init is None else init)
    return network(factory, **kwargs)


def layers(model):
    return activations.adaptive_layers(model.activations)


def test_slope_recovery_by_hand():
    """S(a) for chosen slopes, computed from the paper's formulas written out."""
    model = adaptive_network(SlopeVariant.LAYER_WISE, depth=3)
    with torch.no_grad():
        for layer, value in zip(layers(model), (0.1, 0.2, 0.5)):
            layer.slopes.fill_(value)
    expected = 1 / ((math.exp(0.1) + math.exp(0.2) + math.exp(0.5)) / 3)
    assert slope_recovery(layers(model)).item() == pytest.approx(expected, rel=1e-14)

    model = adaptive_network(SlopeVariant.NEURON_WISE, depth=2, width=4)
    slopes = [[0.1, 0.3, 0.2, 0.6], [1.0, -0.2, 0.4, 0.2]]  # layer means 0.3 and 0.35
    with torch.no_grad():
        for layer, values in zip(layers(model), slopes):
            layer.slopes.copy_(torch.tensor(values, dtype=torch.float64))
    expected = 1 / ((math.exp(0.3) + math.exp(0.35)) / 2)
    assert slope_recovery(layers(model)).item() == pytest.approx(expected, rel=1e-14)

    model = adaptive_network(SlopeVariant.GLOBAL, depth=4)
    with torch.no_grad():
        layers(model)[0].slopes.fill_(0.7)  # one parameter, shared by every layer
    assert all(layer.slopes.item() == 0.7 for layer in layers(model))
    assert slope_recovery(layers(model)).item() == pytest.approx(math.exp(-0.7), rel=1e-14)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("scale", [1.0, 5.0, 10.0])
def test_slope_recovery_at_initialisation_is_exp_minus_one_over_n(variant, scale):
    model = adaptive_network(variant, scale=scale)
    assert slope_recovery(layers(model)).item() == pytest.approx(math.exp(-1 / scale), rel=1e-14)
    assert all(torch.all(layer.scale * layer.slopes == 1) for layer in layers(model))


@pytest.mark.parametrize("variant", [SlopeVariant.LAYER_WISE, SlopeVariant.NEURON_WISE])
def test_a_scale_per_layer_gives_each_layer_its_n_and_starts_every_n_a_at_one(variant):
    model = network(activations.adaptive(variant, "tanh", scale=[10.0, 4.0, 1.0], init=None), depth=3)
    assert [layer.scale for layer in layers(model)] == [10.0, 4.0, 1.0]
    assert [layer.slopes.flatten()[0].item() for layer in layers(model)] == [0.1, 0.25, 1.0]
    # S(a) on the raw slopes, as the LAAF paper writes it: 1 / mean_k exp(1/n_k)
    expected = 1 / ((math.exp(0.1) + math.exp(0.25) + math.exp(1.0)) / 3)
    assert slope_recovery(layers(model)).item() == pytest.approx(expected, rel=1e-14)
    fixed = network(activations.fixed("tanh"), depth=3)
    x = torch.linspace(-1, 1, 41, dtype=torch.float64)[:, None]
    torch.testing.assert_close(model(x), fixed(x), rtol=0, atol=1e-15)  # n·a = 1 in every layer: tanh itself


def test_a_scale_per_layer_is_refused_for_the_one_global_slope_and_for_too_few_layers():
    with pytest.raises(ValueError, match="not the global variant's one slope"):
        activations.adaptive(SlopeVariant.GLOBAL, "tanh", scale=[10.0, 5.0], init=None)
    with pytest.raises(ValueError, match="2 scales given"):
        network(activations.adaptive(SlopeVariant.LAYER_WISE, "tanh", scale=[10.0, 5.0], init=None), depth=3)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_spread_draws_each_slope_uniformly_around_init_from_the_seed(variant):
    """PINNacle's LAAF: a ~ U(−b, b), each slope its own draw, the same draw for the same seed."""
    depth, width, bound = 4, 100, 1.4 * math.sqrt(6 / 104)
    def slopes(seed):
        factory = activations.adaptive(variant, "tanh", scale=10.0, init=0.0, spread=bound)
        return torch.cat([layer.slopes.detach().flatten() for layer in layers(network(factory, depth=depth, width=width, seed=seed))])

    drawn = slopes(0)
    assert len(drawn) == {SlopeVariant.GLOBAL: depth, SlopeVariant.LAYER_WISE: depth, SlopeVariant.NEURON_WISE: depth * width}[variant]
    assert drawn.abs().max() < bound
    if variant is SlopeVariant.GLOBAL:
        assert torch.all(drawn == drawn[0])  # one slope, shared
    else:
        assert len(set(drawn.tolist())) == len(drawn)
    if variant is SlopeVariant.NEURON_WISE:  # 400 draws of U(−b, b): mean 0 ± b/√1200 (σ), variance b²/3
        assert abs(drawn.mean().item()) < 5 * bound / math.sqrt(1200)
        assert drawn.var().item() == pytest.approx(bound**2 / 3, rel=0.2)
    torch.testing.assert_close(slopes(0), drawn, rtol=0, atol=0)
    assert not torch.equal(slopes(1), drawn)


def test_without_a_spread_the_weights_are_those_of_a_fixed_network_with_the_same_seed():
    # the draw takes numbers from the seed's stream only when asked for
    fixed = network(activations.fixed("tanh"), depth=3)
    adaptive = adaptive_network(SlopeVariant.NEURON_WISE, depth=3)
    assert all(torch.equal(a, b) for a, b in zip(fixed.state_dict().values(), (v for k, v in adaptive.state_dict().items() if "slopes" not in k)))


def test_an_adaptive_leaky_relu_scales_both_sides():
    # the GAAF paper's Leaky-ReLU: σ(n·a·x) with n·a = 2 is 2x above zero and 0.02x below
    x = torch.tensor([-3.0, -0.5, 0.0, 0.25, 2.0], dtype=torch.float64)
    adaptive = activations.adaptive(SlopeVariant.LAYER_WISE, "leaky_relu", scale=5.0, init=0.4)(0, 5)
    torch.testing.assert_close(adaptive(x), torch.tensor([-0.06, -0.01, 0.0, 0.5, 4.0], dtype=torch.float64), rtol=1e-15, atol=0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_adaptive_network_equals_fixed_network_at_initialisation(variant):
    fixed = network(activations.fixed("tanh"), in_features=2)
    adaptive = adaptive_network(variant, in_features=2)
    missing, unexpected = adaptive.load_state_dict(fixed.state_dict(), strict=False)
    assert not unexpected and all("slopes" in key for key in missing)
    x = torch.rand(50, 2, dtype=torch.float64) * 2 - 1
    torch.testing.assert_close(adaptive(x), fixed(x), rtol=0, atol=1e-15)


@pytest.mark.parametrize("variant", VARIANTS)
def test_gradients_reach_every_slope(variant):
    model = adaptive_network(variant, in_features=2, width=6)
    with torch.no_grad():  # away from the symmetric start, so that no neuron's gradient is zero by accident
        for layer in layers(model):
            layer.slopes.add_(0.01 * torch.rand_like(layer.slopes))
    x = torch.rand(40, 2, dtype=torch.float64)
    field = evaluate(model, x, ("x", "y"), "autograd")
    loss = field.laplacian(("x", "y")).square().mean() + slope_recovery(layers(model))
    loss.backward()
    for layer in layers(model):
        assert layer.slopes.grad is not None and torch.all(layer.slopes.grad != 0)


def test_parameter_counts():
    """On a 1 → 3×20 → 1 network: GAAF adds 1 slope, L-LAAF 3, N-LAAF 60 (one per hidden neuron).

    The LAAF paper counts 61 for N-LAAF (ratio 1.0677): its authors' code allocates a slope for the
    linear output layer too and never uses it. We create only slopes that act: 961 / 901 = 1.0666.
    """

    def count(model):
        return sum(p.numel() for p in model.parameters())

    fixed = count(network(activations.fixed("tanh")))
    assert fixed == (1 * 20 + 20) + 2 * (20 * 20 + 20) + (20 + 1) == 901
    extra = {variant: count(adaptive_network(variant)) - fixed for variant in VARIANTS}
    assert extra == {SlopeVariant.GLOBAL: 1, SlopeVariant.LAYER_WISE: 3, SlopeVariant.NEURON_WISE: 60}
    assert (fixed + extra[SlopeVariant.NEURON_WISE]) / fixed == pytest.approx(1.0666, abs=1e-4)


@pytest.mark.parametrize("variant", VARIANTS)
def test_jets_equal_autograd_through_adaptive_slopes(variant):
    model = adaptive_network(variant, in_features=2, width=7, init=0.13)
    x = torch.rand(30, 2, dtype=torch.float64)
    by_autograd = evaluate(model, x, ("x", "t"), "autograd")
    by_jets = evaluate(model, x, ("x", "t"), "jets")
    for names in [(), ("x",), ("t",), ("x", "x"), ("t", "t")]:
        torch.testing.assert_close(by_jets.d(*names), by_autograd.d(*names), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("preset", "slope_recovery_on"), [
    ("layer_wise", True), ("layer_wise_no_sr", False),
    ("global", False),  # GAAF: the paper has no slope recovery term
    ("global_sr", True),  # our extension: S(a) = 1/exp(a) for the one slope
])
def test_loss_carries_the_slope_term_with_its_weight(preset, slope_recovery_on):
    cfg = tiny_config("poisson", f"activation={preset}", "activation.slope_recovery_weight=2.5")
    parts = assemble(cfg)
    loss = parts.trainer.loss
    assert loss.components[-1] == "slope_recovery"
    assert loss.weights["slope_recovery"] == (2.5 if slope_recovery_on else 0.0)
    total, terms = loss(parts.model, parts.trainer.points)
    weighted = sum(loss.weights[name] * term for name, term in terms.items())
    torch.testing.assert_close(total, weighted, rtol=1e-14, atol=0)
    assert terms["slope_recovery"].item() == pytest.approx(math.exp(-0.1), rel=1e-14)


@pytest.mark.parametrize("precision", ["float32", "float64"])
@pytest.mark.parametrize("variant", ["global", "neuron_wise"])
def test_slopes_train_under_adam_and_lbfgs(variant, precision):
    cfg = tiny_config("poisson", f"activation={variant}", f"precision={precision}", "trainer.adam.iterations=0")
    parts = assemble(cfg)
    before = [layer.slopes.detach().clone() for layer in layers(parts.model)]
    assert all(layer.slopes.dtype == getattr(torch, precision) for layer in layers(parts.model))
    result = parts.trainer.fit(parts.model)  # L-BFGS only
    assert result.iterations["quasi_newton"] > 0
    assert any(not torch.equal(b, layer.slopes) for b, layer in zip(before, layers(parts.model)))

    cfg = tiny_config("poisson", f"activation={variant}", f"precision={precision}", "trainer.quasi_newton.iterations=0")
    parts = assemble(cfg)
    before = [layer.slopes.detach().clone() for layer in layers(parts.model)]
    parts.trainer.fit(parts.model)  # Adam only
    assert all(not torch.equal(b, layer.slopes) for b, layer in zip(before, layers(parts.model)))


@pytest.mark.parametrize(("variant", "per_layer"), [("neuron_wise_no_sr", 40), ("layer_wise_no_sr", 1)])
def test_init_pinnacle_draws_the_slopes_as_pinnacles_laaf_and_gaaf(variant, per_layer):
    """a ~ U(−b, b), b = 1.4·√(6/(K + m)): torch's Xavier-uniform bound with gain 1.4 on a K × m matrix."""
    parts = assemble(tiny_config("poisson", f"activation={variant}", "activation.init=pinnacle", "network.depth=3", "network.width=40"))
    drawn = torch.cat([layer.slopes.detach().flatten() for layer in layers(parts.model)])
    matrix = torch.empty(3, per_layer)
    torch.nn.init.xavier_uniform_(matrix, gain=1.4)  # its bound, written out by torch: gain·√(6/(fan_in + fan_out))
    bound = 1.4 * math.sqrt(6 / (3 + per_layer))
    assert len(drawn) == 3 * per_layer and drawn.abs().max() < bound and matrix.abs().max() < bound
    assert drawn.min() < 0 < drawn.max()
    assert activations.pinnacle_spread(SlopeVariant(variant.removesuffix("_no_sr")), 3, 40) == pytest.approx(bound, rel=1e-15)
    again = assemble(tiny_config("poisson", f"activation={variant}", "activation.init=pinnacle", "network.depth=3", "network.width=40"))
    assert torch.equal(torch.cat([layer.slopes.detach().flatten() for layer in layers(again.model)]), drawn)


@pytest.mark.parametrize(("value", "slope"), [("1", 1.0), ("0.25", 0.25)])
def test_init_takes_an_integer_or_a_float_from_the_command_line(value, slope):
    parts = assemble(tiny_config("poisson", "activation=layer_wise", f"activation.init={value}"))
    assert all(torch.equal(layer.slopes, torch.tensor(slope, dtype=layer.slopes.dtype)) for layer in layers(parts.model))


def test_history_records_slopes_from_iteration_zero():
    parts = assemble(tiny_config("poisson", "activation=neuron_wise", "activation.scale=5"))
    history = parts.trainer.fit(parts.model).history
    first = history[0]
    assert first["iteration"] == 0
    assert first["slope_recovery"] == pytest.approx(math.exp(-1 / 5), rel=1e-14)
    for k in (1, 2):  # tiny networks have 2 hidden layers
        assert first[f"slope_{k}_mean"] == pytest.approx(1.0, rel=1e-14)
        assert (first[f"slope_{k}_std"], first[f"slope_{k}_min"], first[f"slope_{k}_max"]) == pytest.approx((0, 1, 1))
    last = history[-1]
    assert last["slope_1_min"] < last["slope_1_mean"] < last["slope_1_max"]
