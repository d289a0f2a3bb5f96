"""PINNacle's NS 2d-C: the lid-driven cavity, a system in (u, v, p) on [0, 1]²,

    u u_x + v u_y + p_x − ν Δu = 0,   u v_x + v v_y + p_y − ν Δv = 0,   u_x + v_y = 0,   ν = 1/100,

with u = 4x(1 − x), v = 0 on the lid y = 1, u = v = 0 on the other sides, and p(0, 0) = 0 (the
pressure is otherwise fixed only up to a constant). Scored against PINNacle's COMSOL file
``lid_driven_a4.dat`` (10,201 nodes), over u, v and p together.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from pinnsolve.conditions import Condition, Region, dirichlet, point_value
from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import Problem, require
from pinnsolve.readers import PINNACLE_SOURCE, DataReference

from .navier_stokes import steady_navier_stokes


@dataclass(frozen=True)
class NS2dC(DataReference, Problem):
    unknowns: ClassVar[tuple[str, ...]] = ("u", "v", "p")
    source_hint = PINNACLE_SOURCE

    nu: float
    data: str

    def __post_init__(self) -> None:
        require(self.nu > 0, f"nu must be positive, got {self.nu}")
        self.check_data()

    @property
    def domain(self) -> Box:
        return Box.unit_cube(2)

    def lid(self, p: Points) -> Tensor:
        """u on the boundary: 4x(1 − x) on the lid y = 1, 0 on the other sides (one function, so
        that the hard constraint can impose it; the two agree at the lid's corners)."""
        x, y = p["x"], p["y"]
        return torch.where(y >= 1.0, 4 * x * (1 - x), torch.zeros_like(x))

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (
            dirichlet("boundary_u", Region.BOUNDARY, self.lid, unknown="u"),
            dirichlet("boundary_v", Region.BOUNDARY, unknown="v"),
            point_value("pressure", [(0.0, 0.0)], unknown="p"),
        )

    def residual(self, f: Field) -> dict[str, Tensor]:
        return steady_navier_stokes(f, self.nu)
