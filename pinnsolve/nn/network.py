"""Networks for the unknowns of a problem, one output each: a fully connected MLP, the RAF authors'
ResNet, and one network per unknown (:class:`PerUnknown`)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
import torch
from torch import Tensor, nn

from pinnsolve.nn.activations import ActivationFactory
from pinnsolve.derivatives import PLAIN, Ops


class InputScaling(nn.Module):
    """The affine map of the box [low, high] onto [−1, 1]^d (fixed, not trained)."""

    def __init__(self, low: Sequence[float], high: Sequence[float]) -> None:
        super().__init__()
        low_t, high_t = torch.tensor(low), torch.tensor(high)
        self.register_buffer("centre", (high_t + low_t) / 2)
        self.register_buffer("half_width", (high_t - low_t) / 2)

    def forward(self, x: Tensor) -> Tensor:
        return PLAIN.input(x, self.centre, self.half_width)


def _glorot_normal(linear: nn.Linear) -> None:
    nn.init.xavier_normal_(linear.weight)
    nn.init.zeros_(linear.bias)


def _torch_default(linear: nn.Linear) -> None:
    """Keep what nn.Linear drew: Kaiming-uniform weights, biases uniform in ±1/√fan_in."""


# the weight initialisation of every linear layer, by the name `network.init` takes
INITIALISERS: dict[str, Callable[[nn.Linear], None]] = {
    "glorot_normal": _glorot_normal,
    "torch_default": _torch_default,
}


def _input_map(low: Sequence[float], high: Sequence[float], input_scaling: bool) -> InputScaling:
    # without scaling the map is the identity, kept as a module so that forward and jet stay one path
    if input_scaling:
        return InputScaling(low, high)
    return InputScaling([-1.0] * len(low), [1.0] * len(high))


class MLP(nn.Module):
    """``depth`` hidden layers of ``width`` neurons and a linear output layer; (N, d) → (N, out_features).

    Weights are Glorot (Xavier) normal and biases zero (``init="torch_default"``: PyTorch's own
    initialisation); the inputs are first mapped from the domain box onto [−1, 1]^d unless
    ``input_scaling`` is false.
    """

    def __init__(
        self,
        *,
        in_features: int,
        depth: int,
        width: int,
        activation: ActivationFactory,
        low: Sequence[float],
        high: Sequence[float],
        init: str = "glorot_normal",
        input_scaling: bool = True,
        out_features: int = 1,
    ) -> None:
        super().__init__()
        self.width = width
        self.scaling = _input_map(low, high, input_scaling)
        sizes = [in_features] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activations = nn.ModuleList(activation(layer, width) for layer in range(depth))
        self.output = nn.Linear(sizes[-1], out_features)
        for linear in [*self.hidden, self.output]:
            INITIALISERS[init](linear)

    def forward(self, x: Tensor) -> Tensor:
        return self.compute(x, PLAIN)

    def compute(self, x: Tensor, ops: Ops):
        """The forward pass in ``ops`` (see :mod:`pinnsolve.derivatives.engine`)."""
        z = ops.input(x, self.scaling.centre, self.scaling.half_width)
        for linear, activation in zip(self.hidden, self.activations):
            z = ops.activation(activation, ops.linear(linear, z))
        return ops.output(self.output, z)


class ResNet(nn.Module):
    """The residual network of the RAF authors' code (after the Deep Ritz method); (N, d) → (N, out_features).

    ``blocks`` blocks of [Linear, σ, Linear, σ], each added to its input, then Linear(m→out_features). The
    first block's first Linear maps d → m and its skip is the network input zero-padded to width
    m; every other Linear is m → m. At d = 2, m = 50 and 2 blocks: 7,851 parameters, as theirs.
    Initialised and input-scaled like :class:`MLP` (same options); needs m ≥ d.
    """

    def __init__(
        self,
        *,
        in_features: int,
        blocks: int,
        width: int,
        activation: ActivationFactory,
        low: Sequence[float],
        high: Sequence[float],
        init: str = "glorot_normal",
        input_scaling: bool = True,
        out_features: int = 1,
    ) -> None:
        super().__init__()
        if width < in_features:
            raise ValueError(f"a ResNet's width ({width}) must be at least its input dimension ({in_features})")
        self.width = width
        self.scaling = _input_map(low, high, input_scaling)
        self.hidden = nn.ModuleList(nn.Linear(in_features if i == 0 else width, width) for i in range(2 * blocks))
        self.activations = nn.ModuleList(activation(layer, width) for layer in range(2 * blocks))
        self.output = nn.Linear(width, out_features)
        for linear in [*self.hidden, self.output]:
            INITIALISERS[init](linear)

    def forward(self, x: Tensor) -> Tensor:
        return self.compute(x, PLAIN)

    def compute(self, x: Tensor, ops: Ops):
        """The forward pass in ``ops`` (see :mod:`pinnsolve.derivatives.engine`)."""
        h = ops.input(x, self.scaling.centre, self.scaling.half_width)
        skip = ops.pad(h, self.width)
        layers = list(zip(self.hidden, self.activations))
        for (linear1, activation1), (linear2, activation2) in zip(layers[0::2], layers[1::2]):
            h = ops.activation(activation2, ops.linear(linear2, ops.activation(activation1, ops.linear(linear1, h))))
            h = skip = h + skip
        return ops.output(self.output, h)


class PerUnknown(nn.Module):
    """One network of one output per unknown, side by side; (N, d) → (N, m). Their hidden layers'
    activations are listed together, first network's first (what slope statistics and plots read)."""

    def __init__(self, networks: Sequence[nn.Module]) -> None:
        super().__init__()
        self.networks = nn.ModuleList(networks)
        self.width = networks[0].width

    @property
    def activations(self) -> nn.ModuleList:
        return nn.ModuleList(a for network in self.networks for a in network.activations)

    def forward(self, x: Tensor) -> Tensor:
        return self.compute(x, PLAIN)

    def compute(self, x: Tensor, ops: Ops):
        """Each network's one output, joined (see :mod:`pinnsolve.derivatives.engine`)."""
        return ops.join([ops.split(network.compute(x, ops))[0] for network in self.networks])


NETWORKS: dict[str, type[nn.Module]] = {"mlp": MLP, "resnet": ResNet}
