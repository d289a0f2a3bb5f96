"""Fully connected networks for a scalar solution u(inputs)."""
from __future__ import annotations

from collections.abc import Sequence

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


class MLP(nn.Module):
    """``depth`` hidden layers of ``width`` neurons and a linear output; (N, d) → (N,).

    Weights are Glorot (Xavier) normal and biases zero; the inputs are first mapped from the
    domain box onto [−1, 1]^d.
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
    ) -> None:
        super().__init__()
        self.scaling = InputScaling(low, high)
        sizes = [in_features] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activations = nn.ModuleList(activation(layer, width) for layer in range(depth))
        self.output = nn.Linear(sizes[-1], 1)
        for linear in [*self.hidden, self.output]:
            nn.init.xavier_normal_(linear.weight)
            nn.init.zeros_(linear.bias)

    def forward(self, x: Tensor) -> Tensor:
        z = self.scaling(x)
        for linear, activation in zip(self.hidden, self.activations):
            z = activation(linear(z))
        return self.output(z).squeeze(-1)

    def jet(self, x: Tensor) -> Jet:
        """u with its first and pure second input derivatives, propagated forward layer by layer.

        With z' = σ(a), a = Wz + b:  ∂z'/∂x_i = σ'(a)·W∂z/∂x_i  and
        ∂²z'/∂x_i² = σ''(a)·(W∂z/∂x_i)² + σ'(a)·W∂²z/∂x_i². Derivative tensors have shape (d, N, width).
        """
        z = self.scaling(x)
        # the input scaling is affine: ∂z/∂x_i = e_i / half_width_i, shape (d, 1, d), no second derivative
        dz = (torch.eye(x.shape[1], dtype=x.dtype, device=x.device) / self.scaling.half_width).unsqueeze(1)
        d2z: Tensor | None = None
        for linear, activation in zip(self.hidden, self.activations):
            a = linear(z)
            da = dz @ linear.weight.T
            value, first, second = elementwise_derivatives(activation, a)
            d2z = second * da * da if d2z is None else second * da * da + first * (d2z @ linear.weight.T)
            dz = first * da
            z = value
        w = self.output.weight[0]
        return Jet(self.output(z).squeeze(-1), dz @ w, d2z @ w)
