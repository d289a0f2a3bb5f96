"""Shapes combined: the difference, union and intersection of two geometries (``a - b``, ``a | b``,
``a & b``), nested as deep as wanted, in any dimension the operands share.

Inside and on the boundary come from the operands' signed distances (max, min, min with the
negated second). Interior points are drawn uniformly in the bounding box and kept where inside;
boundary points are drawn on every basic shape's boundary in proportion to its measure and kept
where they lie on the combination's, so that they are uniform by measure on it. The pieces are
those of the basic shapes (each hole is its shape's piece), and must have distinct names.
"""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from pinnsolve.derivatives import PLAIN, Ops
from pinnsolve.geometry.base import Geometry, UnitDraw, by_rejection, in_rounds, split_by_measure

# the fixed generator of the measure estimates, and their sample size
ESTIMATE_SEED, ESTIMATE_POINTS = 7, 400_000


@dataclass(frozen=True)
class Combination(Geometry):
    first: Geometry
    second: Geometry

    def __post_init__(self) -> None:
        if self.first.variables != self.second.variables:
            raise ValueError(f"shapes in {self.first.variables} and {self.second.variables} cannot be combined")
        if self.first.time is not None or self.second.time is not None:
            raise ValueError("combine shapes in space, then take the product with a time interval (TimeProduct)")
        names = [name for leaf in self.leaves() for name in leaf.pieces]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"the combined shapes' boundary pieces must have distinct names; {repeated} repeat (name the shapes)")

    @property
    def variables(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.first.variables

    @property
    def time(self) -> None:  # type: ignore[override]
        return None

    @staticmethod
    @abstractmethod
    def combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The combination's signed distance from its operands'."""

    @staticmethod
    @abstractmethod
    def combine_smooth(a: Tensor, b: Tensor) -> Tensor:
        """A smooth φ of the combination from its operands' (an R-function of Rvachev's)."""

    def leaves(self) -> list[Geometry]:
        """The basic shapes the combination is made of."""
        return [leaf for operand in (self.first, self.second)
                for leaf in (operand.leaves() if isinstance(operand, Combination) else [operand])]

    @property
    def pieces(self) -> tuple[str, ...]:
        return tuple(name for leaf in self.leaves() for name in leaf.pieces)

    @property
    def low(self) -> tuple[float, ...]:  # type: ignore[override]
        return tuple(np.minimum(self.first.lower, self.second.lower).tolist())

    @property
    def high(self) -> tuple[float, ...]:  # type: ignore[override]
        return tuple(np.maximum(self.first.upper, self.second.upper).tolist())

    @property
    def _tol(self) -> float:
        return 1e-9 * max(1.0, float(np.max(self.upper - self.lower)))

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        return self.combine(self.first.signed_distance(points), self.second.signed_distance(points))

    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        return by_rejection(draw, n, self.lower, self.upper, lambda p: self.signed_distance(p) > 0)

    def _sources(self, pieces: tuple[str, ...]) -> list[tuple[Geometry, tuple[str, ...], float]]:
        """Each basic shape with the requested pieces it has and their measure."""
        self.check_pieces(pieces)
        sources = []
        for leaf in self.leaves():
            own = tuple(p for p in pieces if p in leaf.pieces)
            if not pieces or own:
                sources.append((leaf, own, leaf.boundary_measure(own)))
        return sources

    def boundary(self, draw: UnitDraw, n: int, pieces: tuple[str, ...] = ()) -> np.ndarray:
        sources = self._sources(pieces)

        def candidates(count: int) -> np.ndarray:
            counts = split_by_measure(count, [m for _, _, m in sources])
            return np.concatenate([leaf.boundary(draw, k, own) for (leaf, own, _), k in zip(sources, counts) if k])

        points = in_rounds(n, candidates, lambda p: self.on_boundary(p, tol=self._tol), f"the boundary of {self.describe()}")
        # the rounds drew shape after shape: mix them before taking n, so every piece keeps its share
        order = np.argsort(draw(len(points), 1)[:, 0], kind="stable")
        return points[order][:n]

    def normals(self, points: np.ndarray) -> np.ndarray:
        """The normal of the basic shape each point lies on, turned to point out of the combination."""
        leaves = self.leaves()
        distances = np.stack([np.abs(leaf.signed_distance(points)) for leaf in leaves], axis=1)
        nearest = np.argmin(distances, axis=1)
        normals = np.zeros_like(points, dtype=np.float64)
        for i, leaf in enumerate(leaves):
            rows = nearest == i
            if rows.any():
                normals[rows] = leaf.normals(points[rows])
        step = 1e3 * self._tol
        inward = self.signed_distance(points + step * normals) > 0
        return np.where(inward[:, None], -normals, normals)

    def volume(self) -> float:
        """An estimate: the bounding box's volume times the share of uniform points inside (a fixed
        generator; relative standard error about √((1 − p)/(p·400,000)))."""
        rng = np.random.default_rng(ESTIMATE_SEED)
        points = self.lower + (self.upper - self.lower) * rng.random((ESTIMATE_POINTS, self.dim))
        return float(np.prod(self.upper - self.lower) * np.mean(self.signed_distance(points) > 0))

    def boundary_measure(self, pieces: tuple[str, ...] = ()) -> float:
        """An estimate: each basic shape's measure times the share of its boundary points that lie
        on the combination's (a fixed generator)."""
        rng = np.random.default_rng(ESTIMATE_SEED)
        total = 0.0
        for leaf, own, measure in self._sources(pieces):
            candidates = leaf.boundary(lambda count, k: rng.random((count, k)), ESTIMATE_POINTS // 4, own)
            total += measure * float(np.mean(self.on_boundary(candidates, tol=self._tol)))
        return total

    def distance(self, x: Tensor, ops: Ops = PLAIN) -> Any:
        """φ from the operands' φ by an R-function: zero exactly on the boundary, smooth but at its
        corners (a ValueError, when called, if an operand has no φ)."""
        return ops.known(lambda points: self.combine_smooth(self.first.distance(points), self.second.distance(points)), x)

    def describe(self) -> str:
        return f"({self.first.describe()} {self.SYMBOL} {self.second.describe()})"

    SYMBOL = "?"


@dataclass(frozen=True)
class Difference(Combination):
    """The points of ``first`` not inside ``second`` (a plate with a hole)."""

    SYMBOL = "−"

    @staticmethod
    def combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.minimum(a, -b)

    @staticmethod
    def combine_smooth(a: Tensor, b: Tensor) -> Tensor:
        return a - b - torch.sqrt(a**2 + b**2)

    @property
    def low(self) -> tuple[float, ...]:  # type: ignore[override]
        return self.first.low

    @property
    def high(self) -> tuple[float, ...]:  # type: ignore[override]
        return self.first.high


@dataclass(frozen=True)
class Union(Combination):
    """The points of either shape."""

    SYMBOL = "∪"

    @staticmethod
    def combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.maximum(a, b)

    @staticmethod
    def combine_smooth(a: Tensor, b: Tensor) -> Tensor:
        return a + b + torch.sqrt(a**2 + b**2)


@dataclass(frozen=True)
class Intersection(Combination):
    """The points of both shapes."""

    SYMBOL = "∩"

    @staticmethod
    def combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.minimum(a, b)

    @staticmethod
    def combine_smooth(a: Tensor, b: Tensor) -> Tensor:
        return a + b - torch.sqrt(a**2 + b**2)

    @property
    def low(self) -> tuple[float, ...]:  # type: ignore[override]
        return tuple(np.maximum(self.first.lower, self.second.lower).tolist())

    @property
    def high(self) -> tuple[float, ...]:  # type: ignore[override]
        return tuple(np.minimum(self.first.upper, self.second.upper).tolist())
