"""Derivatives of a network output with respect to its named inputs.

Problems ask a :class:`Field` for ``u``, ``u_x``, ``u_xx``, the Laplacian, ... by the
names of their variables; nothing in ``problems/`` calls autograd itself. Two engines fill a
Field: reverse-mode autograd (any model, any derivative), and *jets*: a model with a ``jet``
method propagates u with its first and pure second derivatives forward through its layers in
one pass, which costs a fraction of the nested backward passes; any other derivative a problem
asks of such a Field still comes from autograd.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn


@dataclass(frozen=True)
class Jet:
    """u (shape ``(N,)``), its first derivatives ``first[i] = ∂u/∂x_i`` and pure second
    derivatives ``second[i] = ∂²u/∂x_i²`` (both shape ``(d, N)``)."""

    u: Tensor
    first: Tensor
    second: Tensor


class Points:
    """Coordinates of ``N`` points in ``d`` named variables.

    ``tensor`` has shape ``(N, d)``; ``points["x"]`` is the column of ``x``, shape ``(N,)``.
    """

    def __init__(self, tensor: Tensor, variables: Sequence[str]) -> None:
        if tensor.ndim != 2 or tensor.shape[1] != len(variables):
            raise ValueError(
                f"expected points of shape (N, {len(variables)}) for variables {list(variables)}, "
                f"got {tuple(tensor.shape)}"
            )
        self.tensor = tensor
        self.variables = tuple(variables)
        self._column = {name: i for i, name in enumerate(self.variables)}

    def __getitem__(self, name: str) -> Tensor:
        return self.tensor[:, self.index(name)]

    def index(self, name: str) -> int:
        try:
            return self._column[name]
        except KeyError:
            raise KeyError(f"unknown variable {name!r}; the variables are {list(self.variables)}") from None


class Field(Points):
    """A scalar field ``u`` evaluated at points, with its partial derivatives on demand.

    ``u`` has shape ``(N,)`` and must have been computed from ``tensor`` (which requires grad).
    Derivatives are built by reverse-mode autograd with ``create_graph=True`` so that a loss
    made of them can itself be differentiated. Each backward pass yields the whole gradient, so
    all first partials of a given derivative are cached together; mixed partials are stored
    under their variables in declaration order (``u_xt`` is ``u_tx``). The cache lives with
    this object, i.e. for one evaluation.
    """

    def __init__(self, tensor: Tensor, u: Tensor, variables: Sequence[str], *, jet: Jet | None = None) -> None:
        super().__init__(tensor, variables)
        if u.shape != (tensor.shape[0],):
            raise ValueError(f"expected u of shape ({tensor.shape[0]},), got {tuple(u.shape)}")
        self.u = u
        self._derivatives: dict[tuple[int, ...], Tensor] = {(): u}
        if jet is not None:
            for i in range(len(self.variables)):
                self._derivatives[(i,)] = jet.first[i]
                self._derivatives[(i, i)] = jet.second[i]

    def d(self, *names: str) -> Tensor:
        """The partial derivative of ``u`` in the named variables, e.g. ``d("x", "x")``; shape ``(N,)``."""
        key = tuple(sorted(self.index(name) for name in names))
        return self._derivative(key)

    def laplacian(self, names: Sequence[str]) -> Tensor:
        """Sum of the second derivatives in ``names``; shape ``(N,)``."""
        return sum(self.d(name, name) for name in names)

    def _derivative(self, key: tuple[int, ...]) -> Tensor:
        if key not in self._derivatives:
            lower = key[:-1]
            inner = self._derivative(lower)
            if inner.requires_grad:
                (gradient,) = torch.autograd.grad(
                    inner,
                    self.tensor,
                    grad_outputs=torch.ones_like(inner),
                    create_graph=True,
                    materialize_grads=True,
                )
            else:  # a derivative that no longer depends on the inputs: all higher ones vanish
                gradient = torch.zeros_like(self.tensor)
            for column in range(gradient.shape[1]):
                self._derivatives.setdefault(tuple(sorted(lower + (column,))), gradient[:, column])
        return self._derivatives[key]


def evaluate(model: nn.Module, inputs: Tensor, variables: Sequence[str], *, jets: bool) -> Field:
    """``model`` at ``inputs`` (shape ``(N, d)``) as a Field; from one jet pass if ``jets`` and the model has one."""
    inputs = inputs.detach().requires_grad_(True)
    if jets and hasattr(model, "jet"):
        jet = model.jet(inputs)
        return Field(inputs, jet.u, variables, jet=jet)
    return Field(inputs, model(inputs), variables)


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
