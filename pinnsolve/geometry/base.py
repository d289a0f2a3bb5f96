"""What a sampler, the hard constraint and the evaluation ask of a domain.

A :class:`Geometry` names its variables (one of them may be time), knows its bounding box (the
network's input scaling reads it), says which points lie inside and on its boundary (from a
signed distance), maps points of a unit cube onto its interior, its boundary (all of it, or named
pieces) and its initial set (so that every unit sampler, random or quasi-random, serves every
geometry), gives the outward normals on its boundary, a distance-like function that vanishes
exactly on its boundary (the hard constraint's φ) where it has one, and the points a reference
solution is evaluated at.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np
from torch import Tensor

from pinnsolve.derivatives import PLAIN, Ops, Points

# (n, k) -> n points of the unit cube [0, 1]^k, as an (n, k) array: a unit sampler with its generator
UnitDraw = Callable[[int, int], np.ndarray]
# boundary data: u at points, shape (N,)
BoundaryValue = Callable[[Points], Tensor]


def coordinate_names(dim: int) -> tuple[str, ...]:
    """Names of ``dim`` spatial coordinates: x, y, z up to three, x1 … xd beyond."""
    return ("x", "y", "z")[:dim] if dim <= 3 else tuple(f"x{i + 1}" for i in range(dim))


class Geometry(ABC):
    """A domain in ``variables``; ``time`` names the time variable, if any, the others are spatial."""

    variables: tuple[str, ...]
    time: str | None
    low: tuple[float, ...]  # the bounding box's lower corner
    high: tuple[float, ...]  # and its upper corner

    def __sub__(self, other: Geometry) -> Geometry:
        from pinnsolve.geometry.csg import Difference

        return Difference(self, other)

    def __or__(self, other: Geometry) -> Geometry:
        from pinnsolve.geometry.csg import Union

        return Union(self, other)

    def __and__(self, other: Geometry) -> Geometry:
        from pinnsolve.geometry.csg import Intersection

        return Intersection(self, other)

    @property
    def dim(self) -> int:
        return len(self.variables)

    @property
    def spatial(self) -> tuple[int, ...]:
        """Column indices of the spatial variables."""
        return tuple(i for i, name in enumerate(self.variables) if name != self.time)

    @property
    def time_index(self) -> int | None:
        return None if self.time is None else self.variables.index(self.time)

    @property
    def lower(self) -> np.ndarray:
        return np.asarray(self.low, dtype=np.float64)

    @property
    def upper(self) -> np.ndarray:
        return np.asarray(self.high, dtype=np.float64)

    @abstractmethod
    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        """A signed distance to the spatial boundary: positive inside, zero on it, negative
        outside (exact or not, but Lipschitz with constant 1, so that its size bounds the true
        distance); shape ``(N,)``. Points outside the time interval count as outside."""

    def contains(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        """Whether each row of ``points`` (shape ``(N, d)``) lies in the closed domain; shape ``(N,)``."""
        return self.signed_distance(points) >= -tol

    def on_boundary(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        """Whether each row lies on the spatial boundary (over the whole time interval); shape ``(N,)``."""
        return np.abs(self.signed_distance(points)) <= tol

    def volume(self) -> float:
        """The measure of the spatial domain (an area in 2-D)."""
        raise NotImplementedError(f"{type(self).__name__} does not know its volume")

    def boundary_measure(self, pieces: tuple[str, ...] = ()) -> float:
        """The measure of the spatial boundary, or of the named ``pieces`` of it (a perimeter in 2-D)."""
        raise NotImplementedError(f"{type(self).__name__} does not know its boundary's measure")

    @abstractmethod
    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        """``n`` points of the domain from unit-cube points of ``draw``; shape ``(n, d)``."""

    @abstractmethod
    def boundary(self, draw: UnitDraw, n: int, pieces: tuple[str, ...] = ()) -> np.ndarray:
        """``n`` points of the spatial boundary (times the time interval, if any), on the named
        ``pieces`` of it (none named: all), uniform by measure; shape ``(n, d)``."""

    def boundary_where(
        self, draw: UnitDraw, n: int, pieces: tuple[str, ...], where: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """``n`` points of the boundary (or of its ``pieces``) where ``where`` holds, uniform by
        measure on that part: boundary points drawn in rounds and kept where it holds."""
        return in_rounds(n, lambda count: self.boundary(draw, count, pieces), where, f"the part of the boundary of {self.describe()}")[:n]

    @property
    def pieces(self) -> tuple[str, ...]:
        """The names of the boundary's pieces a condition may be put on."""
        return ()

    @abstractmethod
    def normals(self, points: np.ndarray) -> np.ndarray:
        """The outward unit normals at boundary ``points`` (shape ``(N, d)``), zero in the time
        column; shape ``(N, d)``."""

    def check_pieces(self, pieces: tuple[str, ...]) -> None:
        """A ValueError naming the pieces there are, if one of ``pieces`` is not among them."""
        unknown = [p for p in pieces if p not in self.pieces]
        if unknown:
            raise ValueError(f"{self.describe()} has no boundary piece {unknown}; its pieces are {list(self.pieces)}")

    def initial(self, draw: UnitDraw, n: int) -> np.ndarray:
        """``n`` points of the spatial domain at the initial time; shape ``(n, d)``."""
        raise ValueError("the domain has no time variable, so no initial set")

    def distance(self, x: Tensor, ops: Ops = PLAIN) -> Any:
        """φ(x), positive inside and zero exactly on the spatial boundary, smooth inside, in
        ``ops``; shape (N,). A ValueError if this geometry has none."""
        raise ValueError(f"{self.describe()} has no smooth distance function, so no hard boundary condition")

    def extension(self, value: BoundaryValue) -> Callable[[Tensor], Tensor]:
        """g: a smooth function of the inputs equal to ``value`` on the spatial boundary, (N, d) → (N,);
        a ValueError if this geometry has none."""
        raise ValueError(
            f"on {self.describe()} only zero boundary data can be imposed exactly (u = φ·N); this problem's is not zero"
        )

    def evaluation_points(self, resolution: int) -> tuple[np.ndarray, tuple[int, ...] | None]:
        """Where a reference solution is evaluated: the points (shape ``(N, d)``) and, if they form a
        tensor grid in C order, its shape (None: scattered points). By default ``resolution``
        uniform random points (:meth:`uniform_points`)."""
        return self.uniform_points(resolution), None

    # uniform evaluation points' own generator: the same points for every run and seed
    EVALUATION_SEED = 20240101

    def uniform_points(self, n: int) -> np.ndarray:
        """``n`` uniform random points of the domain from a fixed generator: every run is measured
        at the same ones; shape ``(n, d)``."""
        rng = np.random.default_rng(self.EVALUATION_SEED)
        return self.interior(lambda count, k: rng.random((count, k)), n)

    def evaluation_size(self, resolution: int) -> int:
        """How many points :meth:`evaluation_points` gives, known without drawing them."""
        return resolution

    @abstractmethod
    def describe(self) -> str:
        """The domain in words, for messages."""


def split_by_measure(n: int, measures: list[float]) -> list[int]:
    """Split ``n`` into integer counts proportional to ``measures`` (largest remainders)."""
    weights = np.asarray(measures, dtype=np.float64)
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


def in_rounds(n: int, candidates: Callable[[int], np.ndarray], keep: Callable[[np.ndarray], np.ndarray], what: str) -> np.ndarray:
    """At least ``n`` of the points ``candidates(count)`` draws that ``keep`` accepts (in the order
    drawn), drawn in rounds sized by the acceptance seen so far: uniform on the accepted set when the
    candidates are uniform. A ValueError naming ``what`` if it accepts a vanishing share."""
    parts, found, drawn = [], 0, 0
    while found < n:
        rate = found / drawn if drawn else 1.0
        count = int(1.2 * (n - found) / max(rate, 1e-3)) + 16
        if drawn > 1000 * n + 10**6:
            raise ValueError(f"{what}: {found} of {drawn} points drawn were kept, a vanishing share")
        points = candidates(count)
        parts.append(points[np.asarray(keep(points), dtype=bool)])
        found, drawn = found + len(parts[-1]), drawn + count
    return np.concatenate(parts)


def by_rejection(draw: UnitDraw, n: int, low: np.ndarray, high: np.ndarray, keep: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``n`` points uniform in {x in the box [low, high] : keep(x)}: unit points scaled onto the
    box, those ``keep`` accepts kept."""
    return in_rounds(n, lambda count: low + (high - low) * draw(count, len(low)), keep, "the domain inside its bounding box")[:n]
