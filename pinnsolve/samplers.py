"""Collocation points: interior, boundary and initial sets of a :class:`~pinnsolve.geometry.Box`.

Each sampler draws points in a unit cube; :class:`CollocationSampler` maps them onto the
domain's interior, onto its boundary faces (split in proportion to their measure) and onto
the initial slice. The quasi-random families come from ``scipy.stats.qmc``.
"""
from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from pinnsolve.geometry import Box


class UnitSampler(ABC):
    """``n`` points in the unit cube ``[0,1]^d``; shape ``(n, d)``."""

    @abstractmethod
    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray: ...


class Uniform(UnitSampler):
    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        return rng.random((n, d))


class LatinHypercube(UnitSampler):
    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        return qmc.LatinHypercube(d=d, rng=rng).random(n)


class Sobol(UnitSampler):
    """Scrambled Sobol' points (any ``n``; scipy warns that powers of two balance best)."""

    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*balance properties.*")
            return qmc.Sobol(d=d, scramble=True, rng=rng).random(n)


class Halton(UnitSampler):
    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        return qmc.Halton(d=d, scramble=True, rng=rng).random(n)


class Grid(UnitSampler):
    """Cell centres of an m^d grid, m = ⌈n^(1/d)⌉, thinned to exactly ``n`` evenly spaced rows."""

    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        m = int(np.ceil(n ** (1.0 / d) - 1e-9))
        centres = (np.arange(m) + 0.5) / m
        mesh = np.meshgrid(*([centres] * d), indexing="ij")
        full = np.stack([axis.ravel() for axis in mesh], axis=1)
        keep = np.round(np.linspace(0, len(full) - 1, n)).astype(int)
        return full[keep]


SAMPLERS: dict[str, type[UnitSampler]] = {
    "uniform": Uniform,
    "lhs": LatinHypercube,
    "sobol": Sobol,
    "halton": Halton,
    "grid": Grid,
}


def split_by_measure(n: int, measures: list[float]) -> list[int]:
    """Split ``n`` into integer counts proportional to ``measures`` (largest remainders)."""
    weights = np.asarray(measures, dtype=np.float64)
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


@dataclass
class CollocationSampler:
    """Draws the training points of a problem: ``interior(n)``, ``boundary(n)``, ``initial(n)``.

    Rows are float64 arrays of shape ``(n, d)`` in the domain's variable order. ``rng`` is this
    sampler's own generator, so a seed fixes every draw.
    """

    domain: Box
    unit: UnitSampler
    rng: np.random.Generator

    def state_dict(self) -> dict[str, object]:
        """The generator's state: its bit generator's, and how many children its seed sequence has
        spawned (scipy's quasi-random engines draw from a child they spawn, not from ``rng`` itself)."""
        return {"bit_generator": self.rng.bit_generator.state, "children_spawned": self.rng.bit_generator.seed_seq.n_children_spawned}

    def load_state_dict(self, state: dict[str, object]) -> None:
        """Continue from a :meth:`state_dict` of a sampler seeded as this one."""
        seq = self.rng.bit_generator.seed_seq
        restored = np.random.SeedSequence(
            seq.entropy, spawn_key=seq.spawn_key, pool_size=seq.pool_size, n_children_spawned=state["children_spawned"]
        )
        self.rng = np.random.Generator(type(self.rng.bit_generator)(restored))
        self.rng.bit_generator.state = state["bit_generator"]

    def interior(self, n: int) -> np.ndarray:
        box = self.domain
        return box.lower + (box.upper - box.lower) * self.unit(n, box.dim, self.rng)

    def boundary(self, n: int) -> np.ndarray:
        """Points on the spatial faces (times the whole time interval, if any)."""
        box = self.domain
        extent = box.upper - box.lower
        faces = [(axis, side) for axis in box.spatial for side in (0, 1)]
        # the measure of a face is the product of the other sides; in 1-D each face is a point
        measures = [float(np.prod(np.delete(extent, axis))) for axis, _ in faces]
        parts = []
        for (axis, side), count in zip(faces, split_by_measure(n, measures)):
            if count == 0:
                continue
            others = [i for i in range(box.dim) if i != axis]
            unit = self.unit(count, len(others), self.rng) if others else np.empty((count, 0))
            points = np.empty((count, box.dim))
            points[:, others] = box.lower[others] + extent[others] * unit
            points[:, axis] = box.upper[axis] if side else box.lower[axis]
            parts.append(points)
        return np.concatenate(parts, axis=0)

    def initial(self, n: int) -> np.ndarray:
        """Points of the spatial box at the initial time."""
        box = self.domain
        if box.time_index is None:
            raise ValueError("the domain has no time variable, so no initial set")
        spatial = list(box.spatial)
        points = np.empty((n, box.dim))
        points[:, spatial] = box.lower[spatial] + (box.upper - box.lower)[spatial] * self.unit(
            n, len(spatial), self.rng
        )
        points[:, box.time_index] = box.lower[box.time_index]
        return points
