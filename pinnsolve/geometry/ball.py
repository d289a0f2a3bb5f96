"""The ball |x − c| ≤ R in any dimension (a disk in 2-D)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from pinnsolve.derivatives import PLAIN, Ops
from pinnsolve.geometry.base import Geometry, UnitDraw


@dataclass(frozen=True)
class Ball(Geometry):
    """The closed ball ``|x − centre| ≤ radius`` in ``variables`` (all spatial; no time).

    Interior points are uniform in volume when the unit points are uniform: a direction from d
    Gaussian quantiles and a radius R·v^(1/d) from one more unit coordinate. Boundary points lie
    on the sphere, their directions drawn the same way. The reference is evaluated at uniform
    random points from a fixed generator, so that every run and seed is measured at the same ones.
    """

    variables: tuple[str, ...]
    centre: tuple[float, ...]
    radius: float = 1.0
    time: None = None
    name: str = "sphere"  # its boundary's one piece

    def __post_init__(self) -> None:
        if len(self.centre) != len(self.variables):
            raise ValueError(f"Ball needs a centre of {len(self.variables)} coordinates, got {self.centre}")
        if len(set(self.variables)) != len(self.variables):
            raise ValueError(f"Ball variables must be distinct, got {self.variables}")
        if not self.radius > 0:
            raise ValueError(f"Ball radius must be positive, got {self.radius}")
        if self.time is not None:
            raise ValueError("a Ball has no time variable")

    @property
    def low(self) -> tuple[float, ...]:
        return tuple(c - self.radius for c in self.centre)

    @property
    def high(self) -> tuple[float, ...]:
        return tuple(c + self.radius for c in self.centre)

    def _radii(self, points: np.ndarray) -> np.ndarray:
        return np.linalg.norm(points - np.asarray(self.centre), axis=1)

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        return self.radius - self._radii(points)

    def volume(self) -> float:
        d = self.dim
        return math.pi ** (d / 2) / math.gamma(d / 2 + 1) * self.radius**d

    def boundary_measure(self, pieces: tuple[str, ...] = ()) -> float:
        self.check_pieces(pieces)
        d = self.dim
        return 2 * math.pi ** (d / 2) / math.gamma(d / 2) * self.radius ** (d - 1)

    def _directions(self, unit: np.ndarray) -> np.ndarray:
        """Unit vectors, uniform on the sphere when ``unit`` (shape (n, d)) is uniform in the cube."""
        from scipy.special import ndtri  # scipy.stats.norm.ppf's quantile, without scipy.stats' second of import

        # a quasi-random point may be exactly 0 or 1, whose Gaussian quantile is infinite
        gaussian = ndtri(np.clip(unit, 1e-12, 1 - 1e-12))
        length = np.linalg.norm(gaussian, axis=1, keepdims=True)
        return gaussian / np.where(length > 0, length, 1.0)

    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        unit = draw(n, self.dim + 1)
        radii = self.radius * unit[:, -1:] ** (1.0 / self.dim)
        return np.asarray(self.centre) + radii * self._directions(unit[:, :-1])

    @property
    def pieces(self) -> tuple[str, ...]:
        return (self.name,)

    def boundary(self, draw: UnitDraw, n: int, pieces: tuple[str, ...] = ()) -> np.ndarray:
        self.check_pieces(pieces)
        return np.asarray(self.centre) + self.radius * self._directions(draw(n, self.dim))

    def normals(self, points: np.ndarray) -> np.ndarray:
        return (points - np.asarray(self.centre)) / self.radius

    def distance(self, x: Tensor, ops: Ops = PLAIN) -> Any:
        """φ(x) = R − |x − c|, the authors' (1 − |x|) on the unit ball."""
        return ops.known(self._distance, x)

    def _distance(self, x: Tensor) -> Tensor:
        return self.radius - torch.linalg.vector_norm(x - x.new_tensor(self.centre), dim=1)

    # extension: the base's refusal. The radial projection of the data is not smooth at the
    # centre, and a residual's derivatives there would be wrong; so only zero data is imposed
    # exactly on a ball. Evaluation: the base's uniform points (the RAF authors measured on 10,000).

    def describe(self) -> str:
        centre = ", ".join(f"{c:g}" for c in self.centre)
        return f"the ball |x − ({centre})| ≤ {self.radius:g}"


def Disk(centre: tuple[float, float], radius: float, variables: tuple[str, str] = ("x", "y"), name: str = "circle") -> Ball:
    """The disk |(x, y) − centre| ≤ radius: a 2-D :class:`Ball` whose boundary piece is ``name``."""
    return Ball(tuple(variables), tuple(centre), radius, name=name)
