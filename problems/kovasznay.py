"""Kovasznay flow: steady Navier–Stokes in (u, v, p) with a closed-form solution (Kovasznay 1948),

    u u_x + v u_y + p_x − ν Δu = 0,   u v_x + v v_y + p_y − ν Δv = 0,   u_x + v_y = 0,   ν = 1/Re,

u = 1 − e^{λx} cos 2πy, v = λ/(2π) e^{λx} sin 2πy, p = (1 − e^{2λx})/2, λ = Re/2 − √(Re²/4 + 4π²),
on [−0.5, 1] × [−0.5, 1.5]. Conditions on pieces: u and v on the inlet and the walls (left,
bottom, top); at the outlet (right) the pressure alone and the normal derivatives of u and v.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from pinnsolve.conditions import Condition, Region, dirichlet, neumann
from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import ExactProblem, require

from .navier_stokes import steady_navier_stokes

INLET_AND_WALLS = Region.boundary("left", "bottom", "top")
OUTLET = Region.boundary("right")


@dataclass(frozen=True)
class Kovasznay(ExactProblem):
    unknowns: ClassVar[tuple[str, ...]] = ("u", "v", "p")

    reynolds: float
    eval_points_per_axis: int

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.reynolds > 0, f"reynolds must be positive, got {self.reynolds}")

    @property
    def lam(self) -> float:
        return self.reynolds / 2 - math.sqrt(self.reynolds**2 / 4 + 4 * math.pi**2)

    @property
    def domain(self) -> Box:
        return Box(("x", "y"), (-0.5, -0.5), (1.0, 1.5))

    def exact(self, p: Points) -> Tensor:
        """(u, v, p), shape (N, 3)."""
        x, y = p["x"], p["y"]
        grow = torch.exp(self.lam * x)
        u = 1 - grow * torch.cos(2 * math.pi * y)
        v = self.lam / (2 * math.pi) * grow * torch.sin(2 * math.pi * y)
        return torch.stack([u, v, (1 - grow**2) / 2], dim=1)

    def outlet_flux(self, p: Points) -> dict[str, Tensor]:
        """∂u/∂x and ∂v/∂x of the exact solution: the normal derivatives on the outlet x = 1."""
        x, y = p["x"], p["y"]
        grow = torch.exp(self.lam * x)
        return {
            "u": -self.lam * grow * torch.cos(2 * math.pi * y),
            "v": self.lam**2 / (2 * math.pi) * grow * torch.sin(2 * math.pi * y),
        }

    @property
    def conditions(self) -> tuple[Condition, ...]:
        def column(i: int):
            return lambda p: self.exact(p)[:, i]

        return (
            dirichlet("wall_u", INLET_AND_WALLS, column(0), unknown="u"),
            dirichlet("wall_v", INLET_AND_WALLS, column(1), unknown="v"),
            dirichlet("outlet_p", OUTLET, column(2), unknown="p"),
            neumann("outlet_u", OUTLET, lambda p: self.outlet_flux(p)["u"], unknown="u"),
            neumann("outlet_v", OUTLET, lambda p: self.outlet_flux(p)["v"], unknown="v"),
        )

    def residual(self, f: Field) -> dict[str, Tensor]:
        return steady_navier_stokes(f, 1 / self.reynolds)
