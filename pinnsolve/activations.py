"""Activation functions and the factories that give each hidden layer its activation.

A network asks its factory for one module per hidden layer, ``factory(layer, width)``, so an
activation may hold parameters of its own (one per layer, per neuron, ...) without the network
knowing. Activations are elementwise and know nothing of problems; one may offer
``derivatives(x) -> (σ, σ', σ'')`` in closed form for derivative jets.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import torch
from torch import Tensor, nn


def relu3(x: Tensor) -> Tensor:
    """ReLU³: max(0, x)³, twice continuously differentiable."""
    return torch.relu(x) ** 3


def _tanh_derivatives(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    s = torch.tanh(x)
    first = 1 - s * s
    return s, first, -2 * s * first


def _sin_derivatives(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    s = torch.sin(x)
    return s, torch.cos(x), -s


def _cos_derivatives(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    c = torch.cos(x)
    return c, -torch.sin(x), -c


# σ, σ', σ'' in closed form where that is cheaper than autograd (for derivative jets)
CLOSED_FORM_DERIVATIVES: dict[str, Callable[[Tensor], tuple[Tensor, Tensor, Tensor]]] = {
    "tanh": _tanh_derivatives,
    "sin": _sin_derivatives,
    "cos": _cos_derivatives,
}

BASES: dict[str, Callable[[Tensor], Tensor]] = {
    "tanh": torch.tanh,
    "sin": torch.sin,
    "cos": torch.cos,
    "relu": torch.relu,
    "gelu": nn.functional.gelu,
    "silu": nn.functional.silu,
    "softplus": nn.functional.softplus,
    "sigmoid": torch.sigmoid,
    "elu": nn.functional.elu,
    "relu3": relu3,
}


def base_function(name: str) -> Callable[[Tensor], Tensor]:
    try:
        return BASES[name]
    except KeyError:
        raise ValueError(f"unknown activation base {name!r}; choose one of {sorted(BASES)}") from None


class Fixed(nn.Module):
    """σ(x) for a fixed elementwise σ."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.function = base_function(base)
        if base in CLOSED_FORM_DERIVATIVES:
            self.derivatives = CLOSED_FORM_DERIVATIVES[base]

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x)

    def extra_repr(self) -> str:
        return self.base


class ActivationFactory(Protocol):
    def __call__(self, layer: int, width: int) -> nn.Module:
        """The activation of hidden layer ``layer`` (0-based) with ``width`` neurons."""


def fixed(base: str) -> ActivationFactory:
    base_function(base)  # fail at assembly, not in the first forward pass
    return lambda layer, width: Fixed(base)
