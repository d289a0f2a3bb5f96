"""Axis-aligned boxes in named variables: the domains of our problems."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Box:
    """The box ``[low_1, high_1] × … × [low_d, high_d]`` in ``variables``.

    ``time`` names the time variable, if any; the others are spatial. For a time-dependent
    problem the *boundary* is the spatial boundary times the time interval and the *initial*
    set is the spatial box at the initial time.
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

    def contains(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        """Whether each row of ``points`` (shape ``(N, d)``) lies in the closed box."""
        return np.all((points >= self.lower - tol) & (points <= self.upper + tol), axis=1)

    def on_boundary(self, points: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
        """Whether each row lies on the spatial boundary (over the whole time interval)."""
        spatial = list(self.spatial)
        near_low = np.isclose(points[:, spatial], self.lower[spatial], atol=tol, rtol=0)
        near_high = np.isclose(points[:, spatial], self.upper[spatial], atol=tol, rtol=0)
        return self.contains(points, tol=tol) & np.any(near_low | near_high, axis=1)

    def grid(self, points_per_axis: tuple[int, ...]) -> np.ndarray:
        """Tensor grid including the end points, rows in C order of the axes; shape ``(Π n_i, d)``."""
        axes = [np.linspace(lo, hi, n) for lo, hi, n in zip(self.low, self.high, points_per_axis)]
        mesh = np.meshgrid(*axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=1)
