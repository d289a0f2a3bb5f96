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


def key_name(key: Key, variables: Sequence[str], unknown: str = "u") -> str:
    """The unknown's name followed by ``_`` and the variables, e.g. ``u_xt``; the name alone for the value."""
    return unknown + ("_" + "".join(variables[i] for i in key) if key else "")


# a partial derivative of one unknown: (its position among the unknowns, the Key in the variables)
OutputKey = tuple[int, Key]


class Field(Points):
    """Unknowns evaluated at points, with their partial derivatives.

    ``outputs`` has shape ``(N, m)``, one column per name in ``unknowns`` (a single unknown may be
    given as shape ``(N,)``). ``f["u"]`` is the unknown u (``f["x"]`` the coordinate x, as for
    :class:`Points`; unknowns and variables have distinct names), ``f.d("u", "x", "x")`` its second
    derivative in x; with one unknown ``f.u`` and ``f.d("x", "x")`` say the same without naming it.
    ``known`` holds derivatives computed ahead of time, by :data:`OutputKey`. Any other derivative
    is built on demand by reverse-mode autograd with ``create_graph=True`` (so that a loss made of
    it can itself be differentiated; the outputs must then have been computed from ``tensor``,
    which requires grad), unless ``on_demand`` is false, when asking for it is an error. Each
    backward pass yields the whole gradient, so all first partials of a derivative are cached
    together; mixed partials are stored under their variables in declaration order (``u_xt`` is
    ``u_tx``). The cache lives with this object, i.e. for one evaluation. ``normals`` are the
    outward unit normals where the points lie on a boundary: each spatial variable's component,
    shape ``(N,)``, by the variable's name.
    """

    def __init__(
        self,
        tensor: Tensor,
        outputs: Tensor,
        variables: Sequence[str],
        unknowns: Sequence[str] = ("u",),
        *,
        known: Mapping[OutputKey, Tensor] | None = None,
        on_demand: bool = True,
        normals: Mapping[str, Tensor] | None = None,
    ) -> None:
        super().__init__(tensor, variables)
        self.unknowns = tuple(unknowns)
        clash = sorted(set(self.unknowns) & set(self.variables))
        if clash:
            raise ValueError(f"unknowns and variables must have distinct names; {clash} are both")
        if outputs.ndim == 1 and len(self.unknowns) == 1:
            outputs = outputs[:, None]
        if outputs.shape != (tensor.shape[0], len(self.unknowns)):
            raise ValueError(
                f"expected outputs of shape ({tensor.shape[0]}, {len(self.unknowns)}) for unknowns {list(self.unknowns)}, "
                f"got {tuple(outputs.shape)}"
            )
        self.outputs = outputs
        self.on_demand = on_demand
        self.normals = normals
        self._output = {name: i for i, name in enumerate(self.unknowns)}
        self._derivatives: dict[OutputKey, Tensor] = {(i, ()): outputs[:, i] for i in range(len(self.unknowns))}
        self._derivatives.update(known or {})

    def __getitem__(self, name: str) -> Tensor:
        if name in self._output:
            return self._derivative((self._output[name], ()))
        return super().__getitem__(name)

    @property
    def u(self) -> Tensor:
        """The value of the only unknown, shape ``(N,)``."""
        return self._derivative((self._sole_unknown("f.u"), ()))

    def d(self, *names: str) -> Tensor:
        """A partial derivative, shape ``(N,)``: ``d("u", "x", "x")`` is u's second derivative in x;
        with one unknown its name may be left out, ``d("x", "x")``."""
        if names and names[0] in self._output:
            output, names = self._output[names[0]], names[1:]
        else:
            output = self._sole_unknown(f"f.d({', '.join(map(repr, names))})")
        return self._derivative((output, tuple(sorted(self.index(name) for name in names))))

    def laplacian(self, names: Sequence[str], of: str | None = None) -> Tensor:
        """Sum of the second derivatives in ``names`` of the unknown ``of`` (the only one if None); shape ``(N,)``."""
        unknown = () if of is None else (of,)
        return sum(self.d(*unknown, name, name) for name in names)

    def normal_derivative(self, of: str | None = None) -> Tensor:
        """∂u/∂n = n·∇u with the outward unit normals of the boundary points; shape ``(N,)``."""
        if self.normals is None:
            raise ValueError("a normal derivative needs points on the boundary, which carry normals; these points have none")
        unknown = () if of is None else (of,)
        return sum(component * self.d(*unknown, name) for name, component in self.normals.items())

    def _sole_unknown(self, asked: str) -> int:
        if len(self.unknowns) != 1:
            raise KeyError(f"{asked}: this field has unknowns {list(self.unknowns)}; name the one meant, e.g. f.d({self.unknowns[0]!r}, 'x')")
        return 0

    def _derivative(self, key: OutputKey) -> Tensor:
        if key in self._derivatives:
            return self._derivatives[key]
        output, variables_key = key
        if not self.on_demand:
            computed = sorted((k for k in self._derivatives if k[1]), key=lambda k: (k[0], len(k[1])))
            raise KeyError(
                f"{key_name(variables_key, self.variables, self.unknowns[output])} was not computed ahead of time; "
                f"this field holds {[key_name(k, self.variables, self.unknowns[o]) for o, k in computed]}"
            )
        lower = variables_key[:-1]
        inner = self._derivative((output, lower))
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
            self._derivatives.setdefault((output, tuple(sorted(lower + (column,)))), gradient[:, column])
        return self._derivatives[key]


class _RecordingField(Field):
    """A field that answers every derivative with zeros and remembers which were asked for."""

    def __init__(self, tensor: Tensor, variables: Sequence[str], unknowns: Sequence[str], spatial: Sequence[str]) -> None:
        zeros = torch.zeros(tensor.shape[0], len(unknowns), dtype=tensor.dtype)
        normals = {name: torch.zeros_like(tensor[:, 0]) for name in spatial}
        super().__init__(tensor, zeros, variables, unknowns, normals=normals)
        self.asked: set[OutputKey] = set()

    def _derivative(self, key: OutputKey) -> Tensor:
        self.asked.add(key)
        return torch.zeros_like(self.tensor[:, 0])


def derivatives_used(
    residual: Callable[[Field], object],
    variables: Sequence[str],
    low: Sequence[float],
    high: Sequence[float],
    unknowns: Sequence[str] = ("u",),
    spatial: Sequence[str] | None = None,
) -> frozenset[OutputKey]:
    """The derivatives ``residual`` asks a field for, values included (``(i, ())`` for unknown i),
    found by calling it once on a few points inside the box [low, high] with a field that records
    the questions (a normal derivative asks for the first derivatives in ``spatial``, default all
    variables). Every unknown's value counts as asked for: the loss may read it."""
    generator = torch.Generator().manual_seed(0)
    unit = torch.rand(4, len(variables), dtype=torch.float64, generator=generator)
    low_t, high_t = torch.tensor(low, dtype=torch.float64), torch.tensor(high, dtype=torch.float64)
    field = _RecordingField(low_t + unit * (high_t - low_t), variables, unknowns, variables if spatial is None else spatial)
    residual(field)
    return frozenset(field.asked | {(i, ()) for i in range(len(unknowns))})
