"""Points and fields: what a problem sees of a network.

Problems ask a :class:`Field` for ``u``, ``u_x``, ``u_xx``, the Laplacian, ... by the names of
their variables; nothing in ``problems/`` calls autograd itself. A derivative engine
(:mod:`pinnsolve.derivatives`) fills the Field: by autograd on demand, or ahead of time.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import torch
from torch import Tensor

# a partial derivative by the indices of its variables, sorted: () is u, (0,) ∂u/∂x_0, (0, 1) ∂²u/∂x_0∂x_1
Key = tuple[int, ...]


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


def key_name(key: Key, variables: Sequence[str]) -> str:
    """``u`` or ``u_`` followed by the variables, e.g. ``u_xt``."""
    return "u" + ("_" + "".join(variables[i] for i in key) if key else "")


class Field(Points):
    """A scalar field ``u`` evaluated at points, with its partial derivatives.

    ``u`` has shape ``(N,)``. ``known`` holds derivatives computed ahead of time, by :data:`Key`.
    Any other derivative is built on demand by reverse-mode autograd with ``create_graph=True``
    (so that a loss made of it can itself be differentiated; ``u`` must then have been computed
    from ``tensor``, which requires grad), unless ``on_demand`` is false, when asking for it is an
    error. Each backward pass yields the whole gradient, so all first partials of a derivative are
    cached together; mixed partials are stored under their variables in declaration order
    (``u_xt`` is ``u_tx``). The cache lives with this object, i.e. for one evaluation.
    """

    def __init__(
        self,
        tensor: Tensor,
        u: Tensor,
        variables: Sequence[str],
        *,
        known: Mapping[Key, Tensor] | None = None,
        on_demand: bool = True,
    ) -> None:
        super().__init__(tensor, variables)
        if u.shape != (tensor.shape[0],):
            raise ValueError(f"expected u of shape ({tensor.shape[0]},), got {tuple(u.shape)}")
        self.u = u
        self.on_demand = on_demand
        self._derivatives: dict[Key, Tensor] = {(): u, **(known or {})}

    def d(self, *names: str) -> Tensor:
        """The partial derivative of ``u`` in the named variables, e.g. ``d("x", "x")``; shape ``(N,)``."""
        key = tuple(sorted(self.index(name) for name in names))
        return self._derivative(key)

    def laplacian(self, names: Sequence[str]) -> Tensor:
        """Sum of the second derivatives in ``names``; shape ``(N,)``."""
        return sum(self.d(name, name) for name in names)

    def _derivative(self, key: Key) -> Tensor:
        if key in self._derivatives:
            return self._derivatives[key]
        if not self.on_demand:
            computed = sorted((k for k in self._derivatives if k), key=len)
            raise KeyError(
                f"{key_name(key, self.variables)} was not computed ahead of time; this field holds "
                f"{[key_name(k, self.variables) for k in computed]}"
            )
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


class _RecordingField(Field):
    """A field that answers every derivative with zeros and remembers which were asked for."""

    def __init__(self, tensor: Tensor, variables: Sequence[str]) -> None:
        super().__init__(tensor, torch.zeros_like(tensor[:, 0]), variables)
        self.asked: set[Key] = {()}

    def _derivative(self, key: Key) -> Tensor:
        self.asked.add(key)
        return torch.zeros_like(self.u)


def derivatives_used(
    residual: Callable[[Field], Tensor], variables: Sequence[str], low: Sequence[float], high: Sequence[float]
) -> frozenset[Key]:
    """The derivatives ``residual`` asks a field for (``()`` for u included), found by calling it
    once on a few points inside the box [low, high] with a field that records the questions."""
    generator = torch.Generator().manual_seed(0)
    unit = torch.rand(4, len(variables), dtype=torch.float64, generator=generator)
    tensor = torch.tensor(low, dtype=torch.float64) + unit * (torch.tensor(high, dtype=torch.float64) - torch.tensor(low, dtype=torch.float64))
    field = _RecordingField(tensor, variables)
    residual(field)
    return frozenset(field.asked)
