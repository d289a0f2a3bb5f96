"""The MLP and the fixed activations."""
import math

import pytest
import torch

from pinnsolve.nn.activations import BASES, Fixed, fixed
from pinnsolve.nn.network import MLP, InputScaling

X = torch.linspace(-3, 3, 61, dtype=torch.float64)
CLOSED_FORMS = {
    "tanh": lambda x: (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x)),
    "sin": lambda x: torch.tensor([math.sin(v) for v in x.tolist()], dtype=x.dtype),
    "cos": lambda x: torch.tensor([math.cos(v) for v in x.tolist()], dtype=x.dtype),
    "relu": lambda x: torch.where(x > 0, x, 0.0),
    "gelu": lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2))),
    "silu": lambda x: x / (1 + torch.exp(-x)),
    "softplus": lambda x: torch.log1p(torch.exp(x)),
    "sigmoid": lambda x: 1 / (1 + torch.exp(-x)),
    "elu": lambda x: torch.where(x > 0, x, torch.exp(x) - 1),
    "leaky_relu": lambda x: torch.where(x > 0, x, 0.01 * x),
    "relu3": lambda x: torch.where(x > 0, x**3, 0.0),
}


@pytest.mark.parametrize("base", sorted(BASES))
def test_fixed_activation_values(base):
    torch.testing.assert_close(Fixed(base)(X), CLOSED_FORMS[base](X), atol=1e-14, rtol=1e-14)


def test_relu3_is_twice_differentiable_with_closed_form_derivatives():
    x = X.clone().requires_grad_(True)
    (first,) = torch.autograd.grad(Fixed("relu3")(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)
    torch.testing.assert_close(first, torch.where(X > 0, 3 * X**2, 0.0))
    torch.testing.assert_close(second, torch.where(X > 0, 6 * X, 0.0))


def test_unknown_base_lists_the_choices():
    with pytest.raises(ValueError, match=r"unknown activation base 'swish'; choose one of \['cos', 'elu'"):
        fixed("swish")


def make(depth=3, width=7, base="tanh", low=(-1.0, 0.0), high=(1.0, 10.0)):
    return MLP(in_features=len(low), depth=depth, width=width, activation=fixed(base), low=low, high=high).double()


def test_input_scaling_maps_the_box_onto_the_unit_cube():
    scaling = InputScaling((-1.0, 0.0), (1.0, 10.0)).double()
    corners = torch.tensor([[-1.0, 0.0], [1.0, 10.0], [0.0, 5.0]], dtype=torch.float64)
    torch.testing.assert_close(scaling(corners), torch.tensor([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0]], dtype=torch.float64))


def test_mlp_shape_layers_and_initialisation():
    torch.manual_seed(0)
    model = make(depth=3, width=7)
    assert model(torch.zeros(5, 2, dtype=torch.float64)).shape == (5, 1)
    assert [tuple(layer.weight.shape) for layer in model.hidden] == [(7, 2), (7, 7), (7, 7)]
    assert tuple(model.output.weight.shape) == (1, 7)
    assert all(torch.count_nonzero(layer.bias) == 0 for layer in [*model.hidden, model.output])
    assert sum(p.numel() for p in model.parameters()) == (2 * 7 + 7) + 2 * (7 * 7 + 7) + (7 + 1)


def test_torch_default_init_keeps_pytorch_uniform_weights_and_biases():
    torch.manual_seed(0)
    model = MLP(
        in_features=40, depth=1, width=400, activation=fixed("tanh"), low=(0.0,) * 40, high=(1.0,) * 40, init="torch_default"
    )
    weight, bias = model.hidden[0].weight, model.hidden[0].bias
    bound = 1 / math.sqrt(40)  # Kaiming uniform with a = √5, and nn.Linear's bias rule
    assert weight.abs().max().item() <= bound
    assert weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert bias.abs().max().item() <= bound and bias.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.15)


def test_without_input_scaling_the_raw_coordinates_go_in():
    low, high = (-1.0, 0.0), (1.0, 10.0)
    torch.manual_seed(0)
    raw = MLP(in_features=2, depth=2, width=5, activation=fixed("tanh"), low=low, high=high, input_scaling=False).double()
    torch.manual_seed(0)
    cube = make(depth=2, width=5, low=(-1.0, -1.0), high=(1.0, 1.0))  # already [−1, 1]²: its scaling is the identity
    x = torch.rand(20, 2, dtype=torch.float64) * torch.tensor([2.0, 10.0], dtype=torch.float64) - torch.tensor([1.0, 0.0])
    torch.testing.assert_close(raw(x), cube(x), rtol=0, atol=0)
    scaled = make(depth=2, width=5, low=low, high=high)
    assert not torch.allclose(scaled(x), raw(x))


def test_glorot_normal_weights_have_the_glorot_variance():
    torch.manual_seed(0)
    model = MLP(in_features=300, depth=1, width=500, activation=fixed("tanh"), low=(0.0,) * 300, high=(1.0,) * 300)
    weight = model.hidden[0].weight
    assert weight.std().item() == pytest.approx(math.sqrt(2 / (300 + 500)), rel=0.02)
    assert abs(weight.mean().item()) < 1e-3
