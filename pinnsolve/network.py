"""Networks for a scalar solution u(inputs): a fully connected MLP and the RAF paper's ResNet."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from pinnsolve.activations import ActivationFactory
from pinnsolve.derivatives import Jet, elementwise_derivatives


class InputScaling(nn.Module):
    """The affine map of the box [low, high] onto [−1, 1]^d (fixed, not trained)."""

    def __init__(self, low: Sequence[float], high: Sequence[float]) -> None:
        super().__init__()
        low_t, high_t = torch.tensor(low), torch.tensor(high)
        self.register_buffer("centre", (high_t + low_t) / 2)
        self.register_buffer("half_width", (high_t - low_t) / 2)

    def forward(self, x: Tensor) -> Tensor:
        return (x - self.centre) / self.half_width


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
    """``depth`` hidden layers of ``width`` neurons and a linear output; (N, d) → (N,).

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
    ) -> None:
        super().__init__()
        self.width = width
        self.scaling = _input_map(low, high, input_scaling)
        sizes = [in_features] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activations = nn.ModuleList(activation(layer, width) for layer in range(depth))
        self.output = nn.Linear(sizes[-1], 1)
        for linear in [*self.hidden, self.output]:
            INITIALISERS[init](linear)

    def forward(self, x: Tensor) -> Tensor:
        z = self.scaling(x)
        for linear, activation in zip(self.hidden, self.activations):
            z = activation(linear(z))
        return self.output(z).squeeze(-1)

    def jet(self, x: Tensor) -> Jet:
        """u with its first and pure second input derivatives, propagated forward layer by layer."""
        z = _input_jet(self.scaling, x)
        for linear, activation in zip(self.hidden, self.activations):
            z = _activation_jet(activation, _linear_jet(linear, z))
        return _output_jet(self.output, z)


class ResNet(nn.Module):
    """The residual network of the RAF paper (after the Deep Ritz method); (N, d) → (N,).

    Linear(d→m), then ``blocks`` blocks of [Linear(m→m), σ, Linear(m→m), σ], each added to its
    input (the first block's skip is the network input zero-padded to width m), then Linear(m→1).
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
    ) -> None:
        super().__init__()
        if width < in_features:
            raise ValueError(f"a ResNet's width ({width}) must be at least its input dimension ({in_features})")
        self.width = width
        self.scaling = _input_map(low, high, input_scaling)
        self.input = nn.Linear(in_features, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(2 * blocks))
        self.activations = nn.ModuleList(activation(layer, width) for layer in range(2 * blocks))
        self.output = nn.Linear(width, 1)
        for linear in [self.input, *self.hidden, self.output]:
            INITIALISERS[init](linear)

    def _pad(self, z: Tensor) -> Tensor:
        return nn.functional.pad(z, (0, self.width - z.shape[-1]))

    def forward(self, x: Tensor) -> Tensor:
        z = self.scaling(x)
        skip, h = self._pad(z), self.input(z)
        layers = list(zip(self.hidden, self.activations))
        for first, second in zip(layers[0::2], layers[1::2]):
            h = second[1](second[0](first[1](first[0](h)))) + skip
            skip = h
        return self.output(h).squeeze(-1)

    def jet(self, x: Tensor) -> Jet:
        z = _input_jet(self.scaling, x)
        skip = _JetState(self._pad(z.value), self._pad(z.first), None)
        h = _linear_jet(self.input, z)
        layers = list(zip(self.hidden, self.activations))
        for first, second in zip(layers[0::2], layers[1::2]):
            h = _activation_jet(first[1], _linear_jet(first[0], h))
            h = _activation_jet(second[1], _linear_jet(second[0], h))
            h = skip = h + skip
        return _output_jet(self.output, h)


NETWORKS: dict[str, type[nn.Module]] = {"mlp": MLP, "resnet": ResNet}


# -- derivative jets: values with their first and pure second input derivatives -----------------


@dataclass(frozen=True)
class _JetState:
    """Hidden values (N, m) with ∂/∂x_i and ∂²/∂x_i² of shape (d, N, m); ``second`` None while zero."""

    value: Tensor
    first: Tensor
    second: Tensor | None

    def __add__(self, other: _JetState) -> _JetState:
        if self.second is None or other.second is None:
            second = other.second if self.second is None else self.second
        else:
            second = self.second + other.second
        return _JetState(self.value + other.value, self.first + other.first, second)


def _input_jet(scaling: InputScaling, x: Tensor) -> _JetState:
    # the input scaling is affine: ∂z/∂x_i = e_i / half_width_i, shape (d, 1, d), no second derivative
    first = (torch.eye(x.shape[1], dtype=x.dtype, device=x.device) / scaling.half_width).unsqueeze(1)
    return _JetState(scaling(x), first, None)


def _linear_jet(linear: nn.Linear, z: _JetState) -> _JetState:
    second = None if z.second is None else z.second @ linear.weight.T
    return _JetState(linear(z.value), z.first @ linear.weight.T, second)


def _activation_jet(activation: nn.Module, a: _JetState) -> _JetState:
    """z = σ(a):  ∂z/∂x_i = σ'(a)·∂a/∂x_i  and  ∂²z/∂x_i² = σ''(a)·(∂a/∂x_i)² + σ'(a)·∂²a/∂x_i²."""
    value, first, second = elementwise_derivatives(activation, a.value)
    d2z = second * a.first * a.first
    if a.second is not None:
        d2z = d2z + first * a.second
    return _JetState(value, first * a.first, d2z)


def _output_jet(output: nn.Linear, z: _JetState) -> Jet:
    w = output.weight[0]
    second = z.second @ w if z.second is not None else torch.zeros_like(z.first @ w)
    return Jet(output(z.value).squeeze(-1), z.first @ w, second)
