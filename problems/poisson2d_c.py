"""PINNacle's Poisson 2d-C: Δu = 0 on the square [−0.5, 0.5]² minus four disks of radius 0.1
centred at (±0.3, ±0.3), u = 1 on the square's sides and u = 0 on the four circles. Scored against
PINNacle's COMSOL file ``poisson1_cg_data.dat`` (1,246 mesh nodes)."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from pinnsolve.conditions import Condition, Region, dirichlet
from pinnsolve.derivatives import Field
from pinnsolve.geometry import Box, Disk, Geometry
from pinnsolve.problem import Problem, require
from pinnsolve.readers import PINNACLE_SOURCE, DataReference

HOLES = ("hole_ne", "hole_nw", "hole_sw", "hole_se")
SIDES = ("left", "right", "bottom", "top")


@dataclass(frozen=True)
class Poisson2dC(DataReference, Problem):
    source_hint = PINNACLE_SOURCE

    hole_radius: float
    data: str

    def __post_init__(self) -> None:
        require(0 < self.hole_radius < 0.2, f"hole_radius must be in (0, 0.2), got {self.hole_radius}")
        self.check_data()

    @property
    def domain(self) -> Geometry:
        plate = Box(("x", "y"), (-0.5, -0.5), (0.5, 0.5))
        holes = [Disk((sx * 0.3, sy * 0.3), self.hole_radius, name=name)
                 for name, (sx, sy) in zip(HOLES, [(1, 1), (-1, 1), (-1, -1), (1, -1)])]
        return plate - (holes[0] | holes[1] | holes[2] | holes[3])

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (
            dirichlet("sides", Region.boundary(*SIDES), lambda p: torch.ones_like(p["x"])),
            dirichlet("holes", Region.boundary(*HOLES)),
        )

    def residual(self, f: Field) -> Tensor:
        return f.laplacian(("x", "y"))
