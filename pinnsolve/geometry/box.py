"""The axis-aligned box, with a time axis or without: a rectangle in 2-D, an interval in 1-D."""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from pinnsolve.derivatives import PLAIN, Ops, Points
from pinnsolve.geometry.base import BoundaryValue, Geometry, UnitDraw, coordinate_names, split_by_measure


@dataclass(frozen=True)
class Box(Geometry):
    """The box ``[low_1, high_1] × … × [low_d, high_d]`` in ``variables``.

    For a time-dependent problem the *boundary* is the spatial boundary times the time interval
    and the *initial* set is the spatial box at the initial time.
    """

    variables: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    time: str | None = None

    def __post_init__(self) -> None:
        d = len(self.variables)
        if len(self.low) != d or len(self.high) != d:
            raise ValueError(f"Box needs {d} lower and upper bounds, got {self.low} and {self.high}")
        if len(set(self.variables)) != d:
            raise ValueError(f"Box variables must be distinct, got {self.variables}")
        for name, lo, hi in zip(self.variables, self.low, self.high):
            if not lo < hi:
                raise ValueError(f"Box bounds for {name!r} must satisfy low < high, got [{lo}, {hi}]")
        if self.time is not None and self.time not in self.variables:
            raise ValueError(f"time variable {self.time!r} is not one of {self.variables}")

    @classmethod
    def unit_cube(cls, dim: int) -> Box:
        """[0, 1]^dim in :func:`coordinate_names`."""
        return cls(coordinate_names(dim), (0.0,) * dim, (1.0,) * dim)

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        """The distance to the nearest spatial face inside (negative outside, time included)."""
        return np.min(np.minimum(points - self.lower, self.upper - points), axis=1)

    def contains(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        return np.all((points >= self.lower - tol) & (points <= self.upper + tol), axis=1)

    def volume(self) -> float:
        return float(np.prod((self.upper - self.lower)[list(self.spatial)]))

    def boundary_measure(self, pieces: tuple[str, ...] = ()) -> float:
        self.check_pieces(pieces)
        extent = (self.upper - self.lower)[list(self.spatial)]
        total = 0.0
        for position, axis in enumerate(self.spatial):
            for side in (0, 1):
                if not pieces or set(self._face_names(axis, side)) & set(pieces):
                    total += float(np.prod(np.delete(extent, position)))
        return total

    def on_boundary(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        spatial = list(self.spatial)
        near_low = np.isclose(points[:, spatial], self.lower[spatial], atol=tol, rtol=0)
        near_high = np.isclose(points[:, spatial], self.upper[spatial], atol=tol, rtol=0)
        return self.contains(points, tol=tol) & np.any(near_low | near_high, axis=1)

    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        return self.lower + (self.upper - self.lower) * draw(n, self.dim)

    def _face_names(self, axis: int, side: int) -> tuple[str, ...]:
        """A face's names: ``x_min``/``x_max`` by its variable, and for the first two spatial
        variables also ``left``/``right`` and ``bottom``/``top``."""
        names = [f"{self.variables[axis]}_{'max' if side else 'min'}"]
        position = self.spatial.index(axis)
        if position < 2 and len(self.spatial) <= 2:
            names.append((("left", "right"), ("bottom", "top"))[position][side])
        return tuple(names)

    @property
    def pieces(self) -> tuple[str, ...]:
        return tuple(name for axis in self.spatial for side in (0, 1) for name in self._face_names(axis, side))

    def boundary(self, draw: UnitDraw, n: int, pieces: tuple[str, ...] = ()) -> np.ndarray:
        """Points on the spatial faces (those named in ``pieces``, or all), split between them in
        proportion to their measure."""
        self.check_pieces(pieces)
        extent = self.upper - self.lower
        faces = [(axis, side) for axis in self.spatial for side in (0, 1)]
        if pieces:
            faces = [face for face in faces if set(self._face_names(*face)) & set(pieces)]
        # the measure of a face is the product of the other sides; in 1-D each face is a point
        measures = [float(np.prod(np.delete(extent, axis))) for axis, _ in faces]
        parts = []
        for (axis, side), count in zip(faces, split_by_measure(n, measures)):
            if count == 0:
                continue
            others = [i for i in range(self.dim) if i != axis]
            unit = draw(count, len(others)) if others else np.empty((count, 0))
            points = np.empty((count, self.dim))
            points[:, others] = self.lower[others] + extent[others] * unit
            points[:, axis] = self.upper[axis] if side else self.lower[axis]
            parts.append(points)
        return np.concatenate(parts, axis=0)

    def normals(self, points: np.ndarray) -> np.ndarray:
        """±e_i on the face x_i = low_i or high_i; at an edge or corner, the first face's by axis order."""
        normals = np.zeros_like(points, dtype=np.float64)
        assigned = np.zeros(len(points), dtype=bool)
        for axis in self.spatial:
            for side, bound in ((-1.0, self.lower[axis]), (1.0, self.upper[axis])):
                on = ~assigned & np.isclose(points[:, axis], bound, atol=1e-12 * max(1.0, abs(bound)), rtol=0)
                normals[on, axis] = side
                assigned |= on
        return normals

    def initial(self, draw: UnitDraw, n: int) -> np.ndarray:
        if self.time_index is None:
            return super().initial(draw, n)
        spatial = list(self.spatial)
        points = np.empty((n, self.dim))
        points[:, spatial] = self.lower[spatial] + (self.upper - self.lower)[spatial] * draw(n, len(spatial))
        points[:, self.time_index] = self.lower[self.time_index]
        return points

    def distance(self, x: Tensor, ops: Ops = PLAIN) -> Any:
        """φ(x) = Π_i (x_i − low_i)(high_i − x_i) over the spatial variables."""
        phi = None
        for i in self.spatial:
            x_i = ops.column(x, i)
            factor = (x_i - self.low[i]) * (self.high[i] - x_i)
            phi = factor if phi is None else phi * factor
        return phi

    def extension(self, value: BoundaryValue) -> Callable[[Tensor], Tensor]:
        """The transfinite (Coons) interpolation of ``value`` from the spatial faces: Σ over
        non-empty sets S of spatial variables of (−1)^{|S|+1} × the multilinear interpolation in S
        of the data at the faces' points. It equals the data on every face."""

        def lift(x: Tensor) -> Tensor:
            total = torch.zeros_like(x[:, 0])
            for size in range(1, len(self.spatial) + 1):
                for subset in itertools.combinations(self.spatial, size):
                    for corner in itertools.product((0, 1), repeat=size):
                        projected = x.clone()
                        weight = torch.ones_like(x[:, 0])
                        for i, side in zip(subset, corner):
                            low, high = self.low[i], self.high[i]
                            projected[:, i] = high if side else low
                            weight = weight * ((x[:, i] - low) if side else (high - x[:, i])) / (high - low)
                        total = total + (-1) ** (size + 1) * weight * value(Points(projected, self.variables))
            return total

        return lift

    def grid(self, points_per_axis: tuple[int, ...]) -> np.ndarray:
        """Tensor grid including the end points, rows in C order of the axes; shape ``(Π n_i, d)``."""
        axes = [np.linspace(lo, hi, n) for lo, hi, n in zip(self.low, self.high, points_per_axis)]
        mesh = np.meshgrid(*axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=1)

    def evaluation_points(self, resolution: int) -> tuple[np.ndarray, tuple[int, ...]]:
        """The tensor grid of ``resolution`` points per axis, end points included."""
        shape = (resolution,) * self.dim
        return self.grid(shape), shape

    def evaluation_size(self, resolution: int) -> int:
        return resolution**self.dim

    def describe(self) -> str:
        return " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in zip(self.low, self.high))
