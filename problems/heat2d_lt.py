"""PINNacle's Heat 2d-LT (long time, which every published method fails):

    u_t = 0.001 Δu + 5 sin(k u²)(1 + 2 sin(πt/4)) sin(m1 πx) sin(m2 πy)  on [0, 1]² × [0, 100],

u(x, y, 0) = sin(4πx) sin(3πy), u = 0 on the sides; k = 1, m1 = 4, m2 = 2. Scored against
PINNacle's COMSOL file ``heat_longtime.dat`` (192 nodes × 501 times)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from pinnsolve.derivatives import Field
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, Problem, Region, dirichlet, require
from pinnsolve.readers import PINNACLE_SOURCE, DataReference


@dataclass(frozen=True)
class Heat2dLT(DataReference, Problem):
    source_hint = PINNACLE_SOURCE

    diffusion: float
    k: float
    m1: int
    m2: int
    t_max: float
    data: str

    def __post_init__(self) -> None:
        require(self.diffusion > 0, f"diffusion must be positive, got {self.diffusion}")
        require(self.t_max > 0, f"t_max must be positive, got {self.t_max}")
        self.check_data()

    @property
    def domain(self) -> Box:
        return Box(("x", "y", "t"), (0.0, 0.0, 0.0), (1.0, 1.0, self.t_max), time="t")

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (
            dirichlet("initial", Region.INITIAL, lambda p: torch.sin(4 * math.pi * p["x"]) * torch.sin(3 * math.pi * p["y"])),
            dirichlet("boundary", Region.BOUNDARY),
        )

    def forcing(self, f: Field) -> Tensor:
        """5 sin(k u²)(1 + 2 sin(πt/4)) sin(m1 πx) sin(m2 πy): nonlinear in u."""
        x, y, t = f["x"], f["y"], f["t"]
        space = torch.sin(self.m1 * math.pi * x) * torch.sin(self.m2 * math.pi * y)
        return 5 * torch.sin(self.k * f.u**2) * (1 + 2 * torch.sin(math.pi * t / 4)) * space

    def residual(self, f: Field) -> Tensor:
        return f.d("t") - self.diffusion * f.laplacian(("x", "y")) - self.forcing(f)
