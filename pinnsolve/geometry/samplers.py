"""Collocation points: interior, boundary and initial sets of a :class:`~pinnsolve.geometry.Geometry`.

Each sampler draws points in a unit cube; :class:`CollocationSampler` has the domain map them
onto its interior, its boundary and its initial slice. The Sobol' and Halton families come from
``scipy.stats.qmc``; the Latin hypercube is drawn as scipy draws it.
"""
from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pinnsolve.geometry import Geometry


class UnitSampler(ABC):
    """``n`` points in the unit cube ``[0,1]^d``; shape ``(n, d)``."""

    @abstractmethod
    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray: ...


class Uniform(UnitSampler):
    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        return rng.random((n, d))


class LatinHypercube(UnitSampler):
    """scipy.stats.qmc.LatinHypercube(d, rng=rng).random(n), draw for draw: one point in each of
    the n slabs of every axis, at a uniform place in it. Written out so that the default sampler's
    ten lines do not make every command import scipy.stats (Sobol' and Halton import it when chosen)."""

    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        # as scipy's engines do, from a child generator spawned from rng's seed sequence
        bit_generator = rng.bit_generator
        child = np.random.Generator(type(bit_generator)(bit_generator.seed_seq.spawn(1)[0]))
        offsets = child.uniform(size=(n, d))
        slabs = np.tile(np.arange(1, n + 1), (d, 1))
        for axis in slabs:
            child.shuffle(axis)
        return (slabs.T - offsets) / n


class Sobol(UnitSampler):
    """Scrambled Sobol' points (any ``n``; scipy warns that powers of two balance best)."""

    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        from scipy.stats import qmc  # here: scipy.stats takes about a second to import

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*balance properties.*")
            return qmc.Sobol(d=d, scramble=True, rng=rng).random(n)


class Halton(UnitSampler):
    def __call__(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        from scipy.stats import qmc

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


@dataclass
class CollocationSampler:
    """Draws the training points of a problem: ``interior(n)``, ``boundary(n)``, ``initial(n)``.

    Rows are float64 arrays of shape ``(n, d)`` in the domain's variable order. ``rng`` is this
    sampler's own generator, so a seed fixes every draw.
    """

    domain: Geometry
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

    def _draw(self, n: int, d: int) -> np.ndarray:
        return self.unit(n, d, self.rng)

    def interior(self, n: int) -> np.ndarray:
        return self.domain.interior(self._draw, n)

    def boundary(self, n: int, pieces: tuple[str, ...] = ()) -> np.ndarray:
        """Points on the spatial boundary (times the whole time interval, if any), on the named
        ``pieces`` of it (none named: all)."""
        return self.domain.boundary(self._draw, n, pieces)

    def boundary_where(self, n: int, pieces: tuple[str, ...], where: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Points of the boundary (or of its ``pieces``) where ``where`` holds."""
        return self.domain.boundary_where(self._draw, n, pieces, where)

    def initial(self, n: int) -> np.ndarray:
        """Points of the spatial domain at the initial time."""
        return self.domain.initial(self._draw, n)
