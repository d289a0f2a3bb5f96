"""PINNacle's Heat 2d-MS (multi-scale): u_t = u_xx/(500π)² + u_yy/π² on [0, 1]² × [0, 5],
u(x, y, 0) = sin(20πx) sin(πy), u = 0 on the sides. Exact: u = sin(20πx) sin(πy) e^{−(0.0016 + 1) t};
scored at 20,000 uniform space-time points."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, Region, SampledExactProblem, dirichlet, require


@dataclass(frozen=True)
class Heat2dMS(SampledExactProblem):
    t_max: float
    eval_points: int

    # the diffusivities 1/(500π)² and 1/π² in x and y, the frequencies 20π and π
    KX = 1 / (500 * math.pi) ** 2
    KY = 1 / math.pi**2

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.t_max > 0, f"t_max must be positive, got {self.t_max}")

    @property
    def domain(self) -> Box:
        return Box(("x", "y", "t"), (0.0, 0.0, 0.0), (1.0, 1.0, self.t_max), time="t")

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (dirichlet("initial", Region.INITIAL, self.exact), dirichlet("boundary", Region.BOUNDARY))

    def exact(self, p: Points) -> Tensor:
        decay = self.KX * (20 * math.pi) ** 2 + self.KY * math.pi**2  # 0.0016 + 1
        return torch.sin(20 * math.pi * p["x"]) * torch.sin(math.pi * p["y"]) * torch.exp(-decay * p["t"])

    def residual(self, f: Field) -> Tensor:
        return f.d("t") - self.KX * f.d("x", "x") - self.KY * f.d("y", "y")
