"""A PDE with a low-regularity solution on the unit ball in d dimensions (RAF paper, §4.2.3):

    −∇·(|x|∇u) = f in |x| < 1,  u = 0 on |x| = 1,

with the exact solution u = sin(2π(1 − |x|)), not differentiable at the centre. For a radial u,
∇·(|x|∇u) = d u_r + r u_rr with r = |x|, so f = 2πd cos(2π(1 − r)) + 4π² r sin(2π(1 − r)).
The residual is written out as −|x|Δu − (x·∇u)/|x| − f. Its error is measured, as in the authors'
code, at uniform random points of the ball (10,000 by default; the same points every run).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Ball, coordinate_names
from pinnsolve.problem import Condition, ExactProblem, Region, dirichlet, require


@dataclass(frozen=True)
class LowRegularity(ExactProblem):
    dim: int
    eval_points: int

    def __post_init__(self) -> None:
        require(self.dim >= 1, f"dim must be ≥ 1, got {self.dim}")
        require(self.eval_points >= 2, f"eval_points must be ≥ 2, got {self.eval_points}")

    @property
    def evaluation_resolution(self) -> int:
        return self.eval_points

    @property
    def domain(self) -> Ball:
        return Ball(coordinate_names(self.dim), (0.0,) * self.dim, 1.0)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (dirichlet("boundary", Region.BOUNDARY),)

    def exact(self, p: Points) -> Tensor:
        return torch.sin(2 * math.pi * (1 - torch.linalg.vector_norm(p.tensor, dim=1)))

    def source(self, p: Points) -> Tensor:
        r = torch.linalg.vector_norm(p.tensor, dim=1)
        phase = 2 * math.pi * (1 - r)
        return 2 * math.pi * self.dim * torch.cos(phase) + 4 * math.pi**2 * r * torch.sin(phase)

    def residual(self, f: Field) -> Tensor:
        r = torch.linalg.vector_norm(f.tensor, dim=1)
        radial = sum(f[name] * f.d(name) for name in self.variables) / r
        return -r * f.laplacian(self.variables) - radial - self.source(f)
