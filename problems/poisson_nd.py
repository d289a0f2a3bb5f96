"""PINNacle's PNd: −Δu = (π²/4) Σ_i sin(πx_i/2) on [0, 1]^d (d = 5), u = exact on the boundary,
exact u = Σ_i sin(πx_i/2); scored at 20,000 uniform points as PINNacle's analytic cases are."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, Region, SampledExactProblem, dirichlet, require


@dataclass(frozen=True)
class PoissonND(SampledExactProblem):
    dim: int
    eval_points: int

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.dim >= 1, f"dim must be ≥ 1, got {self.dim}")

    @property
    def domain(self) -> Box:
        return Box.unit_cube(self.dim)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (dirichlet("boundary", Region.BOUNDARY, self.exact),)

    def exact(self, p: Points) -> Tensor:
        return torch.sin(math.pi / 2 * p.tensor).sum(dim=1)

    def source(self, p: Points) -> Tensor:
        return math.pi**2 / 4 * torch.sin(math.pi / 2 * p.tensor).sum(dim=1)

    def residual(self, f: Field) -> Tensor:
        return -f.laplacian(self.variables) - self.source(f)
