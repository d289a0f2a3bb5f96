"""Poisson's equation −κΔu = f on [0,1]^d with u = 0 on the boundary (κ = 1 unless identified).

Exact solution u = Π_i x_i²(1 − x_i), the smooth case of Liang et al. (2024), RAF paper; the
forcing f = −κΔu is the configured κ's, so an identified κ is pinned down by measurements of u.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, ExactProblem, Region, dirichlet, require


@dataclass(frozen=True)
class Poisson(ExactProblem):
    coefficients: ClassVar[tuple[str, ...]] = ("diffusion",)

    dim: int
    diffusion: float
    eval_points_per_axis: int

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.dim >= 1, f"dim must be ≥ 1, got {self.dim}")
        require(self.diffusion > 0, f"diffusion must be positive, got {self.diffusion}")

    @property
    def domain(self) -> Box:
        return Box.unit_cube(self.dim)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (dirichlet("boundary", Region.BOUNDARY),)

    def exact(self, p: Points) -> Tensor:
        x = p.tensor
        return torch.prod(x**2 * (1 - x), dim=1)

    def source(self, p: Points) -> Tensor:
        """f = −κΔu = −κ Σ_i (2 − 6x_i) Π_{j≠i} x_j²(1 − x_j)."""
        x = p.tensor
        factors = x**2 * (1 - x)
        second = 2 - 6 * x
        total = torch.zeros_like(x[:, 0])
        for i in range(self.dim):
            others = torch.cat([factors[:, :i], factors[:, i + 1 :]], dim=1)
            total = total - second[:, i] * torch.prod(others, dim=1)
        return self.diffusion * total

    def residual(self, f: Field) -> Tensor:
        return -self.diffusion * f.laplacian(self.variables) - self.source(f)
