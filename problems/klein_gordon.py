"""The Klein–Gordon equation u_tt + α u_xx + β u + γ u^k = h on [x_min, x_max] × [0, t_max].

Initial value and rate and the Dirichlet data come from a manufactured solution:
- ``x_cos_t``: u = x cos t (Jagtap et al. 2020, GAAF; α = −1, β = 0, γ = 1, k = 2 on [−1,1] × [0,10]);
- ``cubic``: u = x cos(5πt) + (xt)³ (Wang, Teng & Perdikaris 2021; k = 3 on [0,1]²).
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
from pinnsolve.problem import SecondOrderInTime, require


class KleinGordonSolution(Enum):
    x_cos_t = "x_cos_t"
    cubic = "cubic"


@dataclass(frozen=True)
class KleinGordon(SecondOrderInTime):
    coefficients: ClassVar[tuple[str, ...]] = ("alpha", "beta", "gamma")

    alpha: float
    beta: float
    gamma: float
    k: int
    x_min: float
    x_max: float
    t_max: float
    solution: KleinGordonSolution
    eval_points_per_axis: int

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.x_min < self.x_max, f"x_min must be below x_max, got {self.x_min} and {self.x_max}")
        require(self.t_max > 0, f"t_max must be positive, got {self.t_max}")
        require(self.k >= 1, f"k must be ≥ 1, got {self.k}")

    @property
    def domain(self) -> Box:
        return Box(("x", "t"), (self.x_min, 0.0), (self.x_max, self.t_max), time="t")

    def exact_derivatives(self, p: Points) -> dict[str, Tensor]:
        """u, u_t, u_tt and u_xx of the manufactured solution."""
        x, t = p["x"], p["t"]
        if self.solution is KleinGordonSolution.x_cos_t:
            return {"u": x * torch.cos(t), "t": -x * torch.sin(t), "tt": -x * torch.cos(t), "xx": torch.zeros_like(x)}
        w = 5 * math.pi
        return {
            "u": x * torch.cos(w * t) + (x * t) ** 3,
            "t": -w * x * torch.sin(w * t) + 3 * x**3 * t**2,
            "tt": -(w**2) * x * torch.cos(w * t) + 6 * x**3 * t,
            "xx": 6 * x * t**3,
        }

    def source(self, p: Points) -> Tensor:
        e = self.exact_derivatives(p)
        return e["tt"] + self.alpha * e["xx"] + self.beta * e["u"] + self.gamma * e["u"] ** self.k

    def residual(self, f: Field) -> Tensor:
        u = f.u
        return (
            f.d("t", "t") + self.alpha * f.d("x", "x") + self.beta * u + self.gamma * u**self.k - self.source(f)
        )
