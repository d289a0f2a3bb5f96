"""PINNacle's Wave 1d-C: u_tt = 4 u_xx on [0, 1] × [0, 1], u(x, 0) = exact, u_t(x, 0) = 0, u = 0 at
x = 0 and 1. Exact: u = sin(πx) cos(2πt) + 0.5 sin(4πx) cos(8πt); scored at 2,500 uniform points."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import SampledExactProblem, SecondOrderInTime


@dataclass(frozen=True)
class Wave1dC(SecondOrderInTime, SampledExactProblem):
    eval_points: int

    @property
    def domain(self) -> Box:
        return Box(("x", "t"), (0.0, 0.0), (1.0, 1.0), time="t")

    def exact_derivatives(self, p: Points) -> dict[str, Tensor]:
        """u and u_t."""
        x, t = p["x"], p["t"]
        pi = math.pi
        u = torch.sin(pi * x) * torch.cos(2 * pi * t) + 0.5 * torch.sin(4 * pi * x) * torch.cos(8 * pi * t)
        u_t = -2 * pi * torch.sin(pi * x) * torch.sin(2 * pi * t) - 4 * pi * torch.sin(4 * pi * x) * torch.sin(8 * pi * t)
        return {"u": u, "t": u_t}

    def residual(self, f: Field) -> Tensor:
        return f.d("t", "t") - 4 * f.d("x", "x")
