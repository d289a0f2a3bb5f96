"""The 2-D sine-Gordon equation u_tt = β(u_xx + u_yy) − γ sin u + h on [−L, L]² × [0, t_max].

The exact solution is a breather of β = γ = 1's equation along the direction at ``angle`` θ,
u = 4 arctan(A cos(ωt) / cosh(kξ)),   ξ = x cos θ + y sin θ,   k = √(1 − ω²),   A = k/ω,
which needs no forcing there (h = 0); other β, γ get the forcing h that keeps it exact. Initial
value and rate and the Dirichlet data on the square's sides come from it.

Why a breather, not the simpler travelling kink: along a kink u_tt, Δu and sin u are all
multiples of one function, so every (β, γ) on a line fits it and an inverse problem cannot
identify them; a breather's three terms are independent.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import SecondOrderInTime, require


@dataclass(frozen=True)
class SineGordon(SecondOrderInTime):
    coefficients: ClassVar[tuple[str, ...]] = ("beta", "gamma")

    beta: float
    gamma: float
    frequency: float  # ω of the breather, in (0, 1)
    angle: float  # θ, the direction across which the breather's profile varies, in degrees from the x axis
    length: float
    t_max: float
    eval_points_per_axis: int

    def __post_init__(self) -> None:
        super().__post_init__()
        require(0 < self.frequency < 1, f"frequency must lie in (0, 1), got {self.frequency}")
        require(self.length > 0, f"length must be positive, got {self.length}")
        require(self.t_max > 0, f"t_max must be positive, got {self.t_max}")

    @property
    def domain(self) -> Box:
        return Box(("x", "y", "t"), (-self.length, -self.length, 0.0), (self.length, self.length, self.t_max), time="t")

    def exact_derivatives(self, p: Points) -> dict[str, Tensor]:
        """u, u_t, u_tt and Δu of the breather. With g = A cos(ωt) sech(kξ), u = 4 arctan g and for
        either variable s, u_ss = 4(g_ss/(1 + g²) − 2g g_s²/(1 + g²)²), where g_tt = −ω²g and
        g_ξξ = k²g(1 − 2 sech² kξ); Δu = u_ξξ since cos²θ + sin²θ = 1."""
        omega = self.frequency
        k = math.sqrt(1.0 - omega**2)
        theta = math.radians(self.angle)
        xi = p["x"] * math.cos(theta) + p["y"] * math.sin(theta)
        sech = 1.0 / torch.cosh(k * xi)
        cos_t, sin_t = torch.cos(omega * p["t"]), torch.sin(omega * p["t"])
        g = (k / omega) * cos_t * sech
        g_t = -k * sin_t * sech
        g_xi = -k * g * torch.tanh(k * xi)
        one_plus = 1.0 + g**2

        def second(g_ss: Tensor, g_s: Tensor) -> Tensor:
            return 4.0 * (g_ss / one_plus - 2.0 * g * g_s**2 / one_plus**2)

        return {
            "u": 4.0 * torch.atan(g),
            "t": 4.0 * g_t / one_plus,
            "tt": second(-(omega**2) * g, g_t),
            "laplacian": second(k**2 * g * (1.0 - 2.0 * sech**2), g_xi),
        }

    def source(self, p: Points) -> Tensor:
        e = self.exact_derivatives(p)
        return e["tt"] - self.beta * e["laplacian"] + self.gamma * torch.sin(e["u"])

    def residual(self, f: Field) -> Tensor:
        return f.d("t", "t") - self.beta * f.laplacian(("x", "y")) + self.gamma * torch.sin(f.u) - self.source(f)
