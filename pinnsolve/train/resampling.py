"""Fresh residual points during training: uniform redraws, or residual-based adaptive
distribution (RAD, Wu, Zhu, Tan, Kartha & Lu 2023).

RAD draws ``candidates`` points with the run's sampler, scores each by the PDE residual |r| of
the current model, and keeps ``n`` of them without replacement with probability
    p(x) ∝ |r(x)|^k / mean(|r|^k) + c,
so k = 0 or large c approach uniform sampling and c = 0 samples where the residual is.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pinnsolve.geometry.samplers import CollocationSampler

log = logging.getLogger(__name__)

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
        with np.errstate(over="ignore", invalid="ignore"):  # said once, below, in words
            weight = np.abs(score(points)) ** self.k
        mean = weight.mean()
        if not np.isfinite(weight).all():
            problem = "not finite (they overflow, or the residual is NaN)"
        elif not mean > 0:
            problem = "zero at every candidate"
        else:
            density = weight / mean + self.c
            problem = None if np.count_nonzero(density) >= self.n else f"zero at all but {np.count_nonzero(density)} candidates"
        if problem is not None:
            log.warning("RAD: the weights |residual|^k = |r|^%g are %s; these %d points are drawn uniformly", self.k, problem, self.n)
            density = np.ones_like(weight)
        keep = self.sampler.rng.choice(self.candidates, size=self.n, replace=False, p=density / density.sum())
        return points[np.sort(keep)]


RESAMPLERS = {"uniform": Uniform, "rad": ResidualAdaptive}
