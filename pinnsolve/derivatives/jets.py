"""Forward jets: u and the derivatives a residual needs, pushed through the layers in one pass.

Every value of a described model (:mod:`pinnsolve.derivatives.engine`) is carried with its
first derivatives in the variables the residual differentiates in and with the second ones it
asks for, pure or mixed; a linear layer is one matrix product for all of them. An elementwise σ maps the streams by the
chain rule,

    z = σ(a),   z_i = σ'(a)·a_i,   z_ij = σ''(a)·a_i·a_j + σ'(a)·a_ij,

and a product of two values by Leibniz's rule. Derivatives beyond the second are not carried.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from pinnsolve.derivatives.engine import DerivativeEngine, describes_layers
from pinnsolve.derivatives.field import Field, Key, OutputKey, key_name


@dataclass(frozen=True)
class Layout:
    """Which derivatives a jet carries: ∂/∂x_i for i in ``firsts`` and ∂²/∂x_i∂x_j for (i, j) in ``seconds``."""

    firsts: tuple[int, ...]
    seconds: tuple[Key, ...]

    @classmethod
    def of(cls, keys: frozenset[Key]) -> Layout:
        """The layout carrying ``keys`` (derivatives in the variables, of whichever unknown)."""
        seconds = tuple(sorted(k for k in keys if len(k) == 2))
        firsts = tuple(sorted({i for k in keys for i in k}))
        return cls(firsts, seconds)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """Each second (i, j) as positions of i and j in ``firsts``."""
        position = {v: n for n, v in enumerate(self.firsts)}
        return [(position[i], position[j]) for i, j in self.seconds]

    def keys(self) -> list[Key]:
        return [(), *((i,) for i in self.firsts), *self.seconds]


@dataclass(frozen=True)
class Jet:
    """A value (shape (N, ...)) with its ``firsts`` and ``seconds`` (one tensor of the value's
    shape per derivative of the layout). Kept as separate tensors, not slices of one: in eager
    mode the backward pass of a slice fills a zero tensor of the whole, which costs more than
    the arithmetic here."""

    value: Tensor
    firsts: tuple[Tensor, ...]
    seconds: tuple[Tensor, ...]
    layout: Layout

    def streams(self) -> list[Tensor]:
        return [self.value, *self.firsts, *self.seconds]

    def _map(self, function: Callable[[Tensor], Tensor], value: Tensor | None = None) -> Jet:
        return Jet(
            function(self.value) if value is None else value,
            tuple(map(function, self.firsts)),
            tuple(map(function, self.seconds)),
            self.layout,
        )

    def __add__(self, other: Jet | float) -> Jet:
        if isinstance(other, Jet):
            return Jet(
                self.value + other.value,
                tuple(a + b for a, b in zip(self.firsts, other.firsts)),
                tuple(a + b for a, b in zip(self.seconds, other.seconds)),
                self.layout,
            )
        return Jet(self.value + other, self.firsts, self.seconds, self.layout)

    __radd__ = __add__

    def __neg__(self) -> Jet:
        return self._map(torch.neg)

    def __sub__(self, other: Jet | float) -> Jet:
        return self + (-other)

    def __rsub__(self, other: float) -> Jet:
        return (-self) + other

    def __mul__(self, other: Jet | float) -> Jet:
        if not isinstance(other, Jet):
            return self._map(lambda t: t * other)
        f, g = self, other
        seconds = tuple(
            fij * g.value + f.firsts[i] * g.firsts[j] + f.firsts[j] * g.firsts[i] + f.value * gij
            for (i, j), fij, gij in zip(self.layout.pairs, f.seconds, g.seconds)
        )
        firsts = tuple(fi * g.value + f.value * gi for fi, gi in zip(f.firsts, g.firsts))
        return Jet(f.value * g.value, firsts, seconds, self.layout)

    __rmul__ = __mul__


def elementwise_derivatives(activation: nn.Module, a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """σ(a), σ'(a), σ''(a) for an elementwise activation, from its closed form if it has one."""
    closed_form = getattr(activation, "derivatives", None)
    if closed_form is not None:
        return closed_form(a)
    if not a.requires_grad:
        a = a.detach().requires_grad_(True)
    value = activation(a)
    (first,) = torch.autograd.grad(value, a, torch.ones_like(value), create_graph=True, materialize_grads=True)
    (second,) = torch.autograd.grad(first, a, torch.ones_like(first), create_graph=True, materialize_grads=True)
    return value, first, second


def known_inputs(function: Callable[[Tensor], Tensor], x: Tensor, layout: Layout) -> Jet:
    """A function of the inputs alone as a jet: its derivatives, by autograd, need no graph to the
    parameters."""
    with torch.enable_grad():
        xg = x.detach().requires_grad_(True)
        value = function(xg)
        if value.requires_grad:
            (gradient,) = torch.autograd.grad(value.sum(), xg, create_graph=bool(layout.seconds))
        else:
            gradient = torch.zeros_like(xg)
        seconds = []
        for i, j in layout.seconds:
            if gradient.requires_grad:
                (row,) = torch.autograd.grad(gradient[:, i].sum(), xg, retain_graph=True, materialize_grads=True)
                seconds.append(row[:, j].detach())
            else:
                seconds.append(torch.zeros_like(value))
    firsts = tuple(gradient[:, i].detach() for i in layout.firsts)
    return Jet(value.detach(), firsts, tuple(seconds), layout)


class JetOps:
    """The :class:`~pinnsolve.derivatives.engine.Ops` of a jet pass with ``layout``."""

    def __init__(self, layout: Layout, known: Callable[..., Jet] = known_inputs) -> None:
        self.layout = layout
        self._known = known  # :func:`known_inputs`, or the compiled engine's eager wrapper of it

    def _with_constant_firsts(self, value: Tensor, firsts: list[Tensor]) -> Jet:
        """``value`` (N, ...) with first derivatives equal at every point (each broadcast from
        ``firsts``) and no second derivatives."""
        zero = torch.zeros_like(value)
        return Jet(value, tuple(f.expand_as(value) for f in firsts), (zero,) * len(self.layout.seconds), self.layout)

    def input(self, x: Tensor, centre: Tensor, half_width: Tensor) -> Jet:
        # ∂z/∂x_i = e_i / half_width_i: the same at every point
        unit = torch.eye(x.shape[1], dtype=x.dtype, device=x.device) / half_width
        return self._with_constant_firsts((x - centre) / half_width, [unit[i] for i in self.layout.firsts])

    def column(self, x: Tensor, i: int) -> Jet:
        one, zero = x.new_ones(()), x.new_zeros(())
        return self._with_constant_firsts(x[:, i], [one if v == i else zero for v in self.layout.firsts])

    def known(self, function: Callable[[Tensor], Tensor], x: Tensor) -> Jet:
        return self._known(function, x, self.layout)


    def _matmul(self, z: Jet, weight: Tensor, bias: Tensor) -> tuple[Tensor, list[Tensor]]:
        # one product for every stream; the bias shifts the value only
        streams = z.streams()
        out = (torch.cat(streams) @ weight).split(streams[0].shape[0])
        return out[0] + bias, out[1:]

    def linear(self, layer: nn.Linear, z: Jet) -> Jet:
        value, rest = self._matmul(z, layer.weight.T, layer.bias)
        k = len(self.layout.firsts)
        return Jet(value, tuple(rest[:k]), tuple(rest[k:]), self.layout)

    def activation(self, activation: nn.Module, z: Jet) -> Jet:
        value, first, second = elementwise_derivatives(activation, z.value)
        seconds = tuple(
            second * z.firsts[i] * z.firsts[j] + first * zij for (i, j), zij in zip(self.layout.pairs, z.seconds)
        )
        return Jet(value, tuple(first * zi for zi in z.firsts), seconds, self.layout)

    def pad(self, z: Jet, width: int) -> Jet:
        return z._map(lambda t: nn.functional.pad(t, (0, width - t.shape[-1])))

    def output(self, layer: nn.Linear, z: Jet) -> Jet:
        if layer.out_features == 1:
            # one output: a matrix-vector product, as before systems, so that a scalar problem's
            # numbers stay the same to the last bit
            value, rest = self._matmul(z, layer.weight[0], layer.bias)
            value, rest = value[:, None], [t[:, None] for t in rest]
        else:
            value, rest = self._matmul(z, layer.weight.T, layer.bias)
        k = len(self.layout.firsts)
        return Jet(value, tuple(rest[:k]), tuple(rest[k:]), self.layout)

    def split(self, z: Jet) -> list[Jet]:
        return [
            Jet(z.value[:, i], tuple(t[:, i] for t in z.firsts), tuple(t[:, i] for t in z.seconds), self.layout)
            for i in range(z.value.shape[1])
        ]

    def join(self, columns: Sequence[Jet]) -> Jet:
        def stack(streams: Sequence[Tensor]) -> Tensor:
            return torch.stack(list(streams), dim=-1)

        return Jet(
            stack([c.value for c in columns]),
            tuple(stack(s) for s in zip(*(c.firsts for c in columns))),
            tuple(stack(s) for s in zip(*(c.seconds for c in columns))),
            self.layout,
        )


class JetEngine(DerivativeEngine):
    """Every derivative a residual needs (up to second order) from one forward pass of a
    described model; nothing is differentiated on demand."""

    name = "jets"
    known: Callable[..., Jet] = staticmethod(known_inputs)  # how JetOps.known takes a function of the inputs

    def unsupported(self, model: nn.Module, keys: frozenset[OutputKey], variables: Sequence[str]) -> str | None:
        if not describes_layers(model):
            return (
                f"{type(model).__name__} does not describe its layers to a derivative engine (it has no "
                "compute(x, ops) method); use derivatives=autograd"
            )
        beyond = sorted(key_name(k, variables) for _, k in keys if len(k) > 2)
        if beyond:
            return f"jets carry derivatives up to second order, and {beyond} are asked for; use derivatives=autograd"
        return None

    def field(
        self, model: nn.Module, inputs: Tensor, variables: Sequence[str], unknowns: Sequence[str], keys: frozenset[OutputKey]
    ) -> Field:
        layout = Layout.of(frozenset(k for _, k in keys))
        inputs = inputs.detach()
        jet = model.compute(inputs, JetOps(layout, self.known))
        # every unknown's derivatives come out of the one pass: the output layer maps all streams at once
        known = {(i, key): stream[:, i] for key, stream in zip(layout.keys(), jet.streams()) for i in range(len(unknowns))}
        return Field(inputs, jet.value, variables, unknowns, known=known, on_demand=False)
