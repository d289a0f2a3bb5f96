"""A heat equation on an L-shaped plate with an insulated edge, written outside pinnsolve.

    u_t = κ Δu on the L-shape [0, 2]² minus [1, 2]², t ∈ [0, t_max],
    ∂u/∂n = 0 on the left edge (insulated), u given on the other edges and at t = 0.

Its exact solution u = cos(πx/2) cos(πy/2) exp(−κπ²t/2) scores the run.
"""
import math
from dataclasses import dataclass

import torch

from pinnsolve.conditions import Region, dirichlet, initial_value, neumann
from pinnsolve.geometry import Polygon, TimeProduct
from pinnsolve.problem import SampledExactProblem


@dataclass(frozen=True)
class Heat(SampledExactProblem):
    diffusivity: float  # κ
    t_max: float
    eval_points: int  # the exact solution is compared at this many uniform points

    @property
    def domain(self):
        plate = Polygon(
            ((0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)),
            edge_names=("bottom", "right", "notch_bottom", "notch_left", "top", "left"),
        )
        return TimeProduct(plate, 0.0, self.t_max)

    def exact(self, p):
        decay = self.diffusivity * math.pi**2 / 2
        return torch.cos(math.pi * p["x"] / 2) * torch.cos(math.pi * p["y"] / 2) * torch.exp(-decay * p["t"])

    @property
    def conditions(self):
        return (
            initial_value("initial", self.exact),
            neumann("insulated", Region.boundary("left")),
            dirichlet("held", Region.boundary("bottom", "right", "notch_bottom", "notch_left", "top"), self.exact),
        )

    def residual(self, f):
        return f.d("t") - self.diffusivity * f.laplacian(("x", "y"))
