"""A spatial shape times a time interval: the domain of a time-dependent problem on any shape."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from torch import Tensor

from pinnsolve.derivatives import PLAIN, Ops
from pinnsolve.geometry.base import Geometry, UnitDraw


@dataclass(frozen=True)
class TimeProduct(Geometry):
    """``space`` × [``t_min``, ``t_max``] in the variables of ``space`` and then ``time``. Its
    boundary is the space's boundary over the whole interval, its initial set the space at
    ``t_min``; its pieces are the space's."""

    space: Geometry
    t_min: float
    t_max: float
    time: str = "t"

    def __post_init__(self) -> None:
        if self.space.time is not None:
            raise ValueError(f"{self.space.describe()} already has a time variable")
        if self.time in self.space.variables:
            raise ValueError(f"the time variable {self.time!r} is one of the space's {self.space.variables}")
        if not self.t_min < self.t_max:
            raise ValueError(f"the time interval must satisfy t_min < t_max, got [{self.t_min}, {self.t_max}]")

    @property
    def variables(self) -> tuple[str, ...]:  # type: ignore[override]
        return (*self.space.variables, self.time)

    @property
    def low(self) -> tuple[float, ...]:  # type: ignore[override]
        return (*self.space.low, self.t_min)

    @property
    def high(self) -> tuple[float, ...]:  # type: ignore[override]
        return (*self.space.high, self.t_max)

    @property
    def pieces(self) -> tuple[str, ...]:
        return self.space.pieces

    def _times(self, draw: UnitDraw, n: int) -> np.ndarray:
        return self.t_min + (self.t_max - self.t_min) * draw(n, 1)

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        t = points[:, -1]
        return np.minimum(self.space.signed_distance(points[:, :-1]), np.minimum(t - self.t_min, self.t_max - t))

    def on_boundary(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        return self.space.on_boundary(points[:, :-1], tol=tol) & self.contains(points, tol=tol)

    def volume(self) -> float:
        return self.space.volume()

    def boundary_measure(self, pieces: tuple[str, ...] = ()) -> float:
        return self.space.boundary_measure(pieces)

    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        return np.concatenate([self.space.interior(draw, n), self._times(draw, n)], axis=1)

    def boundary(self, draw: UnitDraw, n: int, pieces: tuple[str, ...] = ()) -> np.ndarray:
        return np.concatenate([self.space.boundary(draw, n, pieces), self._times(draw, n)], axis=1)

    def initial(self, draw: UnitDraw, n: int) -> np.ndarray:
        return np.concatenate([self.space.interior(draw, n), np.full((n, 1), self.t_min)], axis=1)

    def normals(self, points: np.ndarray) -> np.ndarray:
        return np.concatenate([self.space.normals(points[:, :-1]), np.zeros((len(points), 1))], axis=1)

    def distance(self, x: Tensor, ops: Ops = PLAIN) -> Any:
        """The space's φ, of the spatial columns."""
        return ops.known(lambda points: self.space.distance(points[:, :-1]), x)

    def describe(self) -> str:
        return f"{self.space.describe()} × [{self.t_min:g}, {self.t_max:g}] in {self.time}"
