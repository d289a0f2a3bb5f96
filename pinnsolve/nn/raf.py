"""Reproducing activation functions (RAF; Liang, Lyu, Wang & Yang 2024, arXiv 2101.04844).

A neuron's activation is built from basis functions γ_p so that the network can reproduce
polynomial, Fourier and radial-basis approximations. Two forms:

- ``learnable`` (the paper's general form): σ_i(x) = Σ_p α_{p,i} γ_p(β_{p,i} x), with trainable
  α and β per neuron and basis function;
- ``partition`` (the form of the authors' PDE code): the layer's neurons are split into
  consecutive groups, one basis function per group, and the next linear layer makes the
  combination. Groups are equal, the remainder going to the last (width 50, 4 bases: 12/12/12/14).

Every basis gives σ, σ', σ'' in closed form, so RAF layers work with derivative jets.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum

import torch
from torch import Tensor, nn

from pinnsolve.nn.activations import ActivationFactory

Derivatives = tuple[Tensor, Tensor, Tensor]


class Basis(nn.Module):
    """A basis function γ with ``derivatives(x) -> (γ, γ', γ'')``."""

    def __init__(self, name: str, derivatives: Callable[[Tensor], Derivatives]) -> None:
        super().__init__()
        self.name = name
        self._derivatives = derivatives

    def derivatives(self, x: Tensor) -> Derivatives:
        return self._derivatives(x)

    def forward(self, x: Tensor) -> Tensor:
        return self._derivatives(x)[0]

    def extra_repr(self) -> str:
        return self.name


def _identity(x: Tensor) -> Derivatives:
    return x, torch.ones_like(x), torch.zeros_like(x)


def _square(x: Tensor) -> Derivatives:
    return x * x, 2 * x, torch.full_like(x, 2.0)


def _sin(x: Tensor) -> Derivatives:
    s = torch.sin(x)
    return s, torch.cos(x), -s


def _relu(x: Tensor) -> Derivatives:
    return torch.relu(x), (x > 0).to(x.dtype), torch.zeros_like(x)


def _relu3(x: Tensor) -> Derivatives:
    r = torch.relu(x)
    return r**3, 3 * r * r, 6 * r


def _tanh(x: Tensor) -> Derivatives:
    t = torch.tanh(x)
    first = 1 - t * t
    return t, first, -2 * t * first


def _gaussian(width: float) -> Callable[[Tensor], Derivatives]:
    """exp(−x²/(2s²)): γ' = −x/s²·γ, γ'' = (x²/s⁴ − 1/s²)·γ."""
    inverse_variance = 1 / width**2

    def derivatives(x: Tensor) -> Derivatives:
        g = torch.exp(-0.5 * inverse_variance * x * x)
        return g, -inverse_variance * x * g, (inverse_variance**2 * x * x - inverse_variance) * g

    return derivatives


class Rational(Basis):
    """P(x)/Q(x) with P cubic and Q quadratic, all 7 coefficients trainable (Boullé, Nakatsukasa
    & Townsend 2020), initialised to their best rational fit of ReLU, as in the RAF authors' code:
    P = 1.1915x³ + 1.5957x² + 0.5x + 0.0218, Q = 2.383x² + 1.
    """

    def __init__(self) -> None:
        super().__init__("rational", self._rational)
        # coefficients of x⁰, x¹, x², ...
        self.numerator = nn.Parameter(torch.tensor([0.0218, 0.5, 1.5957, 1.1915], dtype=torch.float64))
        self.denominator = nn.Parameter(torch.tensor([1.0, 0.0, 2.383], dtype=torch.float64))

    def _rational(self, x: Tensor) -> Derivatives:
        p0, p1, p2, p3 = self.numerator
        q0, q1, q2 = self.denominator
        p = p0 + x * (p1 + x * (p2 + x * p3))
        dp = p1 + x * (2 * p2 + 3 * p3 * x)
        d2p = 2 * p2 + 6 * p3 * x
        q = q0 + x * (q1 + x * q2)
        dq = q1 + 2 * q2 * x
        r = p / q
        first = (dp - r * dq) / q  # from p = r·q
        second = (d2p - 2 * first * dq - r * 2 * q2) / q
        return r, first, second


class BasisName(Enum):
    identity = "identity"
    square = "square"
    sin = "sin"
    gaussian = "gaussian"
    relu = "relu"
    relu3 = "relu3"
    tanh = "tanh"
    rational = "rational"


_FIXED_BASES: dict[BasisName, Callable[[Tensor], Derivatives]] = {
    BasisName.identity: _identity,
    BasisName.square: _square,
    BasisName.sin: _sin,
    BasisName.relu: _relu,
    BasisName.relu3: _relu3,
    BasisName.tanh: _tanh,
}


def basis(name: BasisName, *, gaussian_width: float) -> Basis:
    """A new basis function module (a rational one has coefficients of its own)."""
    if name is BasisName.rational:
        return Rational()
    if name is BasisName.gaussian:
        return Basis(f"gaussian(s={gaussian_width:g})", _gaussian(gaussian_width))
    return Basis(name.value, _FIXED_BASES[name])


def partition_sizes(width: int, parts: int) -> list[int]:
    """Equal consecutive groups, the remainder going to the last: (50, 4) → [12, 12, 12, 14]."""
    if parts < 1 or width < parts:
        raise ValueError(f"cannot split {width} neurons into {parts} non-empty groups")
    size = width // parts
    return [size] * (parts - 1) + [width - size * (parts - 1)]


class PartitionRAF(nn.Module):
    """Neurons in consecutive groups, group p applying γ_p; the next layer combines them."""

    def __init__(self, bases: Sequence[Basis], width: int) -> None:
        super().__init__()
        self.bases = nn.ModuleList(bases)
        self.sizes = partition_sizes(width, len(bases))

    def derivatives(self, x: Tensor) -> Derivatives:
        pieces = [b.derivatives(part) for b, part in zip(self.bases, torch.split(x, self.sizes, dim=-1))]
        return tuple(torch.cat([piece[k] for piece in pieces], dim=-1) for k in range(3))  # type: ignore[return-value]

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([b(part) for b, part in zip(self.bases, torch.split(x, self.sizes, dim=-1))], dim=-1)

    def extra_repr(self) -> str:
        return "groups=" + ", ".join(f"{b.name}×{n}" for b, n in zip(self.bases, self.sizes))


class LearnableRAF(nn.Module):
    """σ_i(x) = Σ_p α_{p,i} γ_p(β_{p,i} x); ``alpha`` and ``beta`` have shape (bases, width)."""

    def __init__(self, bases: Sequence[Basis], width: int, *, alpha_init: float, beta_init: float) -> None:
        super().__init__()
        self.bases = nn.ModuleList(bases)
        self.alpha = nn.Parameter(torch.full((len(bases), width), alpha_init, dtype=torch.float64))
        self.beta = nn.Parameter(torch.full((len(bases), width), beta_init, dtype=torch.float64))

    def derivatives(self, x: Tensor) -> Derivatives:
        value = first = second = 0
        for b, alpha, beta in zip(self.bases, self.alpha, self.beta):
            g, dg, d2g = b.derivatives(beta * x)
            value = value + alpha * g
            first = first + alpha * beta * dg
            second = second + alpha * beta * beta * d2g
        return value, first, second  # type: ignore[return-value]

    def forward(self, x: Tensor) -> Tensor:
        return sum(alpha * b(beta * x) for b, alpha, beta in zip(self.bases, self.alpha, self.beta))  # type: ignore[return-value]

    def extra_repr(self) -> str:
        return "bases=" + ", ".join(b.name for b in self.bases)


class Mode(Enum):
    learnable = "learnable"
    partition = "partition"


def raf(
    mode: Mode,
    names: Sequence[BasisName],
    *,
    gaussian_width: float,
    alpha_init: float,
    beta_init: float,
) -> ActivationFactory:
    """RAF layers: each hidden layer gets its own basis modules (and rational coefficients)."""
    if not names:
        raise ValueError("a RAF needs at least one basis function")

    def make(layer: int, width: int) -> nn.Module:
        bases = [basis(name, gaussian_width=gaussian_width) for name in names]
        if mode is Mode.partition:
            return PartitionRAF(bases, width)
        return LearnableRAF(bases, width, alpha_init=alpha_init, beta_init=beta_init)

    return make
