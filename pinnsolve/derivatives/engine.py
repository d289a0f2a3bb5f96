"""What a derivative engine is, and how a model describes its layers to one.

An engine turns a model and points into a :class:`~pinnsolve.derivatives.field.Field` holding
the derivatives a residual needs. Reverse-mode autograd needs nothing from the model but its
``forward``; an engine that pushes derivatives forward layer by layer needs the model to
*describe* its computation: a model does so by writing its forward pass once, as
``compute(x, ops)``, with every step an ``ops`` call (:class:`Ops`). ``forward`` is then
``compute(x, PLAIN)``, and an engine passes ops of its own that carry derivatives along.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import torch
from torch import Tensor, nn

from pinnsolve.derivatives.field import Field, OutputKey


class Ops(Protocol):
    """The steps a model's ``compute(x, ops)`` is written in. Values are tensors for
    :data:`PLAIN`, an engine's own type otherwise; ``+``, ``-`` and ``*`` between values and
    with numbers are allowed."""

    def input(self, x: Tensor, centre: Tensor, half_width: Tensor) -> Any:
        """(x − centre) / half_width, shape (N, d)."""

    def column(self, x: Tensor, i: int) -> Any:
        """The input column x_i, shape (N,)."""

    def known(self, function: Callable[[Tensor], Tensor], x: Tensor) -> Any:
        """A function of the inputs alone (no parameters), shape (N,)."""

    def linear(self, layer: nn.Linear, z: Any) -> Any: ...

    def activation(self, activation: nn.Module, z: Any) -> Any:
        """An elementwise activation; one with ``derivatives(a) -> (σ, σ', σ'')`` gives them in closed form."""

    def pad(self, z: Any, width: int) -> Any:
        """Zeros appended to the last dimension up to ``width``."""

    def output(self, layer: nn.Linear, z: Any) -> Any:
        """A linear layer to the outputs, one per unknown: shape (N, m)."""

    def split(self, z: Any) -> list[Any]:
        """The columns of outputs ``z`` (N, m): m values of shape (N,)."""

    def join(self, columns: Sequence[Any]) -> Any:
        """Values of shape (N,) side by side as outputs (N, m)."""


class PlainOps:
    """The ops of a plain forward pass."""

    def input(self, x: Tensor, centre: Tensor, half_width: Tensor) -> Tensor:
        return (x - centre) / half_width

    def column(self, x: Tensor, i: int) -> Tensor:
        return x[:, i]

    def known(self, function: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
        return function(x)

    def linear(self, layer: nn.Linear, z: Tensor) -> Tensor:
        return layer(z)

    def activation(self, activation: nn.Module, z: Tensor) -> Tensor:
        return activation(z)

    def pad(self, z: Tensor, width: int) -> Tensor:
        return nn.functional.pad(z, (0, width - z.shape[-1]))

    def output(self, layer: nn.Linear, z: Tensor) -> Tensor:
        return layer(z)

    def split(self, z: Tensor) -> list[Tensor]:
        return list(z.unbind(-1))

    def join(self, columns: Sequence[Tensor]) -> Tensor:
        return torch.stack(list(columns), dim=-1)


PLAIN = PlainOps()


def describes_layers(model: nn.Module) -> bool:
    return callable(getattr(model, "compute", None))


class EngineError(ValueError):
    """An engine was asked for a model or a derivative it cannot handle."""


class DerivativeEngine(ABC):
    """Derivatives of a model's outputs (one per unknown) at points, for the keys a residual asks for."""

    name: str

    def unsupported(self, model: nn.Module, keys: frozenset[OutputKey], variables: Sequence[str]) -> str | None:
        """Why this engine cannot give ``keys`` of ``model`` (None if it can)."""
        return None

    def check(self, model: nn.Module, keys: frozenset[OutputKey], variables: Sequence[str]) -> None:
        reason = self.unsupported(model, keys, variables)
        if reason is not None:
            raise EngineError(f"derivatives={self.name}: {reason}")

    @abstractmethod
    def field(
        self, model: nn.Module, inputs: Tensor, variables: Sequence[str], unknowns: Sequence[str], keys: frozenset[OutputKey]
    ) -> Field:
        """``model`` at ``inputs`` (shape ``(N, d)``) as a Field of ``unknowns`` holding at least ``keys``."""

    def prepare(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` (the loss's evaluation, tensors in and out) as this engine runs it."""
        return function
