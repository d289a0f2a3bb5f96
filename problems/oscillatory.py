"""A nonlinear PDE with an oscillatory solution on [0,1]^d (RAF paper, §4.2.4):

    −Δu − (u − 1)³ + (u + 2)² = f in (0,1)^d,  u = 0 on the boundary,

with the exact solution u = Π_i sin(2kπx_i) (k = ``frequency``; the authors' default is 20 in
d = 2), so f = d(2kπ)²u − (u − 1)³ + (u + 2)². u vanishes on the boundary when 2k is an integer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, ExactProblem, Region, dirichlet, require


@dataclass(frozen=True)
class Oscillatory(ExactProblem):
    dim: int
    frequency: float
    eval_points_per_axis: int

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.dim >= 1, f"dim must be ≥ 1, got {self.dim}")
        require(
            self.frequency > 0 and float(2 * self.frequency).is_integer(),
            f"frequency must be a positive multiple of 1/2 (so that u = 0 on the boundary), got {self.frequency}",
        )

    @property
    def domain(self) -> Box:
        return Box.unit_cube(self.dim)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (dirichlet("boundary", Region.BOUNDARY),)

    def exact(self, p: Points) -> Tensor:
        return torch.prod(torch.sin(2 * self.frequency * math.pi * p.tensor), dim=1)

    def reaction(self, u: Tensor) -> Tensor:
        """The nonlinear terms −(u − 1)³ + (u + 2)²."""
        return -((u - 1) ** 3) + (u + 2) ** 2

    def source(self, p: Points) -> Tensor:
        u = self.exact(p)
        return self.dim * (2 * self.frequency * math.pi) ** 2 * u + self.reaction(u)

    def residual(self, f: Field) -> Tensor:
        return -f.laplacian(self.variables) + self.reaction(f.u) - self.source(f)
