"""Fresh residual points during training: uniform redraws, or residual-based adaptive
distribution (RAD, Wu, Zhu, Tan, Kartha & Lu 2023).

RAD draws ``candidates`` points with the run's sampler, scores each by the PDE residual |r| of
the current model, and keeps ``n`` of them without replacement with probability
    p(x) ∝ |r(x)|^k / mean(|r|^k) + c,
so k = 0 or large c approach uniform sampling and c = 0 samples where the residual is.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pinnsolve.geometry.samplers import CollocationSampler

# |r| at each row of an (N, d) array of points, shape (N,)
ResidualScore = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Uniform:
    """``n`` fresh interior points from the sampler."""

    sampler: CollocationSampler
    n: int

    def __call__(self, score: ResidualScore) -> np.ndarray:
        return self.sampler.interior(self.n)


@dataclass(frozen=True)
class ResidualAdaptive:
    """RAD: ``n`` of ``candidates`` fresh points, drawn by residual (see the module's docstring)."""

    sampler: CollocationSampler
    n: int
    candidates: int
    k: float
    c: float

    def __post_init__(self) -> None:
        if self.candidates < self.n:
            raise ValueError(f"RAD needs at least as many candidates as points, got {self.candidates} < {self.n}")
        if self.k < 0 or self.c < 0:
            raise ValueError(f"RAD needs k ≥ 0 and c ≥ 0, got k={self.k}, c={self.c}")

    def __call__(self, score: ResidualScore) -> np.ndarray:
        points = self.sampler.interior(self.candidates)
        weight = np.abs(score(points)) ** self.k
        mean = weight.mean()
        density = (weight / mean if mean > 0 and np.isfinite(mean) else np.ones_like(weight)) + self.c
        if not np.isfinite(density).all() or np.count_nonzero(density) < self.n:
            density = np.ones_like(weight)  # no usable residual: fall back to uniform
        keep = self.sampler.rng.choice(self.candidates, size=self.n, replace=False, p=density / density.sum())
        return points[np.sort(keep)]


RESAMPLERS = {"uniform": Uniform, "rad": ResidualAdaptive}
