"""PINNacle's PInv: a coefficient field identified with the solution. Unknowns (u, a) on [0, 1]²,

    ∇·(a∇u) + f = 0,

with u measured on the 50 × 50 grid linspace(0, 1, 50)² under absolute Gaussian noise N(0, σ²),
σ = 0.1, and a = a_true on the boundary; no condition on u. Truth: u = sin πx sin πy,
a = 1/(1 + x² + y² + (x − 1)² + (y − 1)²). Scored over (u, a) together at 2,500 uniform points.

PINNacle's f has (2x + 1) and (2y + 1) where −∇·(a∇u) of the truth has (2x − 1) and (2y − 1), so
its stated truth does not solve its problem; ``corrected_source`` takes f = −∇·(a_true ∇u_true).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor

from pinnsolve.conditions import Condition, Region, dirichlet
from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import SampledExactProblem, require


@dataclass(frozen=True)
class PoissonInv(SampledExactProblem):
    unknowns: ClassVar[tuple[str, ...]] = ("u", "a")

    corrected_source: bool
    noise: float  # σ of the measurements' absolute Gaussian noise
    grid_points: int  # measurements on a grid_points × grid_points grid
    eval_points: int

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.noise >= 0, f"noise must be ≥ 0, got {self.noise}")
        require(self.grid_points >= 2, f"grid_points must be ≥ 2, got {self.grid_points}")

    @property
    def domain(self) -> Box:
        return Box.unit_cube(2)

    @staticmethod
    def coefficient(p: Points) -> Tensor:
        x, y = p["x"], p["y"]
        return 1 / (1 + x**2 + y**2 + (x - 1) ** 2 + (y - 1) ** 2)

    def exact(self, p: Points) -> Tensor:
        """(u, a), shape (N, 2)."""
        u = torch.sin(math.pi * p["x"]) * torch.sin(math.pi * p["y"])
        return torch.stack([u, self.coefficient(p)], dim=1)

    def source(self, p: Points) -> Tensor:
        """f: PINNacle's (2x + 1, 2y + 1), or with ``corrected_source`` the truth's (2x − 1, 2y − 1)."""
        x, y = p["x"], p["y"]
        a = self.coefficient(p)
        shift = -1.0 if self.corrected_source else 1.0
        sx, cx, sy, cy = torch.sin(math.pi * x), torch.cos(math.pi * x), torch.sin(math.pi * y), torch.cos(math.pi * y)
        return 2 * math.pi**2 * sx * sy * a + 2 * math.pi * ((2 * x + shift) * cx * sy + (2 * y + shift) * sx * cy) * a**2

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (dirichlet("boundary_a", Region.BOUNDARY, self.coefficient, unknown="a"),)

    def residual(self, f: Field) -> Tensor:
        a = f["a"]
        divergence = a * f.laplacian(("x", "y"), of="u") + f.d("a", "x") * f.d("u", "x") + f.d("a", "y") * f.d("u", "y")
        return divergence + self.source(f)

    def observations(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
        """u on the grid, with the absolute noise drawn from ``rng``."""
        axis = np.linspace(0.0, 1.0, self.grid_points)
        xx, yy = np.meshgrid(axis, axis, indexing="ij")
        inputs = np.stack([xx.ravel(), yy.ravel()], axis=1)
        u = np.sin(math.pi * inputs[:, 0]) * np.sin(math.pi * inputs[:, 1])
        return inputs, u + self.noise * rng.standard_normal(len(u)), ("u",)
