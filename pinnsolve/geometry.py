"""The domains of our problems: what a sampler, the hard constraint and the evaluation ask of one.

A :class:`Geometry` names its variables (one of them may be time), knows its bounding box (the
network's input scaling reads it), says which points lie inside and on its boundary, maps points
of a unit cube onto its interior, its boundary and its initial set (so that every unit sampler,
random or quasi-random, serves every geometry), gives a distance-like function that vanishes
exactly on its boundary (the hard constraint's φ), and the points a reference solution is
evaluated at. Two are built in: the axis-aligned :class:`Box` and the :class:`Ball`.
"""
from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy.stats import norm
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
    def contains(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        """Whether each row of ``points`` (shape ``(N, d)``) lies in the closed domain; shape ``(N,)``."""

    @abstractmethod
    def on_boundary(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        """Whether each row lies on the spatial boundary (over the whole time interval); shape ``(N,)``."""

    @abstractmethod
    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        """``n`` points of the domain from unit-cube points of ``draw``; shape ``(n, d)``."""

    @abstractmethod
    def boundary(self, draw: UnitDraw, n: int) -> np.ndarray:
        """``n`` points of the spatial boundary (times the time interval, if any); shape ``(n, d)``."""

    def initial(self, draw: UnitDraw, n: int) -> np.ndarray:
        """``n`` points of the spatial domain at the initial time; shape ``(n, d)``."""
        raise ValueError("the domain has no time variable, so no initial set")

    @abstractmethod
    def distance(self, x: Tensor, ops: Ops = PLAIN) -> Any:
        """φ(x), positive inside and zero exactly on the spatial boundary, in ``ops``; shape (N,)."""

    @abstractmethod
    def extension(self, value: BoundaryValue) -> Callable[[Tensor], Tensor]:
        """g: a smooth function of the inputs equal to ``value`` on the spatial boundary, (N, d) → (N,);
        a ValueError if this geometry has none."""

    @abstractmethod
    def evaluation_points(self, resolution: int) -> tuple[np.ndarray, tuple[int, ...] | None]:
        """Where a reference solution is evaluated: the points (shape ``(N, d)``) and, if they form a
        tensor grid in C order, its shape (None: scattered points)."""

    @abstractmethod
    def evaluation_size(self, resolution: int) -> int:
        """How many points :meth:`evaluation_points` gives, known without drawing them."""

    @abstractmethod
    def describe(self) -> str:
        """The domain in words, for messages."""


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

    def contains(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        return np.all((points >= self.lower - tol) & (points <= self.upper + tol), axis=1)

    def on_boundary(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        spatial = list(self.spatial)
        near_low = np.isclose(points[:, spatial], self.lower[spatial], atol=tol, rtol=0)
        near_high = np.isclose(points[:, spatial], self.upper[spatial], atol=tol, rtol=0)
        return self.contains(points, tol=tol) & np.any(near_low | near_high, axis=1)

    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        return self.lower + (self.upper - self.lower) * draw(n, self.dim)

    def boundary(self, draw: UnitDraw, n: int) -> np.ndarray:
        """Points on the spatial faces, split between them in proportion to their measure."""
        extent = self.upper - self.lower
        faces = [(axis, side) for axis in self.spatial for side in (0, 1)]
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

    # the evaluation points' own generator: the same points for every run
    EVALUATION_SEED = 20240101

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

    def contains(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        return self._radii(points) <= self.radius + tol

    def on_boundary(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        return np.abs(self._radii(points) - self.radius) <= tol

    def _directions(self, unit: np.ndarray) -> np.ndarray:
        """Unit vectors, uniform on the sphere when ``unit`` (shape (n, d)) is uniform in the cube."""
        # a quasi-random point may be exactly 0 or 1, whose Gaussian quantile is infinite
        gaussian = norm.ppf(np.clip(unit, 1e-12, 1 - 1e-12))
        length = np.linalg.norm(gaussian, axis=1, keepdims=True)
        return gaussian / np.where(length > 0, length, 1.0)

    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        unit = draw(n, self.dim + 1)
        radii = self.radius * unit[:, -1:] ** (1.0 / self.dim)
        return np.asarray(self.centre) + radii * self._directions(unit[:, :-1])

    def boundary(self, draw: UnitDraw, n: int) -> np.ndarray:
        return np.asarray(self.centre) + self.radius * self._directions(draw(n, self.dim))

    def distance(self, x: Tensor, ops: Ops = PLAIN) -> Any:
        """φ(x) = R − |x − c|, the authors' (1 − |x|) on the unit ball."""
        return ops.known(self._distance, x)

    def _distance(self, x: Tensor) -> Tensor:
        return self.radius - torch.linalg.vector_norm(x - x.new_tensor(self.centre), dim=1)

    def extension(self, value: BoundaryValue) -> Callable[[Tensor], Tensor]:
        # the radial projection of the data is not smooth at the centre, and a residual's
        # derivatives there would be wrong; so only zero data is imposed exactly on a ball
        raise ValueError("on a Ball only zero boundary data can be imposed exactly (u = φ·N); this problem's is not zero")

    def evaluation_points(self, resolution: int) -> tuple[np.ndarray, None]:
        """``resolution`` uniform random points of the ball (the authors measured on 10,000)."""
        rng = np.random.default_rng(self.EVALUATION_SEED)
        return self.interior(lambda n, k: rng.random((n, k)), resolution), None

    def evaluation_size(self, resolution: int) -> int:
        return resolution

    def describe(self) -> str:
        centre = ", ".join(f"{c:g}" for c in self.centre)
        return f"the ball |x − ({centre})| ≤ {self.radius:g}"


def split_by_measure(n: int, measures: list[float]) -> list[int]:
    """Split ``n`` into integer counts proportional to ``measures`` (largest remainders)."""
    weights = np.asarray(measures, dtype=np.float64)
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return counts.tolist()
