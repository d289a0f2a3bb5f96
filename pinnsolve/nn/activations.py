"""Activation functions and the factories that give each hidden layer its activation.

A network asks its factory for one module per hidden layer, ``factory(layer, width)``, so an
activation may hold parameters of its own (one per layer, per neuron, ...) without the network
knowing. Activations are elementwise and know nothing of problems; one may offer
``derivatives(x) -> (σ, σ', σ'')`` in closed form for derivative jets.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
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
    "leaky_relu": nn.functional.leaky_relu,  # slope 0.01 below 0, torch's default
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


# -- adaptive activations (Jagtap, Kawaguchi & Karniadakis 2020) ---------------------------


class Adaptive(nn.Module):
    """σ(n·a·x) with a fixed scale n and trainable slopes a: one scalar, or one per neuron.

    ``slopes`` is the layer's parameter; the global variant hands every layer the same one.
    """

    def __init__(self, base: str, scale: float, slopes: nn.Parameter) -> None:
        super().__init__()
        self.base = base
        self.function = base_function(base)
        self.scale = scale
        self.slopes = slopes
        self._closed_form = CLOSED_FORM_DERIVATIVES.get(base)
        if self._closed_form is not None:
            self.derivatives = self._derivatives

    def forward(self, x: Tensor) -> Tensor:
        return self.function(self.scale * self.slopes * x)

    def _derivatives(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        factor = self.scale * self.slopes
        value, first, second = self._closed_form(factor * x)
        return value, factor * first, factor * factor * second

    def extra_repr(self) -> str:
        return f"{self.base}, scale={self.scale:g}, slopes={tuple(self.slopes.shape) or 'scalar'}"


class SlopeVariant(Enum):
    GLOBAL = "global"  # GAAF: one slope shared by every hidden layer
    LAYER_WISE = "layer_wise"  # L-LAAF: one slope per hidden layer
    NEURON_WISE = "neuron_wise"  # N-LAAF: one slope per neuron


def adaptive(
    variant: SlopeVariant, base: str, *, scale: float | Sequence[float], init: float | None, spread: float = 0.0
) -> ActivationFactory:
    """Adaptive activations σ(n·a·x), every slope a starting at ``init`` (None: 1/n, the paper's
    start), plus, where ``spread`` > 0, a draw from U(−spread, spread) of its own (PINNacle's
    LAAF and GAAF start their slopes at random). ``scale`` n is one number, or one per hidden
    layer (the LAAF paper's n_k; not for the global variant, whose one slope cannot start at
    1/n_k in every layer)."""
    base_function(base)
    per_layer = not isinstance(scale, (int, float))
    if per_layer and variant is SlopeVariant.GLOBAL:
        raise ValueError("a scale per layer needs a slope per layer or per neuron, not the global variant's one slope")

    def scale_of(layer: int) -> float:
        if not per_layer:
            return float(scale)
        if layer >= len(scale):
            raise ValueError(f"{len(scale)} scales given, one per hidden layer, and the network has more layers")
        return float(scale[layer])

    def start(n: float) -> float:
        return 1 / n if init is None else init

    def slopes(shape: tuple[int, ...], n: float) -> nn.Parameter:
        # float64, so that a = 1/n is exact in a float64 network (.to(dtype) rounds it for float32)
        a = torch.full(shape, start(n), dtype=torch.float64)
        if spread > 0:  # no draw otherwise, so that the weights drawn after are those of a run without it
            a += spread * (2 * torch.rand(shape, dtype=torch.float64) - 1)
        return nn.Parameter(a)

    shared: list[nn.Parameter] = []  # the global variant's one slope, made with the network's first layer

    def make(layer: int, width: int) -> Adaptive:
        n = scale_of(layer)
        if variant is not SlopeVariant.GLOBAL:
            return Adaptive(base, n, slopes((width,) if variant is SlopeVariant.NEURON_WISE else (), n))
        if not shared:
            shared.append(slopes((), scale_of(0)))
        return Adaptive(base, n, shared[0])

    return make


PINNACLE_DRAW = "pinnacle"


def pinnacle_spread(variant: SlopeVariant, layers: int, width: int) -> float:
    """The half-width b of PINNacle's draw of the slopes, a ~ U(−b, b): Xavier-uniform with gain
    1.4 over its K × m matrix of slopes (K hidden layers of m slopes: the width for a slope per
    neuron, 1 for one per layer), b = 1.4·√(6/(K + m))."""
    if variant is SlopeVariant.GLOBAL:
        raise ValueError("PINNacle draws a slope per layer or per neuron, not one global slope")
    return 1.4 * math.sqrt(6 / (layers + (width if variant is SlopeVariant.NEURON_WISE else 1)))


def adaptive_layers(layers: Iterable[nn.Module]) -> list[Adaptive]:
    return [layer for layer in layers if isinstance(layer, Adaptive)]


def slope_recovery(layers: Sequence[Adaptive]) -> Tensor:
    """S(a) = 1 / ( (1/K) Σ_k exp(mean_i a_i^k) ) over the K adaptive layers, on the raw slopes a.

    This is the paper's term for every variant: a layer-wise slope is its own mean, and with one
    global slope the average of K equal terms is exp(a).
    """
    return 1 / torch.stack([torch.exp(layer.slopes.mean()) for layer in layers]).mean()


def slope_statistics(layers: Sequence[Adaptive]) -> dict[str, float]:
    """The slopes n·a per layer (``slope_1``, ...), or their mean, std, min and max per layer
    (``slope_1_mean``, ...) where each neuron has its own."""
    columns: dict[str, float] = {}
    for k, layer in enumerate(layers, start=1):
        slopes = (layer.scale * layer.slopes).detach()
        if slopes.ndim == 0:
            columns[f"slope_{k}"] = slopes.item()
        else:
            columns[f"slope_{k}_mean"] = slopes.mean().item()
            columns[f"slope_{k}_std"] = slopes.std(correction=0).item()
            columns[f"slope_{k}_min"] = slopes.min().item()
            columns[f"slope_{k}_max"] = slopes.max().item()
    return columns


def final_slopes(layers: Sequence[Adaptive]) -> dict[str, float | list[float]]:
    """Every learned slope n·a, per layer: a number, or a list with one entry per neuron."""
    return {f"layer_{k}": (layer.scale * layer.slopes).detach().cpu().tolist() for k, layer in enumerate(layers, start=1)}
