"""Conditions a solution must meet, where: Dirichlet, Neumann, Robin, periodic, a value at given
points, the initial value and the initial rate, each on a :class:`Region` and on one named unknown.

A condition is a name, a region and a residual that vanishes there; the loss gives each its own
term. Conditions on equal regions share their points (a second-order equation's u and u_t at the
initial time); each other region draws its own. A new kind is one function here returning a
:class:`Condition` (or a subclass, where something must know the kind, as the hard constraint
knows :class:`DirichletCondition`, and the loss :class:`PeriodicCondition`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from torch import Tensor

from pinnsolve.derivatives import Field, Points

# data of a condition: a value at points, shape (N,)
Value = Callable[[Points], Tensor]


@dataclass(frozen=True)
class Region:
    """Where a condition's points lie: the spatial ``boundary`` (times the time interval), or the
    named ``pieces`` of it (empty: all of it), or the part of those where ``where`` holds (a
    predicate of points, shape ``(N, d)`` → ``(N,)`` booleans, named ``where_name``); the spatial
    domain at the ``initial`` time; or the given ``points`` (rows of coordinates in the domain's
    variable order)."""

    kind: str
    pieces: tuple[str, ...] = ()
    points: tuple[tuple[float, ...], ...] = ()
    where: Callable[[np.ndarray], np.ndarray] | None = None
    where_name: str = ""

    KINDS: ClassVar[tuple[str, ...]] = ("boundary", "initial", "points")
    BOUNDARY: ClassVar[Region]
    INITIAL: ClassVar[Region]

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ValueError(f"a region is one of {list(self.KINDS)}, not {self.kind!r}")
        if self.pieces and self.kind != "boundary":
            raise ValueError(f"only a boundary region has pieces; {self.kind} was given {list(self.pieces)}")
        if (self.kind == "points") != bool(self.points):
            raise ValueError("a points region needs its points, and only it has any")
        if (self.where is not None) != bool(self.where_name) or (self.where is not None and self.kind != "boundary"):
            raise ValueError("a part of the boundary chosen by a predicate needs the predicate and a name")

    @classmethod
    def boundary(cls, *pieces: str) -> Region:
        """The named pieces of the boundary (none named: all of it)."""
        return cls("boundary", tuple(pieces))

    @classmethod
    def part(cls, name: str, where: Callable[[np.ndarray], np.ndarray], *pieces: str) -> Region:
        """The points of the boundary (or of its named ``pieces``) where ``where`` holds, called ``name``:
        ``Region.part("inlet", lambda p: p[:, 1] > 0.5, "left")``."""
        return cls("boundary", tuple(pieces), where=where, where_name=name)

    @classmethod
    def at(cls, points: Sequence[Sequence[float]]) -> Region:
        """The given points, each a sequence of coordinates."""
        return cls("points", points=tuple(tuple(float(v) for v in row) for row in points))

    @property
    def value(self) -> str:
        """The region's name in logs and checkpoints: ``boundary``, ``boundary[top]``, ``boundary{inlet}``
        (a predicate's part), ``initial``, ``points[(0, 0)]``."""
        if self.where is not None:
            return f"boundary{{{self.where_name}}}" + (f"[{','.join(self.pieces)}]" if self.pieces else "")
        if self.pieces:
            return f"boundary[{','.join(self.pieces)}]"
        if self.points:
            return "points[" + ";".join("(" + ", ".join(f"{v:g}" for v in row) + ")" for row in self.points) + "]"
        return self.kind


Region.BOUNDARY = Region("boundary")
Region.INITIAL = Region("initial")


@dataclass(frozen=True)
class Condition:
    """A named condition whose ``residual`` (shape ``(N,)``) vanishes on ``region``."""

    name: str
    region: Region
    residual: Callable[[Field], Tensor]


@dataclass(frozen=True)
class DirichletCondition(Condition):
    """``unknown = value`` on ``region`` (no value: 0); kept as such so that it can be imposed exactly."""

    value: Value | None = None
    unknown: str | None = None  # None: the problem's only unknown


@dataclass(frozen=True)
class PeriodicCondition(Condition):
    """The unknown (or a derivative of it) equal on a boundary ``region`` and on its image shifted
    by ``shift``: ``residual(f, g)`` compares the field at the region's points, ``f``, with the
    field at those points plus ``shift``, ``g``."""

    shift: tuple[float, ...] = ()

    def paired(self, f: Field, g: Field) -> Tensor:
        return self.residual(f, g)  # type: ignore[call-arg]


def _value_of(f: Field, unknown: str | None) -> Tensor:
    return f.u if unknown is None else f[unknown]


def _data(value: Value | float | None, f: Field) -> Tensor | float:
    if value is None:
        return 0.0
    return value(f) if callable(value) else float(value)


def dirichlet(name: str, region: Region, value: Value | None = None, *, unknown: str | None = None) -> DirichletCondition:
    """u = ``value`` on ``region`` (u = 0 if no value is given); ``unknown`` names u among several."""
    if value is None:
        return DirichletCondition(name, region, lambda f: _value_of(f, unknown), None, unknown)
    return DirichletCondition(name, region, lambda f: _value_of(f, unknown) - value(f), value, unknown)


def neumann(name: str, region: Region, value: Value | float | None = None, *, unknown: str | None = None) -> Condition:
    """∂u/∂n = ``value`` (default 0: insulated) on a boundary ``region``, n the outward unit normal."""
    _boundary_only(name, region)
    return Condition(name, region, lambda f: f.normal_derivative(unknown) - _data(value, f))


def robin(
    name: str, region: Region, *, a: float, b: float, value: Value | float | None = None, unknown: str | None = None
) -> Condition:
    """a·u + b·∂u/∂n = ``value`` (default 0) on a boundary ``region``."""
    _boundary_only(name, region)
    return Condition(name, region, lambda f: a * _value_of(f, unknown) + b * f.normal_derivative(unknown) - _data(value, f))


def point_value(
    name: str, points: Sequence[Sequence[float]], value: Value | float = 0.0, *, unknown: str | None = None
) -> Condition:
    """u = ``value`` at the given ``points`` (a pressure pinned at a corner: p(0, 0) = 0)."""
    return Condition(name, Region.at(points), lambda f: _value_of(f, unknown) - _data(value, f))


def initial_value(name: str, value: Value | None = None, *, unknown: str | None = None) -> DirichletCondition:
    """u = ``value`` at the initial time."""
    return dirichlet(name, Region.INITIAL, value, unknown=unknown)


def initial_rate(name: str, time: str, value: Value | float | None = None, *, unknown: str | None = None) -> Condition:
    """∂u/∂``time`` = ``value`` (default 0) at the initial time."""
    derivative = (time,) if unknown is None else (unknown, time)
    return Condition(name, Region.INITIAL, lambda f: f.d(*derivative) - _data(value, f))


def periodic(
    name: str, piece: str, shift: Sequence[float], *, derivative: Sequence[str] = (), unknown: str | None = None
) -> PeriodicCondition:
    """u on the boundary ``piece`` equal to u at the same points moved by ``shift`` (on the
    opposite piece: ``periodic("x_periodic", "left", (2.0, 0.0))`` on [−1, 1] × ...); with
    ``derivative`` (variables, e.g. ("x",)), that derivative of u instead. One condition per
    matched quantity: the value and its first derivative are two."""
    names = (*(() if unknown is None else (unknown,)), *derivative)

    def compare(f: Field, g: Field) -> Tensor:
        if derivative:
            return f.d(*names) - g.d(*names)
        return _value_of(f, unknown) - _value_of(g, unknown)

    return PeriodicCondition(name, Region.boundary(piece), compare, tuple(float(s) for s in shift))


def _boundary_only(name: str, region: Region) -> None:
    if region.kind != "boundary":
        raise ValueError(f"condition {name!r}: a normal derivative is taken on the boundary, not on {region.value}")
