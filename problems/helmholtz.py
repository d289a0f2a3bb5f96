"""Helmholtz's equation Δu + k²u = q on [−1,1]² with u = 0 on the boundary.

Two manufactured solutions:
- ``sines``: u = sin(a₁πx) sin(a₂πy) (Wang, Teng & Perdikaris 2021; a₁ = 1, a₂ = 4);
- ``gaaf``: u = (x + y) sin(πx) sin(πy) (Jagtap, Kawaguchi & Karniadakis 2020).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar
from enum import Enum

import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, ExactProblem, Region, dirichlet, require


class HelmholtzSolution(Enum):
    sines = "sines"
    gaaf = "gaaf"


@dataclass(frozen=True)
class Helmholtz(ExactProblem):
    coefficients: ClassVar[tuple[str, ...]] = ("k",)

    k: float
    a1: float
    a2: float
    solution: HelmholtzSolution
    eval_points_per_axis: int

    def __post_init__(self) -> None:
        # k² u must stay finite in float32 (3.4e38) as in float64
        require(abs(self.k) <= 1e18, f"k must be at most 1e18 in magnitude (k² multiplies u), got {self.k:g}")
        if self.solution is HelmholtzSolution.sines:
            for name in ("a1", "a2"):
                value = getattr(self, name)
                require(
                    value == int(value) and value != 0,
                    f"{name} must be a non-zero integer with solution=sines (so that u = 0 on the boundary, as the "
                    f"condition says, and u is not zero everywhere), got {value:g}",
                )
        super().__post_init__()

    @property
    def domain(self) -> Box:
        return Box(("x", "y"), (-1.0, -1.0), (1.0, 1.0))

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (dirichlet("boundary", Region.BOUNDARY),)

    def exact(self, p: Points) -> Tensor:
        x, y = p["x"], p["y"]
        if self.solution is HelmholtzSolution.sines:
            return torch.sin(self.a1 * math.pi * x) * torch.sin(self.a2 * math.pi * y)
        return (x + y) * torch.sin(math.pi * x) * torch.sin(math.pi * y)

    def laplacian_of_exact(self, p: Points) -> Tensor:
        x, y, pi = p["x"], p["y"], math.pi
        if self.solution is HelmholtzSolution.sines:
            return -((self.a1**2 + self.a2**2) * pi**2) * self.exact(p)
        # Δ[(x+y)S] = 2(S_x + S_y) + (x+y)ΔS with S = sin πx sin πy, ΔS = −2π²S
        s_x = pi * torch.cos(pi * x) * torch.sin(pi * y)
        s_y = pi * torch.sin(pi * x) * torch.cos(pi * y)
        return 2 * (s_x + s_y) - 2 * pi**2 * self.exact(p)

    def source(self, p: Points) -> Tensor:
        return self.laplacian_of_exact(p) + self.k**2 * self.exact(p)

    def residual(self, f: Field) -> Tensor:
        return f.laplacian(("x", "y")) + self.k**2 * f.u - self.source(f)
